package sender

import (
	"context"
	"sync/atomic"
	"time"
)

// job is one event handed to a worker.
type job struct {
	idx       uint64
	intended  time.Time // the schedule's send time (delay included by the worker)
	waited    bool      // the event waited for an in-flight slot (or its file's previous event)
	reordered bool
	spin      time.Duration // the most the worker may spin for intended
	// after, when set, is closed when the event's file's previous event
	// has its final state: the first attempt waits for it. gated: the
	// event's own final state must be told to r.files (see fileGate).
	after <-chan struct{}
	gated bool
	// chained: the event was held back with its file's previous event
	// (late, but not waiting for a slot).
	chained bool
}

// stopReason is why an event that the workers' context stopped before
// its first attempt was not sent: the run was stopped, or the drain ended.
func (r *run) stopReason() string {
	if r.runCtx.Err() != nil {
		return ReasonStopped
	}
	return ReasonDrainEnded
}

// scheduleEnd is when the run's schedule ends, zero if it has none (a
// count sent as fast as possible): Duration after the start, or the send
// time of the last of Count events. An event still waiting for an
// in-flight slot then is not sent.
func (r *run) scheduleEnd() time.Time {
	switch {
	case r.duration > 0:
		return r.start.Add(r.duration)
	case r.sched != nil && r.count > 0:
		if n := r.shard.Count(r.count); n > 0 {
			return r.start.Add(r.sched.At(r.shard.index(n - 1)))
		}
		return r.start
	}
	return time.Time{}
}

// dispatchStats is what the dispatcher knows at the end.
type dispatchStats struct {
	generated uint64 // events taken from the source
	// intended send times of the first and last event dispatched, to
	// compute the rate the schedule asked for.
	firstIntended, lastIntended time.Time
	dispatched                  uint64
	// reason is why the events not dispatched were not sent.
	reason string
}

// dispatch walks the schedule: it waits for each event's send time and
// hands the event to a worker, holding back the events chosen for
// reordering. It returns when the schedule ends or ctx is cancelled.
// workers is how many workers were started before it.
func (r *run) dispatch(ctx context.Context, jobs chan<- job, spawn func(), workers int) dispatchStats {
	var st dispatchStats
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var al *alarm
	if r.sched != nil {
		if al = newAlarm(); al != nil {
			defer al.close()
		}
	}
	ahead := r.inflight / 4
	var held heldQueue
	var prevOff time.Duration
	done := ctx.Done()
	// ended is closed at the schedule's end: an event still waiting for
	// an in-flight slot then is not sent, so that the run ends by the end
	// of the schedule plus one event's delivery.
	var ended chan struct{}
	if at := r.scheduleEnd(); !at.IsZero() {
		ended = make(chan struct{})
		endT := time.AfterFunc(time.Until(at), func() { close(ended) })
		defer endT.Stop()
	}
	st.reason = ReasonStopped

	send := func(j job) bool {
		for {
			select {
			case jobs <- j:
			default:
				wait := done
				// Without a rate, a worker beyond the connections only
				// queues for one (see pool).
				capped := r.sched == nil && r.pool.full()
				switch {
				case workers < r.inflight && !capped:
					// No idle worker: start one; it takes this job.
					spawn()
					workers++
				case workers < r.inflight:
					// Every connection busy: the next idle worker takes
					// the job, unless one goes to sleep first.
					select {
					case jobs <- j:
					case <-r.pool.wake:
						continue
					case <-wait:
						return false
					case <-ended:
						st.reason = ReasonScheduleEnded
						return false
					}
					goto handed
				default:
					j.waited = true
				}
				var end chan struct{}
				if j.waited {
					end = ended
				}
				select {
				case jobs <- j:
				case <-wait:
					return false
				case <-end:
					st.reason = ReasonScheduleEnded
					return false
				}
			}
		handed:
			r.pool.handed()
			if st.dispatched == 0 {
				st.firstIntended = j.intended
			}
			st.lastIntended = j.intended
			st.dispatched++
			return true
		}
	}

	// k walks the whole run's indices; a shard takes every N-th.
	for k := r.shard.first(); ; k += r.shard.step() {
		if r.count > 0 && k >= r.count {
			break
		}
		var when time.Time
		var spin time.Duration
		if r.sched != nil {
			off := r.sched.At(k)
			if r.duration > 0 && off >= r.duration {
				break
			}
			when = r.start.Add(off)
			// The event goes to its worker a little early, and the
			// worker waits for the send time (preciseWait). At high
			// rates an event due to be handed within a quarter of its
			// lead goes at once, so that one wake of the dispatcher
			// hands several.
			var lead time.Duration
			gap := off - prevOff
			lead, spin = handLead(gap, ahead)
			hand := when.Add(-lead)
			prevOff = off
			if gap >= earlyGap || time.Until(hand) > lead/4 {
				if !waitUntil(ctx, timer, al, hand) {
					return st
				}
			}
		} else {
			when = time.Now()
			if r.duration > 0 && when.Sub(r.start) >= r.duration {
				// The rest of a Count the duration cut short.
				st.reason = ReasonScheduleEnded
				break
			}
		}
		if ctx.Err() != nil {
			return st
		}
		// Held-back events whose new turn has come go first.
		for held.Len() > 0 && held.peek().release <= k {
			j := r.unhold(held.pop(), when)
			j.spin = spin
			if !send(j) {
				return st
			}
		}
		st.generated++
		var release uint64
		if r.faults.Reorder > 0 && unit(r.seed, saltReorder, k) < r.faults.Reorder {
			d := 1 + draw(r.seed, saltReorderBy, k)%uint64(r.faults.ReorderWindow)
			release = k + d
		}
		j := job{idx: k, intended: when, spin: spin}
		if rel := r.files.turn(&j, release); rel > 0 {
			held.push(heldEvent{release: rel, idx: k, chained: release == 0, intended: when})
			continue
		}
		if !send(j) {
			if r.sched == nil && st.reason == ReasonScheduleEnded {
				// As fast as possible, an event is made when the last
				// is handed out, not due at a send time: one that no
				// worker took before the duration ended was never due,
				// and counting it not sent would fail a healthy run.
				st.generated--
			}
			return st
		}
	}
	// The schedule ended: what is still held goes now, in order.
	for held.Len() > 0 {
		if !send(r.unhold(held.pop(), time.Now())) {
			return st
		}
	}
	return st
}

// unhold is the job of held-back event h, whose turn came at when: a
// reordered event is due then, a chained one was due at its own send
// time and is late.
func (r *run) unhold(h heldEvent, when time.Time) job {
	j := job{idx: h.idx, intended: when, reordered: !h.chained, chained: h.chained}
	if h.chained {
		j.intended = h.intended
	}
	r.files.released(&j)
	return j
}

// dispatchEndHook, when set (by tests), is called as a run's dispatcher
// ends, before the events in flight finish.
var dispatchEndHook atomic.Pointer[func()]
