package sender

import "sync"

// fileLinked is a Source whose events belong to files that must reach
// the receiver in order (a generator.Generator with Flows): FileLinks
// names event i's file's event before it and whether one follows.
type fileLinked interface {
	FileLinks(i uint64) (prev uint64, hasPrev, hasNext bool)
}

// fileGate keeps each file's events in order: an event's first attempt
// starts only once its file's previous event (the previous one of the
// run's shard) has its final state. The dispatcher asks it at each
// event's turn (turn, released); a worker waits on job.after and calls
// finish at the event's final state. It keeps an entry only for events
// that have a successor and are held back or in flight, so its memory
// is bounded by the events in flight, not by the run. A nil *fileGate
// keeps no order.
//
// An event is handed to a worker only after its file's previous event
// (one held back for reordering holds its file's later events back with
// it), so the earliest event in flight never waits and every wait ends,
// even with one event in flight at a time.
type fileGate struct {
	src   fileLinked
	shard Shard
	mu    sync.Mutex
	open  map[uint64]*gateEntry
}

// gateEntry is an event with a successor that is not done yet.
type gateEntry struct {
	done    chan struct{} // closed at the event's final state
	held    bool          // held back in the dispatcher, until release
	release uint64
}

// newFileGate returns the gate of a run of src, nil when src's events
// are not linked into files.
func newFileGate(src any, shard Shard) *fileGate {
	fl, ok := src.(fileLinked)
	if !ok {
		return nil
	}
	return &fileGate{src: fl, shard: shard, open: map[uint64]*gateEntry{}}
}

// links is event i's previous event of its file in the shard, and
// whether its file has an event after it.
func (g *fileGate) links(i uint64) (prev uint64, hasPrev, hasNext bool) {
	prev, hasPrev, hasNext = g.src.FileLinks(i)
	for hasPrev && !g.shard.has(prev) {
		prev, hasPrev, _ = g.src.FileLinks(prev)
	}
	return prev, hasPrev, hasNext
}

// turn is event j's turn in the dispatch; release is the position it is
// held back until for reordering, 0 for none. It returns the position to
// hold j back until, 0 when j goes now (then j is set up to wait for its
// file's previous event). An event whose file's previous event is held
// back is held back with it, and goes right after it.
func (g *fileGate) turn(j *job, release uint64) uint64 {
	if g == nil {
		return release
	}
	prev, hasPrev, hasNext := g.links(j.idx)
	if !hasPrev && !hasNext {
		return release
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if hasPrev {
		if e := g.open[prev]; e != nil && e.held {
			release = max(release, e.release)
		}
	}
	if release > 0 {
		if hasNext {
			g.open[j.idx] = &gateEntry{done: make(chan struct{}), held: true, release: release}
		}
		return release
	}
	g.goes(j, prev, hasPrev, hasNext)
	return 0
}

// released sets up held-back event j, whose turn has come, to wait for
// its file's previous event.
func (g *fileGate) released(j *job) {
	if g == nil {
		return
	}
	prev, hasPrev, hasNext := g.links(j.idx)
	if !hasPrev && !hasNext {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.goes(j, prev, hasPrev, hasNext)
}

// goes sets j.after to the signal of j's file's previous event (nil when
// it is done) and opens j's own entry when it has a successor. g.mu is held.
func (g *fileGate) goes(j *job, prev uint64, hasPrev, hasNext bool) {
	if hasPrev {
		if e := g.open[prev]; e != nil {
			j.after = e.done
		}
	}
	if hasNext {
		e := g.open[j.idx]
		if e == nil {
			e = &gateEntry{done: make(chan struct{})}
			g.open[j.idx] = e
		}
		e.held = false
		j.gated = true
	}
}

// finish records that event j has its final state: its file's next
// event may go.
func (g *fileGate) finish(j job) {
	if g == nil || !j.gated {
		return
	}
	g.mu.Lock()
	e := g.open[j.idx]
	delete(g.open, j.idx)
	g.mu.Unlock()
	close(e.done)
}
