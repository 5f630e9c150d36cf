package sender

import (
	"testing"
	"time"
)

// TestGCPercent: a run of at most SmallRun events keeps Go's default GC
// percent; a longer or unbounded one gets SuggestedGCPercent.
func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		want int
	}{
		{"default count", Config{}, 100},
		{"10,000 events", Config{Count: 10000}, 100},
		{"SmallRun events", Config{Count: SmallRun}, 100},
		{"one more", Config{Count: SmallRun + 1}, SuggestedGCPercent},
		{"1,000/s for 60s", Config{Duration: time.Minute, Profile: Profile{{Duration: time.Minute, From: 1000}}}, 100},
		{"10,000/s for 60s", Config{Duration: time.Minute, Profile: Profile{{Duration: time.Minute, From: 10000}}}, SuggestedGCPercent},
		{"as fast as possible for 10s", Config{Duration: 10 * time.Second}, SuggestedGCPercent},
	} {
		if got := GCPercent(c.cfg); got != c.want {
			t.Errorf("%s: GCPercent = %d, want %d", c.name, got, c.want)
		}
	}
}
