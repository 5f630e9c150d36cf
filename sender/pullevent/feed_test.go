package pullevent

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender"
)

func TestRateAt(t *testing.T) {
	ramp := sender.Profile{{Duration: 10 * time.Second, From: 10, To: 20}}
	stairs := sender.Profile{{Duration: 10 * time.Second, From: 10, To: 40, Steps: 4}}
	two := sender.Profile{{Duration: time.Second, From: 5}, {Duration: time.Second, From: 50, To: 100}}
	tests := []struct {
		name string
		p    sender.Profile
		at   time.Duration
		want float64
	}{
		{"empty", nil, 0, 0},
		{"constant", sender.Profile{{Duration: time.Second, From: 7}}, 0, 7},
		{"constant holds after the end", sender.Profile{{Duration: time.Second, From: 7}}, time.Hour, 7},
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
			if got := RateAt(tt.p, tt.at); got != tt.want {
				t.Errorf("RateAt(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestFeedRun(t *testing.T) {
	q := NewQueue(Config{})
	g := testGen(t)
	n, err := Feed{Source: g, First: 10, Count: 30, Profile: sender.Profile{{Duration: time.Hour, From: 1000}}}.Run(context.Background(), q)
	if err != nil || n != 30 {
		t.Fatalf("added %d, %v", n, err)
	}
	ms := q.Peek(0)
	if len(ms) != 30 || ms[0].Event.TaskID != g.Event(10).TaskID || ms[29].Event.TaskID != g.Event(39).TaskID {
		t.Fatalf("queue holds %d events, not events 10..39", len(ms))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := (Feed{Source: g, Profile: sender.Profile{{Duration: time.Hour, From: 1}}}).Run(ctx, q); err != context.DeadlineExceeded {
		t.Fatalf("cancelled feed returned %v", err)
	}
	if n, err := (Feed{Source: g}).Run(context.Background(), q); n != 0 || err != nil {
		t.Fatalf("empty profile added %d, %v", n, err)
	}
	// A rate of 0 would add nothing, forever: refused instead.
	if n, err := (Feed{Source: g, Profile: sender.Profile{{Duration: time.Second}}}).Run(context.Background(), q); n != 0 || !errors.Is(err, sender.ErrConfig) {
		t.Fatalf("zero-rate profile: added %d, %v; want sender.ErrConfig", n, err)
	}
}
