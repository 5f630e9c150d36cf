package pullevent

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// Defaults, as the real service behaves; reused as flag defaults.
const (
	// DefaultConfirmWindow is how long a pulled event stays in flight: it
	// must be confirmed within this time or it can be pulled again.
	DefaultConfirmWindow = 30 * time.Second
	// DefaultWait is how long an empty pull is held open (long polling).
	DefaultWait = 5 * time.Second
	// DefaultMaxEvents is the most events one pull returns.
	DefaultMaxEvents = 16
	// DefaultRetention is how long an event that is never confirmed is
	// kept: 4 days.
	DefaultRetention = 96 * time.Hour
)

// ErrHandle is wrapped by the error Confirm returns for a handle that is
// unknown, already confirmed, or expired because its confirm window passed.
var ErrHandle = errors.New("invalid event handle")

// Clock tells the time. Inject one in Config to test confirm windows and
// retention without waiting; it must be safe for concurrent use, and its
// time must never go backwards (the queue expires events oldest first).
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to a Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Message is one event handed out by Pull (with a Handle) or shown by Peek
// (without one). It is a plain value, a copy of the queue's state.
type Message struct {
	// Handle confirms this delivery; it is refused once the confirm window
	// has passed, and every redelivery gets a fresh one.
	Handle string
	// Seq is the event's arrival number in the queue, from 1.
	Seq uint64
	// Deliveries counts the pulls of this event, this one included (0 in
	// Peek for an event never pulled).
	Deliveries int
	// Added is when the event arrived.
	Added time.Time
	// Event is the event. Its SpriteURLs are shared and must not be modified.
	Event generator.Event
}

// Stats are the queue's counters: a snapshot, a plain value (the zero
// value is an empty queue's).
type Stats struct {
	Enqueued    uint64 `json:"enqueued"`    // events added since start or reset
	Available   int    `json:"available"`   // events waiting to be pulled
	InFlight    int    `json:"inFlight"`    // pulled, not yet confirmed, window open
	Confirmed   uint64 `json:"confirmed"`   // confirmed and removed
	Redelivered uint64 `json:"redelivered"` // pulls of an event pulled before
	Expired     uint64 `json:"expired"`     // dropped because older than the retention
	Pulls       uint64 `json:"pulls"`       // pull calls answered
}

type state uint8

const (
	stAvailable state = iota
	stInFlight
	stDone
)

type entry struct {
	seq        uint64
	added      time.Time
	ev         generator.Event
	handle     string
	state      state
	deliveries int
}

// flight is one delivery: the handle is valid until deadline.
type flight struct {
	e        *entry
	handle   string
	deadline time.Time
}

// Queue is the event queue behind both pull APIs, with the real service's
// semantics: FIFO by arrival; a pull marks events in flight under a fresh
// handle; a confirm within the window removes the event; an event not
// confirmed in time becomes available again (at its arrival position) and
// its old handle is refused; events older than the retention are dropped.
//
// A Queue is safe for concurrent use by any number of pollers. Build one
// with NewQueue; the zero value is not usable.
type Queue struct {
	window    time.Duration
	wait      time.Duration
	maxEvents int
	retention time.Duration
	clock     Clock

	mu       sync.Mutex
	seq      uint64
	fresh    []*entry // arrival order, from head
	head     int
	back     seqHeap // returned after a missed window, by seq
	inflight map[string]*entry
	timeline []flight // deliveries in pull order; deadlines ascend
	thead    int
	waiters  int
	wake     chan struct{}
	done     chan struct{}
	closed   bool
	stats    Stats
	hctr     uint64
	hsalt    uint64
}

// NewQueue returns an empty queue configured by cfg; only the queue fields
// of cfg (ConfirmWindow, Wait, MaxEvents, Retention, Clock) matter here.
func NewQueue(cfg Config) *Queue {
	c := cfg.withDefaults()
	return &Queue{
		window:    c.ConfirmWindow,
		wait:      c.Wait,
		maxEvents: c.MaxEvents,
		retention: c.Retention,
		clock:     c.Clock,
		inflight:  make(map[string]*entry),
		wake:      make(chan struct{}),
		done:      make(chan struct{}),
		hsalt:     rand.Uint64(),
	}
}

// MaxEvents is the most events one pull returns.
func (q *Queue) MaxEvents() int { return q.maxEvents }

