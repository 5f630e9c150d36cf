package pullevent

import (
	"context"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender"
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
	Profile sender.Profile
}

// Run adds f's events to q as they fall due on f.Profile's schedule (the
// one vodsim send paces by, event 0 at once) until Count events are added
// or ctx is cancelled, and returns the number added. It returns ctx.Err()
// when cancelled, an error wrapping sender.ErrConfig for an invalid
// Profile, one wrapping ErrQueueFull when the events due would pass the
// queue's MaxQueue, nil when done.
func (f Feed) Run(ctx context.Context, q *Queue) (uint64, error) {
	if len(f.Profile) == 0 || f.Source == nil {
		return 0, nil
	}
	sch, err := sender.NewSchedule(f.Profile)
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
			if err := q.Fill(f.Source, f.First+added, due-added); err != nil {
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

// RateAt is the rate of p, in events per second, at elapsed time d: a
// phase's rate ramps from From to To (a staircase if Steps > 0), and the
// last phase's final rate holds after it. An empty profile's rate is 0.
func RateAt(p sender.Profile, d time.Duration) float64 {
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
