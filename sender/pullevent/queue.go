package pullevent

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/mix"
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
	// DefaultMaxQueue is the most events a queue holds, waiting or in
	// flight: about 100 MB of generated events (24 bytes each, plus the
	// payloads of the events in flight). An injected event costs its
	// content, about 1 KB.
	DefaultMaxQueue = 4_000_000
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

// slot is what the queue holds of one event: what rebuilds it (a source
// and an index, or for an injected event a key into Queue.injected), when
// it arrived, its deliveries and its state. It is 24 bytes; the payload is
// built when the event is pulled or peeked.
type slot struct {
	idx        uint64 // index in the source; unused for an injected event
	added      int64  // arrival, Unix nanoseconds
	deliveries uint32
	src        uint16 // index in Queue.srcs; injectedSrc for an injected event
	state      state
}

const injectedSrc = ^uint16(0)

// flight is one delivery: the handle is valid until deadline.
type flight struct {
	seq      uint64
	handle   string
	deadline time.Time
}

// Queue is the event queue behind both pull APIs, with the real service's
// semantics: FIFO by arrival; a pull marks events in flight under a fresh
// handle; a confirm within the window removes the event; an event not
// confirmed in time becomes available again (at its arrival position) and
// its old handle is refused; events older than the retention are dropped.
//
// A generated event is held in 24 bytes (its source, index, arrival,
// deliveries and state) and built again when it is pulled or peeked, so a
// queue of millions costs tens of MB; an injected event keeps its content.
// The queue holds at most MaxQueue events (waiting or in flight): an Add or
// AddFrom that would pass it adds nothing and returns an error wrapping
// ErrQueueFull.
//
// A Queue is safe for concurrent use by any number of pollers. Build one
// with NewQueue; the zero value is not usable.
type Queue struct {
	window    time.Duration
	wait      time.Duration
	maxEvents int
	retention time.Duration
	maxQueue  int
	clock     Clock

	mu       sync.Mutex
	seq      uint64 // the last seq given
	slots    []slot // seqs base .. base+len(slots)-1
	sbase    uint64
	next     uint64 // the first never-pulled seq; seqs next..seq are available
	back     seqHeap
	srcs     []generator.Source
	fillEnd  []uint64                    // by source: one past the last index filled
	injected map[uint64]*generator.Event // by seq
	inflight map[string]uint64           // handle to seq
	timeline []flight                    // deliveries in pull order; deadlines ascend
	thead    int
	waiters  int
	wake     chan struct{}
	done     chan struct{}
	closed   bool
	stats    Stats
	hctr     uint64
	hsalt    uint64
	journal  journal // nil: not kept
}

// journal records the queue's changes in a state file (see OpenState).
// Each method is called under the queue's lock before the change is made;
// an error leaves the queue unchanged.
type journal interface {
	added(first uint64, at time.Time, events []generator.Event) error
	filled(first uint64, at time.Time, src uint16, idx, n uint64) error
	pulled(msgs []Message, now, deadline time.Time) error
	confirmed(seqs []uint64) error
	reset() error
}

// ErrQueueFull is wrapped by the error Add and AddFrom return when the events
// would take the queue past its MaxQueue.
var ErrQueueFull = errors.New("queue full")

// NewQueue returns an empty queue configured by cfg; only the queue fields
// of cfg (ConfirmWindow, Wait, MaxEvents, Retention, MaxQueue, Clock)
// matter here.
func NewQueue(cfg Config) *Queue {
	c := cfg.withDefaults()
	return &Queue{
		window:    c.ConfirmWindow,
		wait:      c.Wait,
		maxEvents: c.MaxEvents,
		retention: c.Retention,
		maxQueue:  c.MaxQueue,
		clock:     c.Clock,
		next:      1,
		sbase:     1,
		injected:  make(map[uint64]*generator.Event),
		inflight:  make(map[string]uint64),
		wake:      make(chan struct{}),
		done:      make(chan struct{}),
		hsalt:     rand.Uint64(),
	}
}

// MaxEvents is the most events one pull returns.
func (q *Queue) MaxEvents() int { return q.maxEvents }

