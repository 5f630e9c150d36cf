package sender

import (
	"context"
	"time"
)

// waitUntil returns at when (true), or when ctx ends first (false).
//
// Go's timers sleep in the poller, which on Linux has a resolution of a
// millisecond (epoll_wait): a timer fires up to 1 ms after its time when
// nothing else wakes the process, so events would start that late, and
// the lateness would be counted in the receiver's latency. So a long
// wait sleeps on the timer until coarseBelow before when, and the rest
// on al, an alarm the poller is woken by (or, without one, in
// preciseSleep); a short one (high rates) on al alone, without one on
// the timer. A wait on al is not cut short by ctx: it is at most
// 2*coarseBelow, and ctx is checked after it.
func waitUntil(ctx context.Context, timer *time.Timer, al *alarm, when time.Time) bool {
	d := time.Until(when)
	if d <= 0 {
		return ctx.Err() == nil
	}
	if coarseBelow == 0 || d <= 2*coarseBelow {
		if al != nil && al.sleep(d) {
			return ctx.Err() == nil
		}
		// Short waits without an alarm: the processors are busy and
		// check timers often; blocking a thread would stall the workers.
		return sleepOn(ctx, timer, time.Until(when))
	}
	if !sleepOn(ctx, timer, d-coarseBelow) {
		return false
	}
	if d = time.Until(when); d > 0 && (al == nil || !al.sleep(d)) {
		preciseSleep(d)
	}
	return ctx.Err() == nil
}

// sleepOn waits d on timer, false if ctx ends first.
func sleepOn(ctx context.Context, timer *time.Timer, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer.Reset(d)
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
