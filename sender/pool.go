package sender

import "sync/atomic"

// pool tells the dispatcher of a run without a rate whether another
// worker would help. Workers start on demand, up to MaxInFlight; but a
// worker beyond the connections, with every other worker on the wire,
// only queues in the transport for a connection, and hundreds of them
// queued cost more than they bring (about a fifth of the rate with 100
// connections and 1,000 in flight). So without a rate, a new worker
// starts only while fewer than Connections workers are active: holding
// an event, and not waiting out an added delay, a backoff or its file's
// previous event. The
// in-flight bound is unchanged; with a rate, workers start as before,
// so that an event's wait for a connection counts in its latency, not
// as lateness.
type pool struct {
	active atomic.Int64  // workers with an event, not sleeping
	conns  int64         // the transport's connections
	wake   chan struct{} // a worker went to sleep (capacity 1)
}

func newPool(conns int) *pool {
	return &pool{conns: int64(conns), wake: make(chan struct{}, 1)}
}

// full reports whether as many workers are active as there are
// connections.
func (p *pool) full() bool { return p.active.Load() >= p.conns }

// handed counts a worker that took an event; done, one that finished it.
func (p *pool) handed() { p.active.Add(1) }
func (p *pool) done()   { p.active.Add(-1) }

// asleep counts a worker that waits (an added delay, a backoff, a file's
// previous event) and
// wakes the dispatcher, which may start another; awake undoes it.
func (p *pool) asleep() {
	p.active.Add(-1)
	select {
	case p.wake <- struct{}{}:
	default:
	}
}
func (p *pool) awake() { p.active.Add(1) }
