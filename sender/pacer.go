package sender

import (
	"context"
	"time"
)

// An event goes to its worker before its send time, and the worker, its
// body ready, waits for the time itself (preciseWait): waking a parked
// worker takes tens of microseconds, and the dispatcher's timer can fire
// a millisecond late, so the first attempt would start that late.
// handLead is how early: earlyLead, but when events are closer than
// earlyGap, at least leadGaps gaps and at most a quarter of the in-flight
// slots' worth.
const (
	earlyGap  = 500 * time.Microsecond
	earlyLead = 2 * time.Millisecond
	leadGaps  = 4
)

// handLead is how long before its send time an event that falls gap after
// the one before is handed to its worker, and the longest its worker may
// spin for it: a quarter of the gap at most, so that at high rates the
// spinning takes a bounded share of a processor. At high rates the lead
// is earlyLead too, so that a dispatcher or a worker woken a little late
// (the process's threads share the processors with the receiver's)
// still has its event ready in time, but at most ahead gaps and at
// least leadGaps: every event handed early takes an in-flight slot.
func handLead(gap time.Duration, ahead int) (lead, spin time.Duration) {
	if gap >= earlyGap {
		return earlyLead, maxSpin
	}
	return max(leadGaps*gap, min(earlyLead, time.Duration(ahead)*gap)), gap / 4
}

// Bounds of the spin at the end of a precise wait.
const (
	minSpin = 20 * time.Microsecond
	maxSpin = 250 * time.Microsecond
)

// preciseWait waits for a send time less than a few milliseconds away:
// it sleeps in preciseSleep (the kernel's high-resolution timers; at high
// rates, when its spin limit is below maxSpin, on a Go timer, which the
// busy processors check often) until a short window before the time and
// polls the clock for the window, so
// that it returns within microseconds of the time rather than within the
// sleep's wake-up latency (tens of microseconds, more on a busy machine).
// The window follows how late the sleep woke recently, between minSpin
// and maxSpin, so that an idle machine spins little. The zero value is
// ready to use; not safe for concurrent use (each worker has its own).
type preciseWait struct {
	late time.Duration // moving average of how late preciseSleep woke
}

// window is how long before a send time the wait starts spinning, at
// most limit.
func (p *preciseWait) window(limit time.Duration) time.Duration {
	if p.late == 0 {
		// Nothing measured yet: the default timer slack on Linux, and some.
		return min(100*time.Microsecond, limit)
	}
	return min(max(p.late*3/2+10*time.Microsecond, minSpin), maxSpin, limit)
}

// until returns at when (true), or false if ctx has ended by then,
// spinning for at most limit.
func (p *preciseWait) until(ctx context.Context, when time.Time, limit time.Duration) bool {
	d := time.Until(when)
	if d <= 0 {
		return ctx.Err() == nil
	}
	if limit < maxSpin {
		// High rates: the processors are busy and check Go's timers
		// often, where a thread sleeping in the kernel per event would
		// cost a thread switch each.
		if d -= limit; d > 0 {
			time.Sleep(d)
		}
	} else if d -= p.window(limit); d > 0 {
		wake := time.Now().Add(d)
		preciseSleep(d)
		late := max(time.Since(wake), 1)
		if p.late == 0 {
			p.late = late
		}
		p.late += (late - p.late) / 8
	}
	for time.Now().Before(when) {
	}
	return ctx.Err() == nil
}
