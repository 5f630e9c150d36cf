package sender

import (
	"testing"
	"time"
)

// TestAlarm: the alarm never wakes before its time, can be set again as
// soon as it has fired, and says so when it cannot sleep.
func TestAlarm(t *testing.T) {
	a := newAlarm()
	if a == nil {
		t.Skip("no timerfd on this system")
	}
	for _, d := range []time.Duration{0, time.Nanosecond, 50 * time.Microsecond, 700 * time.Microsecond, 3 * time.Millisecond} {
		start := time.Now()
		if !a.sleep(d) {
			t.Fatalf("sleep %v failed", d)
		}
		if got := time.Since(start); got < d {
			t.Errorf("sleep %v returned after %v", d, got)
		}
	}
	a.close()
	if a.sleep(time.Millisecond) {
		t.Error("a closed alarm reported a sleep")
	}
}