// Wait is how long an empty pull is held open.
func (q *Queue) Wait() time.Duration { return q.wait }

// MaxQueue is the most events the queue holds, waiting or in flight.
func (q *Queue) MaxQueue() int { return q.maxQueue }

// heldLocked is how many events are waiting or in flight.
func (q *Queue) heldLocked() int {
	return int(q.seq+1-q.next) + len(q.back) + len(q.inflight)
}

func (q *Queue) roomLocked(n uint64) error {
	if held := q.heldLocked(); uint64(held)+n > uint64(q.maxQueue) {
		return fmt.Errorf("%w: %d events held, adding %d would pass the limit of %d (MaxQueue, vodsim serve --max-queue)", ErrQueueFull, held, n, q.maxQueue)
	}
	return nil
}

// Add appends events in order, all or none: when they would take the queue
// past MaxQueue it adds none and returns an error wrapping ErrQueueFull.
// It keeps each event's content.
func (q *Queue) Add(events ...generator.Event) error {
	if len(events) == 0 {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.roomLocked(uint64(len(events))); err != nil {
		return err
	}
	now := q.clock.Now()
	if q.journal != nil {
		if err := q.journal.added(q.seq+1, now, events); err != nil {
			return err
		}
	}
	for i := range events {
		ev := events[i]
		q.pushLocked(slot{src: injectedSrc, added: now.UnixNano()})
		q.injected[q.seq] = &ev
	}
	q.signalLocked()
	return nil
}

// srcIDLocked returns the index of src in q.srcs, adding it if new.
func (q *Queue) srcIDLocked(src generator.Source) (uint16, error) {
	if t := reflect.TypeOf(src); t != nil && t.Comparable() {
		for i, s := range q.srcs {
			if s == src {
				return uint16(i), nil
			}
		}
	}
	if len(q.srcs) >= int(injectedSrc) {
		return 0, fmt.Errorf("pullevent: more than %d sources filled one queue", injectedSrc)
	}
	q.srcs = append(q.srcs, src)
	return uint16(len(q.srcs) - 1), nil
}

// AddFrom appends events first .. first+n-1 of src, in order, all or none:
// when they would take the queue past MaxQueue it adds none and returns an
// error wrapping ErrQueueFull. Each is held as its index in src and built
// from src when pulled or peeked, so src must stay usable.
func (q *Queue) AddFrom(src generator.Source, first, n uint64) error {
	if n == 0 {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.roomLocked(n); err != nil {
		return err
	}
	id, err := q.srcIDLocked(src)
	if err != nil {
		return err
	}
	now := q.clock.Now()
	if q.journal != nil {
		if err := q.journal.filled(q.seq+1, now, id, first, n); err != nil {
			return err
		}
	}
	q.noteFillLocked(id, first+n)
	at, base := now.UnixNano(), len(q.slots)
	q.slots = slices.Grow(q.slots, int(n))[:base+int(n)]
	added := q.slots[base:]
	for i := range added {
		added[i] = slot{src: id, idx: first + uint64(i), added: at}
	}
	q.seq += n
	q.stats.Enqueued += n
	q.signalLocked()
	return nil
}

func (q *Queue) noteFillLocked(src uint16, end uint64) {
	for len(q.fillEnd) <= int(src) {
		q.fillEnd = append(q.fillEnd, 0)
	}
	q.fillEnd[src] = max(q.fillEnd[src], end)
}

func (q *Queue) pushLocked(s slot) {
	q.seq++
	q.stats.Enqueued++
	q.slots = append(q.slots, s)
}

// slotLocked is the slot of seq, which must be held.
func (q *Queue) slotLocked(seq uint64) *slot { return &q.slots[seq-q.sbase] }

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
		if seq, ok := q.inflight[f.handle]; ok {
			delete(q.inflight, f.handle)
			q.slotLocked(seq).state = stAvailable
			heap.Push(&q.back, seq)
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
		q.dropLocked(heap.Pop(&q.back).(uint64))
		q.stats.Expired++
	}
	for q.next <= q.seq && q.tooOld(q.next, now) {
		q.dropLocked(q.next)
		q.next++
		q.stats.Expired++
	}
	q.trimLocked()
}

// dropLocked marks seq done and forgets its content.
func (q *Queue) dropLocked(seq uint64) {
	sl := q.slotLocked(seq)
	if sl.src == injectedSrc {
		delete(q.injected, seq)
	}
	sl.state = stDone
}

// trimLocked frees the slots of done events at the head. It drops them at
// once, so that each is scanned once: the array's head is freed when an
// append next grows it.
func (q *Queue) trimLocked() {
	i := 0
	for i < len(q.slots) && q.slots[i].state == stDone {
		i++
	}
	if i == 0 {
		return
	}
	if i == len(q.slots) {
		q.slots, q.sbase = q.slots[:0], q.sbase+uint64(i)
		return
	}
	q.slots, q.sbase = q.slots[i:], q.sbase+uint64(i)
}

func (q *Queue) tooOld(seq uint64, now time.Time) bool {
	return now.UnixNano()-q.slotLocked(seq).added >= int64(q.retention)
}

// nextLocked removes and returns the available event that arrived first,
// or 0. Call reapLocked first: it drops the events too old to hand out.
func (q *Queue) nextLocked() uint64 {
	switch {
	case q.next <= q.seq && (len(q.back) == 0 || q.next < q.back[0]):
		q.next++
		return q.next - 1
	case len(q.back) > 0:
		return heap.Pop(&q.back).(uint64)
	}
	return 0
}

func (q *Queue) newHandleLocked() string {
	q.hctr++
	var b [32]byte
	appendHex16(b[:0], mix.Mix64(q.hctr^q.hsalt))
	appendHex16(b[16:16], mix.Mix64(q.hctr+q.hsalt*0x9e3779b97f4a7c15))
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

// takeLocked moves up to max available events in flight. Their Event is
// left for buildLocked or build.
func (q *Queue) takeLocked(now time.Time, max int, out []Message) ([]Message, error) {
	deadline := now.Add(q.window)
	start := len(out)
	for len(out) < max {
		seq := q.nextLocked()
		if seq == 0 {
			break
		}
		sl := q.slotLocked(seq)
		if sl.deliveries > 0 {
			q.stats.Redelivered++
		}
		sl.deliveries++
		sl.state = stInFlight
		h := q.newHandleLocked()
		q.inflight[h] = seq
		q.timeline = append(q.timeline, flight{seq: seq, handle: h, deadline: deadline})
		out = append(out, Message{Handle: h, Seq: seq, Deliveries: int(sl.deliveries), Added: time.Unix(0, sl.added)})
	}
	if q.journal != nil && len(out) > start {
		// The events are handed out even if this fails: the journal
		// then refuses what follows (confirms answer an error), and after
		// a restart they are waiting again, never lost.
		q.journal.pulled(out[start:], now, deadline)
	}
	return out, nil
}

// ref is what builds one message's event outside the lock.
type ref struct {
	src generator.Source
	idx uint64
	inj *generator.Event
}

func (q *Queue) refsLocked(msgs []Message) []ref {
	refs := make([]ref, len(msgs))
	for i := range msgs {
		sl := q.slotLocked(msgs[i].Seq)
		if sl.src == injectedSrc {
			refs[i].inj = q.injected[msgs[i].Seq]
		} else {
			refs[i].src, refs[i].idx = q.srcs[sl.src], sl.idx
		}
	}
	return refs
}

// build fills in the messages' events from their refs.
func build(msgs []Message, refs []ref) {
	for i := range msgs {
		if r := refs[i]; r.inj != nil {
			msgs[i].Event = *r.inj
		} else {
			r.src.Fill(&msgs[i].Event, r.idx)
		}
	}
}

// Pull returns up to limit available events (limit <= 0 or above MaxEvents
// means MaxEvents), each now in flight under a fresh handle. When none is
// available it waits up to wait (negative: the configured Wait) and returns
// as soon as one arrives or an unconfirmed one comes back. It returns no
// events and a nil error when the wait ends empty or the queue is closed,
// and ctx.Err() when ctx is cancelled.
func (q *Queue) Pull(ctx context.Context, limit int, wait time.Duration) ([]Message, error) {
	if limit <= 0 || limit > q.maxEvents {
		limit = q.maxEvents
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
		out, jerr := q.takeLocked(now, limit, nil)
		if len(out) > 0 || q.closed || jerr != nil {
			q.stats.Pulls++
			refs := q.refsLocked(out)
			q.mu.Unlock()
			build(out, refs)
			return out, jerr
		}
		left := wait - time.Since(start)
		if left <= 0 {
			q.stats.Pulls++
			q.mu.Unlock()
			return nil, nil
		}
		if q.thead < len(q.timeline) {
			// An unconfirmed event comes back at the head's deadline.
			left = min(left, max(q.timeline[q.thead].deadline.Sub(now), time.Millisecond))
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

// Confirm removes the events of handles. If any handle is unknown, already
// confirmed, or past its confirm window, Confirm confirms none and returns
// an error wrapping ErrHandle that names the first bad handle. With a state
// file, the confirmation is written before Confirm returns; if that fails
// nothing is confirmed and the error says why.
func (q *Queue) Confirm(handles ...string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.reapLocked(q.clock.Now())
	for _, h := range handles {
		if _, ok := q.inflight[h]; !ok {
			return fmt.Errorf("%w: %q is unknown, already confirmed or past its confirm window", ErrHandle, h)
		}
	}
	if q.journal != nil {
		seqs := make([]uint64, 0, len(handles))
		for _, h := range handles {
			seqs = append(seqs, q.inflight[h])
		}
		if err := q.journal.confirmed(seqs); err != nil {
			return err
		}
	}
	for _, h := range handles {
		seq, ok := q.inflight[h]
		if !ok {
			continue // the same handle twice in one call
		}
		delete(q.inflight, h)
		q.dropLocked(seq)
		q.stats.Confirmed++
	}
	q.trimLocked()
	return nil
}

// Peek returns up to max available events in the order they would be
// pulled (max <= 0: all), without changing anything.
func (q *Queue) Peek(max int) []Message { return q.PeekAfter(0, max) }

// PeekAfter is Peek from the first available event whose Seq is above
// after: the next page of a Peek.
func (q *Queue) PeekAfter(after uint64, max int) []Message {
	if after == math.MaxUint64 {
		return nil // no Seq is above it (and after+1 would wrap to 0)
	}
	q.mu.Lock()
	q.reapLocked(q.clock.Now())
	var out []Message
	from := max64u(after+1, q.sbase)
	if len(q.back) == 0 {
		// No event came back after a missed window: the available ones
		// are those never pulled.
		from = max64u(from, q.next)
	}
	for seq := from; seq <= q.seq && (max <= 0 || len(out) < max); seq++ {
		if sl := q.slotLocked(seq); sl.state == stAvailable {
			out = append(out, Message{Seq: seq, Deliveries: int(sl.deliveries), Added: time.Unix(0, sl.added)})
		}
	}
	refs := q.refsLocked(out)
	q.mu.Unlock()
	build(out, refs)
	return out
}

func max64u(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// Stats returns the counters now.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.reapLocked(q.clock.Now())
	s := q.stats
	s.Available = int(q.seq+1-q.next) + len(q.back)
	s.InFlight = len(q.inflight)
	return s
}

// Reset empties the queue, forgets every handle and zeroes the counters.
func (q *Queue) Reset() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.journal != nil {
		if err := q.journal.reset(); err != nil {
			return err
		}
	}
	q.resetLocked()
	return nil
}

func (q *Queue) resetLocked() {
	q.sbase = q.seq + 1
	q.next = q.seq + 1
	q.slots, q.back = nil, nil
	q.injected = make(map[uint64]*generator.Event)
	q.inflight = make(map[string]uint64)
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
type seqHeap []uint64

func (h seqHeap) Len() int           { return len(h) }
func (h seqHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h seqHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *seqHeap) Push(x any)        { *h = append(*h, x.(uint64)) }
func (h *seqHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
