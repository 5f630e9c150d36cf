package main

import (
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pace"
)

// TestGCPercent: a run of at most smallRun events gets pacedGCPercent at
// a rate, smallGCPercent as fast as possible; a longer or unbounded one
// gets sendGCPercent.
func TestGCPercent(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		cfg  sender.Config
		want int
	}{
		{"default count", sender.Config{}, smallGCPercent},
		{"10,000 events", sender.Config{Count: 10000}, smallGCPercent},
		{"smallRun events", sender.Config{Count: smallRun}, smallGCPercent},
		{"one more", sender.Config{Count: smallRun + 1}, sendGCPercent},
		{"10,000 events at 1,000/s", sender.Config{Count: 10000, Profile: pace.Profile{{From: 1000}}}, pacedGCPercent},
		{"the default count at 100/s", sender.Config{Profile: pace.Profile{{From: 100}}}, pacedGCPercent},
		{"1,000/s for 60s", sender.Config{Duration: time.Minute, Profile: pace.Profile{{Duration: time.Minute, From: 1000}}}, pacedGCPercent},
		{"10,000/s for 60s", sender.Config{Duration: time.Minute, Profile: pace.Profile{{Duration: time.Minute, From: 10000}}}, sendGCPercent},
		{"as fast as possible for 10s", sender.Config{Duration: 10 * time.Second}, sendGCPercent},
	} {
		if got := gcPercent(c.cfg); got != c.want {
			t.Errorf("%s: gcPercent = %d, want %d", c.name, got, c.want)
		}
	}
}