// Wait is how long an empty pull is held open.
func (q *Queue) Wait() time.Duration { return q.wait }

// Add appends events in order.
func (q *Queue) Add(events ...generator.Event) {
	if len(events) == 0 {
		return
	}
	q.mu.Lock()
	now := q.clock.Now()
	for i := range events {
		q.pushLocked(events[i], now)
	}
	q.signalLocked()
	q.mu.Unlock()
}

// Fill appends events first .. first+n-1 of src, in order.
func (q *Queue) Fill(src generator.Source, first, n uint64) {
	const batch = 1024
	buf := make([]generator.Event, 0, min(n, batch))
	for i := uint64(0); i < n; i++ {
		var ev generator.Event
		src.Fill(&ev, first+i)
		buf = append(buf, ev)
		if len(buf) == batch {
			q.Add(buf...)
			buf = buf[:0]
		}
	}
	q.Add(buf...)
}

func (q *Queue) pushLocked(ev generator.Event, now time.Time) {
	q.seq++
	q.stats.Enqueued++
	q.fresh = append(q.fresh, &entry{seq: q.seq, added: now, ev: ev})
}

func (q *Queue) signalLocked() {
	if q.waiters > 0 {
		close(q.wake)
		q.wake = make(chan struct{})
	}
}

// reapLocked returns events whose window has passed to the available set
// and drops events older than the retention from the head of the queue.
func (q *Queue) reapLocked(now time.Time) {
	for q.thead < len(q.timeline) {
		f := q.timeline[q.thead]
		if f.deadline.After(now) {
			break
		}
		q.timeline[q.thead] = flight{}
		q.thead++
		if f.e.state == stInFlight && f.e.handle == f.handle {
			delete(q.inflight, f.handle)
			f.e.state, f.e.handle = stAvailable, ""
			heap.Push(&q.back, f.e)
		}
	}
	if q.thead > 1024 && q.thead*2 > len(q.timeline) {
		n := copy(q.timeline, q.timeline[q.thead:])
		clear(q.timeline[n:])
		q.timeline, q.thead = q.timeline[:n], 0
	}
	// Events that came back after a missed window are ordered by arrival
	// too: the oldest is on top of the heap.
	for len(q.back) > 0 && q.tooOld(q.back[0], now) {
		heap.Pop(&q.back).(*entry).state = stDone
		q.stats.Expired++
	}
	for q.head < len(q.fresh) && q.tooOld(q.fresh[q.head], now) {
		q.fresh[q.head] = nil
		q.head++
		q.stats.Expired++
	}
	if q.head > 1024 && q.head*2 > len(q.fresh) {
		n := copy(q.fresh, q.fresh[q.head:])
		clear(q.fresh[n:])
		q.fresh, q.head = q.fresh[:n], 0
	}
}

func (q *Queue) tooOld(e *entry, now time.Time) bool {
	return !now.Before(e.added.Add(q.retention))
}

// nextLocked removes and returns the available event that arrived first,
// or nil. Call reapLocked first: it drops the events too old to hand out.
func (q *Queue) nextLocked() *entry {
	switch {
	case q.head < len(q.fresh) && (len(q.back) == 0 || q.fresh[q.head].seq < q.back[0].seq):
		e := q.fresh[q.head]
		q.fresh[q.head] = nil
		q.head++
		return e
	case len(q.back) > 0:
		return heap.Pop(&q.back).(*entry)
	}
	return nil
}

func (q *Queue) newHandleLocked() string {
	q.hctr++
	var b [32]byte
	appendHex16(b[:0], mix64(q.hctr^q.hsalt))
	appendHex16(b[16:16], mix64(q.hctr+q.hsalt*0x9e3779b97f4a7c15))
	return string(b[:])
}

const hexDigits = "0123456789abcdef"

// appendHex16 appends x as 16 lowercase hex digits.
func appendHex16(dst []byte, x uint64) []byte {
	for shift := 60; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(x>>uint(shift))&0xf])
	}
	return dst
}

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// takeLocked moves up to max available events in flight.
func (q *Queue) takeLocked(now time.Time, max int, out []Message) []Message {
	deadline := now.Add(q.window)
	for len(out) < max {
		e := q.nextLocked()
		if e == nil {
			break
		}
		if e.deliveries > 0 {
			q.stats.Redelivered++
		}
		e.deliveries++
		e.state = stInFlight
		e.handle = q.newHandleLocked()
		q.inflight[e.handle] = e
		q.timeline = append(q.timeline, flight{e: e, handle: e.handle, deadline: deadline})
		out = append(out, Message{Handle: e.handle, Seq: e.seq, Deliveries: e.deliveries, Added: e.added, Event: e.ev})
	}
	return out
}

