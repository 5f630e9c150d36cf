package sender

import (
	"context"
	"testing"
	"time"
)

// TestWaitUntil: the dispatcher's wait never returns before the send
// time, whichever way it sleeps, and gives up when the run is stopped.
func TestWaitUntil(t *testing.T) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for _, d := range []time.Duration{-time.Millisecond, 0, 300 * time.Microsecond, coarseBelow, 2*coarseBelow + time.Millisecond, 6 * time.Millisecond} {
		when := time.Now().Add(d)
		if !waitUntil(context.Background(), timer, when) {
			t.Fatalf("wait %v: reported a stop", d)
		}
		if now := time.Now(); now.Before(when) {
			t.Errorf("wait %v: returned %v early", d, when.Sub(now))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(5*time.Millisecond, cancel)
	if waitUntil(ctx, timer, time.Now().Add(time.Hour)) {
		t.Error("cancelled wait reported the send time reached")
	}
}
