package pace

import (
	"errors"
	"testing"
	"time"
)

func TestSchedule(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		profile Profile
		at      map[uint64]time.Duration // event -> send time
		before  map[time.Duration]uint64 // time -> events before it
	}{
		{
			name:    "constant 100/s",
			profile: Profile{{Duration: time.Second, From: 100}},
			at:      map[uint64]time.Duration{0: 0, 1: 10 * ms, 100: time.Second, 250: 2500 * ms},
			before:  map[time.Duration]uint64{time.Second: 100, 1001 * ms: 101, 0: 0},
		},
		{
			name:    "ramp 100 to 300 over 1s (200 events), then 300/s",
			profile: Profile{{Duration: time.Second, From: 100, To: 300}},
			// count(t) = 100t + 100t^2: 24 events by 0.2 s, 200 by 1 s.
			at:     map[uint64]time.Duration{0: 0, 24: 200 * ms, 200: time.Second, 230: 1100 * ms},
			before: map[time.Duration]uint64{time.Second: 200, 2 * time.Second: 500},
		},
		{
			name:    "staircase 100 then 300 over 2s",
			profile: Profile{{Duration: 2 * time.Second, From: 100, To: 300, Steps: 2}},
			at:      map[uint64]time.Duration{99: 990 * ms, 100: time.Second, 250: 1500 * ms},
			before:  map[time.Duration]uint64{2 * time.Second: 400},
		},
		{
			name:    "phases: 10/s for 1s, then 1000/s",
			profile: Profile{{Duration: time.Second, From: 10}, {Duration: time.Second, From: 1000}},
			at:      map[uint64]time.Duration{9: 900 * ms, 10: time.Second, 510: 1500 * ms, 1010: 2 * time.Second},
			before:  map[time.Duration]uint64{1500 * ms: 510},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := newSchedule(tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tc.at {
				if got := s.at(k); (got - want).Abs() > 10*time.Microsecond {
					t.Errorf("at(%d) = %v, want %v", k, got, want)
				}
			}
			for d, want := range tc.before {
				if got := s.countBefore(d); got != want {
					t.Errorf("countBefore(%v) = %d, want %d", d, got, want)
				}
			}
			for k := uint64(1); k < 2000; k++ {
				if s.at(k) < s.at(k-1) {
					t.Fatalf("at(%d) < at(%d): send times go backwards", k, k-1)
				}
			}
		})
	}
}

func TestScheduleErrors(t *testing.T) {
	for _, p := range []Profile{
		{{Duration: 0, From: 1}},
		{{Duration: time.Second, From: 0}},
		{{Duration: time.Second, From: 1, To: -1}},
		{{Duration: time.Second, From: 1, Steps: -1}},
	} {
		if _, err := newSchedule(p); err == nil {
			t.Errorf("newSchedule(%+v) accepted", p)
		}
	}
}

// TestScheduleDue: Due counts the events whose time has come, At's
// inverse, on every kind of phase.
func TestScheduleDue(t *testing.T) {
	s, err := NewSchedule(Profile{
		{Duration: time.Second, From: 100},
		{Duration: 2 * time.Second, From: 100, To: 400},
		{Duration: time.Second, From: 10, To: 40, Steps: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Due(0); got != 1 {
		t.Errorf("Due(0) = %d, want 1 (event 0 is due at the start)", got)
	}
	for _, k := range []uint64{1, 99, 100, 101, 350, 599, 600, 601, 625, 10000} {
		at := s.At(k)
		if got := s.Due(at); got != k+1 {
			t.Errorf("Due(At(%d) = %v) = %d, want %d", k, at, got, k+1)
		}
		if got := s.Due(at - 1); got != k {
			t.Errorf("Due(At(%d) - 1ns) = %d, want %d", k, got, k)
		}
	}
	for _, p := range []Profile{nil, {{Duration: time.Second}}} {
		if _, err := NewSchedule(p); !errors.Is(err, ErrProfile) {
			t.Errorf("NewSchedule(%v): %v, want ErrProfile", p, err)
		}
	}
}
