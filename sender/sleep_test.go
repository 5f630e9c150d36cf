package sender

import (
	"context"
	"testing"
	"time"
)

// TestWaitUntil: the dispatcher's wait never returns before the send
// time, whichever way it sleeps (with the system's alarm and without),
// and gives up when the run is stopped.
func TestWaitUntil(t *testing.T) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	al := newAlarm()
	if al != nil {
		defer al.close()
	}
	for _, a := range []*alarm{nil, al} {
		for _, d := range []time.Duration{-time.Millisecond, 0, time.Nanosecond, 300 * time.Microsecond, coarseBelow, 2*coarseBelow + time.Millisecond, 6 * time.Millisecond} {
			when := time.Now().Add(d)
			if !waitUntil(context.Background(), timer, a, when) {
				t.Fatalf("wait %v (alarm %v): reported a stop", d, a != nil)
			}
			if now := time.Now(); now.Before(when) {
				t.Errorf("wait %v (alarm %v): returned %v early", d, a != nil, when.Sub(now))
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(5*time.Millisecond, cancel)
		if waitUntil(ctx, timer, a, time.Now().Add(time.Hour)) {
			t.Errorf("cancelled wait (alarm %v) reported the send time reached", a != nil)
		}
		cancel()
		if waitUntil(ctx, timer, a, time.Now().Add(time.Millisecond)) {
			t.Errorf("short wait in a stopped run (alarm %v) reported the send time reached", a != nil)
		}
	}
}
