package pullevent

import (
	"context"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/pace"
)

// feedTick is how often Feed adds the events that became due.
const feedTick = 10 * time.Millisecond

// Feed describes events that arrive over time. It is a plain value; Run
// may be called from any goroutine. The zero value adds nothing.
type Feed struct {
	// Source makes the events; required.
	Source generator.Source
	// First is the index of the first event to add.
	First uint64
	// Count is how many events to add; 0 means no end.
	Count uint64
	// Profile is the arrival rate over time; an empty Profile adds nothing.
	Profile pace.Profile
}

// Run adds f's events to q as they fall due on f.Profile's schedule (the
// one vodsim send paces by, event 0 at once) until Count events are added
// or ctx is cancelled, and returns the number added. It returns ctx.Err()
// when cancelled, an error wrapping pace.ErrProfile for an invalid
// Profile, one wrapping ErrQueueFull when the events due would pass the
// queue's MaxQueue, nil when done.
func (f Feed) Run(ctx context.Context, q *Queue) (uint64, error) {
	if len(f.Profile) == 0 || f.Source == nil {
		return 0, nil
	}
	sch, err := pace.NewSchedule(f.Profile)
	if err != nil {
		return 0, err
	}
	t := time.NewTicker(feedTick)
	defer t.Stop()
	start := time.Now()
	var added uint64
	for {
		due := sch.Due(time.Since(start))
		if f.Count != 0 {
			due = min(due, f.Count)
		}
		if due > added {
			if err := q.AddFrom(f.Source, f.First+added, due-added); err != nil {
				return added, err
			}
			added = due
		}
		if f.Count != 0 && added >= f.Count {
			return added, nil
		}
		select {
		case <-ctx.Done():
			return added, ctx.Err()
		case <-t.C:
		}
	}
}
