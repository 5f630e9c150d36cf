package sender

import (
	"context"
	"runtime"
	"sync/atomic"
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

// goTimerSpin: a precise wait whose spin limit is below it (events closer
// than 200 µs, over 5,000 events/s) sleeps on a Go timer, not in the
// kernel. Below that the processors are not busy enough for a Go timer
// to be checked in time: at 3,000 to 5,000 events/s a Go timer's wait
// started events late by p90 330 to 480 µs, a kernel sleep's (with the
// tokens that leave a processor free) by 60 to 110 µs, for the same CPU
// or less; at 10,000/s the kernel sleeps' tokens were the worse (p90
// 0.2 to 1.7 ms against 0.18 to 0.21). With a single token (two
// processors) the bound is goTimerSpinOne (over 3,125 events/s): at
// 5,000/s the waits for it kept a processor busy enough that the
// latency p99 rose from 1.1 to 1.5 ms to 1.7 to 3.2 ms.
const (
	goTimerSpin    = 50 * time.Microsecond
	goTimerSpinOne = 80 * time.Microsecond
)

// goTimerBelow is the spin limit under which p sleeps on a Go timer.
func (p *preciseWait) goTimerBelow() time.Duration {
	if cap(p.sleepers) < 2 {
		return goTimerSpinOne
	}
	return goTimerSpin
}

// preciseWait waits for a send time less than a few milliseconds away:
// it sleeps in preciseSleep (the kernel's high-resolution timers; at high
// rates, when its spin limit is below goTimerBelow's, on a Go timer,
// which the busy processors check often) until a short window before the
// time and polls the clock for the window, so that it returns within
// microseconds of the time rather than within the sleep's wake-up
// latency (tens of microseconds, more on a busy machine).
// The window follows how late the sleep woke recently, between minSpin
// and maxSpin, so that an idle machine spins little. The zero value is
// ready to use; not safe for concurrent use (each worker has its own).
//
// A thread in preciseSleep holds its processor (Go's P) until it wakes
// or the runtime takes it back, which an idle process's runtime does
// only after milliseconds. With as many sleeping workers as processors
// (two at 1,000 events/s, on two cores), nothing else ran: an answer
// waited for a worker's wake, and at 1,000/s every attempt's service
// time was 3 ms where the receiver took 0.2. So the workers of a run
// share sleepers, a token for each processor but one (at least one): a
// worker without one waits for one, parked, and sleeps the last
// sleepAlone without one if none comes by then.
type preciseWait struct {
	late     time.Duration // moving average of how late preciseSleep woke
	sleepers chan struct{} // nil: no bound
	timer    *time.Timer   // the wait for a token, made when first needed
}

// newSleepers returns the tokens of a run's workers' kernel sleeps: one
// per processor but one, at least one.
func newSleepers() chan struct{} {
	return make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))
}

// sleepAlone is how long before its wake time a worker still waiting
// for a token stops waiting and sleeps in the kernel without one: a
// token handed over late (its waiter not yet running, the processors
// busy) would otherwise leave it on a Go timer, which can fire a
// millisecond late. A processor held that long is a short wait for an
// answer.
const sleepAlone = 300 * time.Microsecond

// sleepHook, when set (by tests), is called as a worker enters a kernel
// sleep of d (+1) and leaves it (-1), with whether it holds a token.
var sleepHook atomic.Pointer[func(delta int, token bool, d time.Duration)]

// kernelSleep sleeps until wake in preciseSleep, holding a token of
// p.sleepers, or without one for the last sleepAlone if none came by
// then.
func (p *preciseWait) kernelSleep(wake time.Time) {
	token := p.sleepers != nil
	if token {
		select {
		case p.sleepers <- struct{}{}:
		default:
			if p.timer == nil {
				p.timer = time.NewTimer(time.Hour)
			}
			p.timer.Reset(time.Until(wake) - sleepAlone)
			select {
			case p.sleepers <- struct{}{}:
				p.timer.Stop()
			case <-p.timer.C:
				token = false
			}
		}
		if token {
			defer func() { <-p.sleepers }()
		}
	}
	d := time.Until(wake)
	if d <= 0 {
		return
	}
	if h := sleepHook.Load(); h != nil {
		(*h)(1, token, d)
		defer (*h)(-1, token, d)
	}
	preciseSleep(d)
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
	if limit < p.goTimerBelow() {
		// High rates: the processors are busy and check Go's timers
		// often, where a thread sleeping in the kernel per event would
		// cost a thread switch each.
		if d -= limit; d > 0 {
			time.Sleep(d)
		}
	} else if d -= p.window(limit); d > 0 {
		wake := time.Now().Add(d)
		p.kernelSleep(wake)
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
