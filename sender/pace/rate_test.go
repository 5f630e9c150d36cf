package pace

import (
	"testing"
	"time"
)

// rateAt is the rate of p, in events per second, at elapsed time d: a
// phase's rate ramps from From to To (a staircase if Steps > 0), and the
// last phase's final rate holds after it. An empty profile's rate is 0.
func rateAt(p Profile, d time.Duration) float64 {
	for _, ph := range p {
		if d < ph.Duration {
			to := ph.To
			if to == 0 || to == ph.From {
				return ph.From
			}
			frac := float64(d) / float64(ph.Duration)
			if ph.Steps > 0 {
				step := float64(int(frac * float64(ph.Steps)))
				if ph.Steps == 1 {
					return ph.From
				}
				return ph.From + (to-ph.From)*step/float64(ph.Steps-1)
			}
			return ph.From + (to-ph.From)*frac
		}
		d -= ph.Duration
	}
	if len(p) == 0 {
		return 0
	}
	last := p[len(p)-1]
	if last.To != 0 {
		return last.To
	}
	return last.From
}

func TestRateAt(t *testing.T) {
	ramp := Profile{{Duration: 10 * time.Second, From: 10, To: 20}}
	stairs := Profile{{Duration: 10 * time.Second, From: 10, To: 40, Steps: 4}}
	two := Profile{{Duration: time.Second, From: 5}, {Duration: time.Second, From: 50, To: 100}}
	tests := []struct {
		name string
		p    Profile
		at   time.Duration
		want float64
	}{
		{"empty", nil, 0, 0},
		{"constant", Profile{{Duration: time.Second, From: 7}}, 0, 7},
		{"constant holds after the end", Profile{{Duration: time.Second, From: 7}}, time.Hour, 7},
		{"ramp start", ramp, 0, 10},
		{"ramp middle", ramp, 5 * time.Second, 15},
		{"ramp end holds To", ramp, time.Minute, 20},
		{"stairs first step", stairs, 2 * time.Second, 10},
		{"stairs second step", stairs, 3 * time.Second, 20},
		{"stairs last step", stairs, 9 * time.Second, 40},
		{"second phase", two, 1500 * time.Millisecond, 75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rateAt(tt.p, tt.at); got != tt.want {
				t.Errorf("rateAt(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}
