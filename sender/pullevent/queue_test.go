package pullevent

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// fakeClock is a Clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func testGen(t testing.TB) *generator.Generator {
	t.Helper()
	g, err := generator.New(generator.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func pullNow(t *testing.T, q *Queue, max int) []Message {
	t.Helper()
	m, err := q.Pull(context.Background(), max, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func seqs(ms []Message) []uint64 {
	out := make([]uint64, len(ms))
	for i, m := range ms {
		out[i] = m.Seq
	}
	return out
}

func equalU64(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestQueueSemantics(t *testing.T) {
	type step struct {
		advance time.Duration
		pull    int      // pull this many at most (0: skip)
		want    []uint64 // seqs expected from the pull
		confirm []int    // confirm the handles of these earlier pulls' messages (index into all pulled so far)
		bad     []int    // confirming these must fail with ErrHandle
	}
	tests := []struct {
		name  string
		cfg   Config
		fill  int
		steps []step
		stats Stats
	}{
		{
			name: "fifo and max per pull",
			fill: 20,
			steps: []step{
				{pull: 100, want: []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
				{pull: 3, want: []uint64{17, 18, 19}},
				{pull: 3, want: []uint64{20}},
				{pull: 3, want: []uint64{}},
			},
			stats: Stats{Enqueued: 20, InFlight: 20, Pulls: 4},
		},
		{
			name: "confirm within window removes the event",
			fill: 2,
			steps: []step{
				{pull: 2, want: []uint64{1, 2}},
				{advance: 29 * time.Second, confirm: []int{0, 1}},
				{advance: time.Minute, pull: 5, want: []uint64{}},
				{bad: []int{0}},
			},
			stats: Stats{Enqueued: 2, Confirmed: 2, Pulls: 2},
		},
		{
			name: "unconfirmed event comes back in arrival order with a new handle; old handle refused",
			fill: 3,
			steps: []step{
				{pull: 1, want: []uint64{1}},
				{pull: 1, want: []uint64{2}},
				{advance: 30 * time.Second, pull: 2, want: []uint64{1, 2}},
				{bad: []int{0}},
				{bad: []int{1}},
				{confirm: []int{2, 3}},
				{pull: 5, want: []uint64{3}},
			},
			stats: Stats{Enqueued: 3, InFlight: 1, Confirmed: 2, Redelivered: 2, Pulls: 4},
		},
		{
			name: "custom window",
			cfg:  Config{ConfirmWindow: 2 * time.Second},
			fill: 1,
			steps: []step{
				{pull: 1, want: []uint64{1}},
				{advance: 1999 * time.Millisecond, pull: 1, want: []uint64{}},
				{advance: time.Millisecond, pull: 1, want: []uint64{1}},
			},
			stats: Stats{Enqueued: 1, InFlight: 1, Redelivered: 1, Pulls: 3},
		},
		{
			name: "a confirm with one bad handle confirms none",
			fill: 2,
			steps: []step{
				{pull: 2, want: []uint64{1, 2}},
				{confirm: []int{0}},
				{bad: []int{1, 0}},
				{confirm: []int{1}},
			},
			stats: Stats{Enqueued: 2, Confirmed: 2, Pulls: 1},
		},
		{
			name: "retention drops old events, pulled or not",
			cfg:  Config{Retention: time.Hour},
			fill: 3,
			steps: []step{
				{pull: 1, want: []uint64{1}},
				{advance: time.Hour, pull: 16, want: []uint64{}},
			},
			stats: Stats{Enqueued: 3, Expired: 3, Pulls: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			tt.cfg.Clock = clk
			q := NewQueue(tt.cfg)
			q.AddFrom(testGen(t), 0, uint64(tt.fill))
			var pulled []Message
			for k, st := range tt.steps {
				clk.Advance(st.advance)
				if st.pull > 0 {
					got := pullNow(t, q, st.pull)
					if !equalU64(seqs(got), st.want) {
						t.Fatalf("step %d: pulled seqs %v, want %v", k, seqs(got), st.want)
					}
					for _, m := range got {
						for _, p := range pulled {
							if p.Handle == m.Handle {
								t.Fatalf("step %d: handle %s reused", k, m.Handle)
							}
						}
					}
					pulled = append(pulled, got...)
				}
				if st.confirm != nil {
					var hs []string
					for _, i := range st.confirm {
						hs = append(hs, pulled[i].Handle)
					}
					if err := q.Confirm(hs...); err != nil {
						t.Fatalf("step %d: confirm: %v", k, err)
					}
				}
				if st.bad != nil {
					var hs []string
					for _, i := range st.bad {
						hs = append(hs, pulled[i].Handle)
					}
					if err := q.Confirm(hs...); !errors.Is(err, ErrHandle) {
						t.Fatalf("step %d: confirm %v: got %v, want ErrHandle", k, st.bad, err)
					}
				}
			}
			if got := q.Stats(); got != tt.stats {
				t.Errorf("stats %+v, want %+v", got, tt.stats)
			}
		})
	}
}

func TestQueueEventsIntact(t *testing.T) {
	g := testGen(t)
	q := NewQueue(Config{})
	q.AddFrom(g, 5, 3)
	peek := q.Peek(0)
	got := pullNow(t, q, 16)
	for i, m := range got {
		want := g.Event(5 + uint64(i))
		if string(generator.Encoding{}.Marshal(&m.Event)) != string(generator.Encoding{}.Marshal(&want)) {
			t.Errorf("message %d carries another event", i)
		}
		if peek[i].Seq != m.Seq || peek[i].Handle != "" {
			t.Errorf("peek %d: %+v", i, peek[i])
		}
	}
	if len(q.Peek(0)) != 0 {
		t.Error("peek after the pull still shows events")
	}
}

func TestQueueLongPoll(t *testing.T) {
	t.Run("returns as soon as an event arrives", func(t *testing.T) {
		q := NewQueue(Config{})
		done := make(chan []Message)
		go func() {
			m, _ := q.Pull(context.Background(), 0, time.Hour)
			done <- m
		}()
		waitHeld(t, q, 1)
		q.AddFrom(testGen(t), 0, 1)
		// Held an hour otherwise: returning at all is the answer.
		select {
		case m := <-done:
			if len(m) != 1 {
				t.Fatalf("got %d events", len(m))
			}
		case <-time.After(30 * time.Second):
			t.Fatal("held poll did not return")
		}
	})
	t.Run("empty wait ends after the wait", func(t *testing.T) {
		q := NewQueue(Config{Wait: 50 * time.Millisecond})
		start := time.Now()
		m, err := q.Pull(context.Background(), 0, -1)
		if err != nil || len(m) != 0 {
			t.Fatalf("got %v, %v", m, err)
		}
		if d := time.Since(start); d < 50*time.Millisecond {
			t.Errorf("returned after %v", d)
		}
	})
	t.Run("close releases held polls", func(t *testing.T) {
		q := NewQueue(Config{})
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q.Pull(context.Background(), 0, time.Minute)
			}()
		}
		waitHeld(t, q, 8)
		q.Close()
		q.Close()
		waitOrFail(t, &wg, 30*time.Second)
	})
	t.Run("cancel returns ctx.Err", func(t *testing.T) {
		q := NewQueue(Config{})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, err := q.Pull(ctx, 0, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a held poll gets an event whose window passes", func(t *testing.T) {
		q := NewQueue(Config{ConfirmWindow: 50 * time.Millisecond})
		q.AddFrom(testGen(t), 0, 1)
		first, _ := q.Pull(context.Background(), 0, 0)
		m, _ := q.Pull(context.Background(), 0, 5*time.Second)
		if len(first) != 1 || len(m) != 1 || m[0].Seq != 1 || m[0].Deliveries != 2 {
			t.Fatalf("got %+v", m)
		}
	})
}

// waitHeld waits, up to 30 s, until n pulls are held open on q.
func waitHeld(t *testing.T, q *Queue, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		q.mu.Lock()
		held := q.waiters
		q.mu.Unlock()
		if held >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pulls held after 30s, want %d", held, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func waitOrFail(t *testing.T, wg *sync.WaitGroup, d time.Duration) {
	t.Helper()
	c := make(chan struct{})
	go func() { wg.Wait(); close(c) }()
	select {
	case <-c:
	case <-time.After(d):
		t.Fatal("goroutines did not finish")
	}
}

// TestQueueDrainConcurrent drains 100,000 events with 32 pollers that each
// leave a share of their deliveries unconfirmed: none is lost, none
// confirmed twice, and every one left unconfirmed comes back after the
// window.
func TestQueueDrainConcurrent(t *testing.T) {
	const n = 30_000
	const pollers = 32
	clk := newFakeClock()
	q := NewQueue(Config{Clock: clk})
	q.AddFrom(generator.NewReplay([]generator.Event{testGen(t).Event(0)}), 0, n)

	confirmed := make([]atomic.Int32, n+1)
	skipped := make([]atomic.Int32, n+1) // deliveries left unconfirmed
	var mu sync.Mutex
	var firstPassSkipped []uint64
	run := func(skip bool) {
		var wg sync.WaitGroup
		for p := range pollers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; ; k++ {
					ms, err := q.Pull(context.Background(), 0, 0)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ms) == 0 {
						return
					}
					var hs []string
					for _, m := range ms {
						if skip && (m.Seq*7+uint64(p))%10 == 0 {
							skipped[m.Seq].Add(1)
							mu.Lock()
							firstPassSkipped = append(firstPassSkipped, m.Seq)
							mu.Unlock()
							continue
						}
						hs = append(hs, m.Handle)
						confirmed[m.Seq].Add(1)
					}
					if len(hs) > 0 {
						if err := q.Confirm(hs...); err != nil {
							t.Error(err)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
	}
	run(true)
	if len(firstPassSkipped) == 0 {
		t.Fatal("no delivery was left unconfirmed")
	}
	if s := q.Stats(); s.InFlight != len(firstPassSkipped) || s.Available != 0 {
		t.Fatalf("after the first pass: %+v, %d skipped", s, len(firstPassSkipped))
	}
	clk.Advance(DefaultConfirmWindow)
	run(false)
	for seq := 1; seq <= n; seq++ {
		if c := confirmed[seq].Load(); c != 1 {
			t.Fatalf("event %d confirmed %d times", seq, c)
		}
	}
	s := q.Stats()
	want := Stats{Enqueued: n, Confirmed: n, Redelivered: uint64(len(firstPassSkipped)), Pulls: s.Pulls}
	if s != want {
		t.Fatalf("stats %+v, want %+v", s, want)
	}
}

// TestQueueStatsAddUp: every event enqueued is available, in flight,
// confirmed or expired, at every moment, including events that came back
// after a missed confirm window and then outlived the retention.
func TestQueueStatsAddUp(t *testing.T) {
	clk := newFakeClock()
	q := NewQueue(Config{Clock: clk, ConfirmWindow: time.Minute, Retention: time.Hour})
	check := func(when string) {
		t.Helper()
		s := q.Stats()
		if sum := uint64(s.Available) + uint64(s.InFlight) + s.Confirmed + s.Expired; sum != s.Enqueued {
			t.Errorf("%s: available %d + in flight %d + confirmed %d + expired %d = %d, want enqueued %d",
				when, s.Available, s.InFlight, s.Confirmed, s.Expired, sum, s.Enqueued)
		}
	}
	q.AddFrom(testGen(t), 0, 10)
	ms := pullNow(t, q, 4)
	if err := q.Confirm(ms[0].Handle); err != nil {
		t.Fatal(err)
	}
	check("after a pull and a confirm")
	clk.Advance(2 * time.Minute) // three events come back
	check("after the window")
	clk.Advance(time.Hour) // every unconfirmed event is too old
	check("after the retention")
	if s := q.Stats(); s.Expired != 9 || s.Available != 0 {
		t.Errorf("expired %d, available %d: want 9 and 0", s.Expired, s.Available)
	}
}

// No event has a Seq above the largest uint64: a page after it is empty,
// not the first page again (after+1 wraps to 0).
func TestPeekAfterLast(t *testing.T) {
	q := NewQueue(Config{Clock: newFakeClock()})
	q.AddFrom(testGen(t), 0, 3)
	if got := q.PeekAfter(math.MaxUint64, 0); len(got) != 0 {
		t.Errorf("PeekAfter(MaxUint64) gave seqs %v, want none", seqs(got))
	}
	if got := q.PeekAfter(2, 0); !equalU64(seqs(got), []uint64{3}) {
		t.Errorf("PeekAfter(2) gave seqs %v, want [3]", seqs(got))
	}
}
