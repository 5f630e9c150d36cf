package sender

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// A paced run's first events would otherwise find no worker waiting and
// no connection open: each would wait for a goroutine to start and a
// connection to be dialled, while the heap grows, and start late (about
// one event in a hundred of a 10,000 events/s run fell in its first 100
// ms that way). So before its clock starts, a paced run starts the
// workers its first events need and dials some connections. The run's
// start, duration and every send time are unchanged (they are taken
// after the warm-up), nothing of the warm-up is counted, and a dial that
// fails in it only leaves the connection to be dialled when needed, as
// without a warm-up.
const (
	// warmWorkers: workers for the events due in the schedule's first
	// warmWorkers; warmConns: connections for those of its first
	// warmConns. At most one of each when events are further apart.
	warmWorkers = 2 * time.Millisecond
	warmConns   = time.Millisecond
	// warmDial bounds the warm-up's dials (and TLS handshakes).
	warmDial = 100 * time.Millisecond
)

// warmCounts is how many workers and connections a paced run starts
// with: as many as its first events due within warmWorkers and
// warmConns, at least one, at most MaxInFlight and the connections.
func (r *run) warmCounts() (workers, conns int) {
	if r.sched == nil {
		return 0, 0
	}
	due := func(window time.Duration) int {
		n := 0
		for k := r.shard.first(); n < r.inflight; k += r.shard.step() {
			if r.count > 0 && k >= r.count {
				break
			}
			off := r.sched.At(k)
			if off >= window || r.duration > 0 && off >= r.duration {
				break
			}
			n++
		}
		return max(n, 1)
	}
	workers = due(warmWorkers)
	if r.fast != nil {
		conns = min(due(warmConns), cap(r.fast.slots))
	}
	return workers, conns
}

// warmUp dials n connections of the run's own client at once and gives
// them to its pool, waiting at most warmDial; a failed dial is dropped
// (its slot given back).
func (r *run) warmUp(ctx context.Context, n int) {
	fc := r.fast
	if fc == nil || n <= 0 {
		return
	}
	deadline := time.Now().Add(warmDial)
	var wg sync.WaitGroup
	defer wg.Wait()
	for range n {
		select {
		case fc.slots <- struct{}{}:
		default:
			return // the pool is full
		}
		wg.Go(func() {
			if c, err := fc.dial(ctx, deadline); err == nil {
				fc.put(c, time.Now())
			}
		})
	}
}

// warmHeapBytes is how much of the heap warmHeap touches: about what a
// 10,000 events/s run's heap grows by in its first second (its peak RSS
// is the same with it or without).
const warmHeapBytes = 4 << 20

// warmHeap readies the heap, before the clock of a run whose first events
// are less than warmWorkers apart (over 500 events/s): it touches
// warmHeapBytes of new heap memory and lets it go, then runs a garbage
// collection. Without it, the run's first milliseconds would take the
// page faults of the heap's growth (some 1,100 to 1,200 in a 10,000
// events/s run's first second, 570 to 770 with it; a fault costs 13 µs
// on the 2-core virtual machine the figures come from) and the
// collection its set-up (the generator's tables, the histograms, the
// connections' buffers) makes due, with a stop of the world: in vodsim
// send at 10,000 events/s, often 100 to 380 of its first 500 events
// started more than 1 ms late that way (TestWarmUpCollects; README,
// "Pacing").
func warmHeap() {
	room := make([]byte, warmHeapBytes)
	for i := 0; i < len(room); i += 4096 {
		room[i] = 1
	}
	runtime.KeepAlive(room)
	runtime.GC()
}
