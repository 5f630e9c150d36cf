package pullevent

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"unsafe"

	"github.com/vodsim/vodsim/generator"
)

func TestSlotSize(t *testing.T) {
	if n := unsafe.Sizeof(slot{}); n > 24 {
		t.Errorf("a queued event takes %d bytes, want <= 24", n)
	}
}

// A generated event is built again when pulled: the same as the source's.
func TestCompactQueueRebuilds(t *testing.T) {
	g := testGen(t)
	q := NewQueue(Config{})
	q.AddFrom(g, 100, 5)
	msgs, err := q.Pull(context.Background(), 3, 0)
	if err != nil || len(msgs) != 3 {
		t.Fatal(msgs, err)
	}
	for i, m := range msgs {
		if want := g.Event(100 + uint64(i)); m.Event.TaskID != want.TaskID || m.Event.Index != want.Index {
			t.Errorf("message %d: task %q index %d, want %q %d", i, m.Event.TaskID, m.Event.Index, want.TaskID, want.Index)
		}
	}
	p := q.Peek(0)
	if len(p) != 2 || p[0].Event.TaskID != g.Event(103).TaskID {
		t.Errorf("peek %+v", p)
	}
}

func TestMaxQueue(t *testing.T) {
	g := testGen(t)
	q := NewQueue(Config{MaxQueue: 10})
	if err := q.AddFrom(g, 0, 8); err != nil {
		t.Fatal(err)
	}
	// All or none.
	err := q.Add(g.Event(8), g.Event(9), g.Event(10))
	if !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Add past the limit: %v", err)
	}
	if err := q.AddFrom(g, 8, 3); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("AddFrom past the limit: %v", err)
	}
	if st := q.Stats(); st.Available != 8 || st.Enqueued != 8 {
		t.Errorf("stats after refused adds: %+v", st)
	}
	// In-flight events count; confirmed ones make room.
	msgs, _ := q.Pull(context.Background(), 4, 0)
	if err := q.Add(g.Event(8), g.Event(9), g.Event(10)); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("in flight not counted: %v", err)
	}
	q.Confirm(msgs[0].Handle)
	if err := q.Add(g.Event(8), g.Event(9), g.Event(10)); err != nil {
		t.Fatal(err)
	}
}

func TestPeekPages(t *testing.T) {
	q := NewQueue(Config{})
	q.AddFrom(testGen(t), 0, 25)
	msgs, _ := q.Pull(context.Background(), 5, 0)
	q.Confirm(msgs[1].Handle)
	var seen []uint64
	var after uint64
	for {
		page := q.PeekAfter(after, 7)
		for _, m := range page {
			seen = append(seen, m.Seq)
		}
		if len(page) < 7 {
			break
		}
		after = page[len(page)-1].Seq
	}
	if len(seen) != 20 || seen[0] != 6 || seen[19] != 25 {
		t.Errorf("pages: %v", seen)
	}
}

// BenchmarkQueueBytesPerEvent reports the heap a queued generated event
// takes (goal: at most 64 bytes).
func BenchmarkQueueBytesPerEvent(b *testing.B) {
	const n = 1_000_000
	g, _ := generator.New(generator.Config{Seed: 1})
	var perEvent float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		q := NewQueue(Config{})
		for i := uint64(0); i < n; i += 1000 {
			q.AddFrom(g, i, 1000) // as a rate feed adds them
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perEvent = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(q)
	}
	b.ReportMetric(perEvent, "B/event")
}

// BenchmarkFill2MFirstPull is vodsim serve --fill 2000000 up to its first
// pull answered (goal: well under 1 s).
func BenchmarkFill2MFirstPull(b *testing.B) {
	g, _ := generator.New(generator.Config{Seed: 1})
	for b.Loop() {
		q := NewQueue(Config{})
		if err := q.AddFrom(g, 0, 2_000_000); err != nil {
			b.Fatal(err)
		}
		if msgs, _ := q.Pull(context.Background(), 0, 0); len(msgs) != DefaultMaxEvents {
			b.Fatal(len(msgs))
		}
	}
}
