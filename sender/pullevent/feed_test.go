package pullevent

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/pace"
)

func TestFeedRun(t *testing.T) {
	q := NewQueue(Config{})
	g := testGen(t)
	n, err := Feed{Source: g, First: 10, Count: 30, Profile: pace.Profile{{Duration: time.Hour, From: 1000}}}.Run(context.Background(), q)
	if err != nil || n != 30 {
		t.Fatalf("added %d, %v", n, err)
	}
	ms := q.Peek(0)
	if len(ms) != 30 || ms[0].Event.TaskID != g.Event(10).TaskID || ms[29].Event.TaskID != g.Event(39).TaskID {
		t.Fatalf("queue holds %d events, not events 10..39", len(ms))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := (Feed{Source: g, Profile: pace.Profile{{Duration: time.Hour, From: 1}}}).Run(ctx, q); err != context.DeadlineExceeded {
		t.Fatalf("cancelled feed returned %v", err)
	}
	if n, err := (Feed{Source: g}).Run(context.Background(), q); n != 0 || err != nil {
		t.Fatalf("empty profile added %d, %v", n, err)
	}
	// A rate of 0 would add nothing, forever: refused instead.
	if n, err := (Feed{Source: g, Profile: pace.Profile{{Duration: time.Second}}}).Run(context.Background(), q); n != 0 || !errors.Is(err, pace.ErrProfile) {
		t.Fatalf("zero-rate profile: added %d, %v; want pace.ErrProfile", n, err)
	}
}
