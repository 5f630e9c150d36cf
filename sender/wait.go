package sender

import (
	"context"
	"time"
)

// waitUntil returns at when (true), or when ctx ends first (false).
//
// Go's timers sleep in the poller, which on Linux has a resolution of a
// millisecond (epoll_wait): a timer fires up to 1 ms after its time, so
// at low rates every event would start that late, and the lateness would
// be counted in the receiver's latency. So a long wait sleeps on the
// timer until coarseBelow before when, and in preciseSleep (a nanosleep
// where the system has one) for the rest.
func waitUntil(ctx context.Context, timer *time.Timer, when time.Time) bool {
	d := time.Until(when)
	if d <= 0 {
		return ctx.Err() == nil
	}
	if coarseBelow == 0 || d <= 2*coarseBelow {
		// Short waits (high rates): the processors are busy and check
		// timers often; blocking a thread would stall the workers.
		timer.Reset(d)
		select {
		case <-timer.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	timer.Reset(d - coarseBelow)
	select {
	case <-timer.C:
	case <-ctx.Done():
		return false
	}
	if d = time.Until(when); d > 0 {
		preciseSleep(d)
	}
	return ctx.Err() == nil
}