// Pull returns up to max available events (max <= 0 or above MaxEvents
// means MaxEvents), each now in flight under a fresh handle. When none is
// available it waits up to wait (negative: the configured Wait) and returns
// as soon as one arrives or an unconfirmed one comes back. It returns no
// events and a nil error when the wait ends empty or the queue is closed,
// and ctx.Err() when ctx is cancelled.
func (q *Queue) Pull(ctx context.Context, max int, wait time.Duration) ([]Message, error) {
	if max <= 0 || max > q.maxEvents {
		max = q.maxEvents
	}
	if wait < 0 {
		wait = q.wait
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	start := time.Now()
	for {
		q.mu.Lock()
		now := q.clock.Now()
		q.reapLocked(now)
		out := q.takeLocked(now, max, nil)
		if len(out) > 0 || q.closed {
			q.stats.Pulls++
			q.mu.Unlock()
			return out, nil
		}
		left := wait - time.Since(start)
		if left <= 0 {
			q.stats.Pulls++
			q.mu.Unlock()
			return nil, nil
		}
		if q.thead < len(q.timeline) {
			// An unconfirmed event comes back at the head's deadline.
			left = min(left, max64(q.timeline[q.thead].deadline.Sub(now), time.Millisecond))
		}
		wake := q.wake
		q.waiters++
		q.mu.Unlock()

		if timer == nil {
			timer = time.NewTimer(left)
		} else {
			timer.Reset(left)
		}
		var err error
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-q.done:
		case <-wake:
		case <-timer.C:
		}
		q.mu.Lock()
		q.waiters--
		q.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

func max64(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}

// Confirm removes the events of handles. If any handle is unknown, already
// confirmed, or past its confirm window, Confirm confirms none and returns
// an error wrapping ErrHandle that names the first bad handle.
func (q *Queue) Confirm(handles ...string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.reapLocked(q.clock.Now())
	for _, h := range handles {
		if _, ok := q.inflight[h]; !ok {
			return fmt.Errorf("%w: %q is unknown, already confirmed or past its confirm window", ErrHandle, h)
		}
	}
	for _, h := range handles {
		e, ok := q.inflight[h]
		if !ok {
			continue // the same handle twice in one call
		}
		delete(q.inflight, h)
		e.state, e.handle = stDone, ""
		e.ev = generator.Event{}
		q.stats.Confirmed++
	}
	return nil
}

// Peek returns up to max available events in the order they would be
// pulled (max <= 0: all), without changing anything.
func (q *Queue) Peek(max int) []Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.reapLocked(q.clock.Now())
	all := make([]*entry, 0, len(q.fresh)-q.head+len(q.back))
	all = append(all, q.fresh[q.head:]...)
	all = append(all, q.back...)
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	if max > 0 && len(all) > max {
		all = all[:max]
	}
	out := make([]Message, len(all))
	for i, e := range all {
		out[i] = Message{Seq: e.seq, Deliveries: e.deliveries, Added: e.added, Event: e.ev}
	}
	return out
}

// Stats returns the counters now.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.reapLocked(q.clock.Now())
	s := q.stats
	s.Available = len(q.fresh) - q.head + len(q.back)
	s.InFlight = len(q.inflight)
	return s
}

// Reset empties the queue, forgets every handle and zeroes the counters.
func (q *Queue) Reset() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, e := range q.inflight {
		e.state = stDone
	}
	q.fresh, q.head, q.back = nil, 0, nil
	q.inflight = make(map[string]*entry)
	q.timeline, q.thead = nil, 0
	q.stats = Stats{}
}

// Close makes every held and future Pull return at once with what is
// available. It is safe to call more than once.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.done)
	}
}

// seqHeap orders returned events by arrival.
type seqHeap []*entry

func (h seqHeap) Len() int           { return len(h) }
func (h seqHeap) Less(i, j int) bool { return h[i].seq < h[j].seq }
func (h seqHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *seqHeap) Push(x any)        { *h = append(*h, x.(*entry)) }
func (h *seqHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
