package pullevent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// dumpState describes everything a restart must bring back: the slots
// (from the first not done), what is waiting, in flight (handles,
// deadlines, in pull order), the counters but pulls, the fill cursor and
// the injected events.
func dumpState(q *Queue) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var b strings.Builder
	lead := 0
	for lead < len(q.slots) && q.slots[lead].state == stDone {
		lead++
	}
	st := q.stats
	st.Pulls = 0
	fmt.Fprintf(&b, "seq %d base %d next %d stats %+v fill %v\n", q.seq, q.sbase+uint64(lead), q.next, st, q.fillEnd)
	for i, s := range q.slots[lead:] {
		seq := q.sbase + uint64(lead+i)
		if s.state == stDone {
			fmt.Fprintf(&b, "%d done\n", seq)
			continue
		}
		fmt.Fprintf(&b, "%d %d src %d idx %d added %d deliveries %d", seq, s.state, s.src, s.idx, s.added, s.deliveries)
		if ev := q.injected[seq]; ev != nil {
			fmt.Fprintf(&b, " injected %s", ev.TaskID)
		}
		b.WriteByte('\n')
	}
	back := slices.Clone([]uint64(q.back))
	slices.Sort(back)
	fmt.Fprintf(&b, "back %v\n", back)
	for _, f := range q.timeline[q.thead:] {
		if seq, ok := q.inflight[f.handle]; ok && seq == f.seq {
			fmt.Fprintf(&b, "flight %d %s %d\n", f.seq, f.handle, f.deadline.UnixNano())
		}
	}
	fmt.Fprintf(&b, "in flight %d injected %d\n", len(q.inflight), len(q.injected))
	return b.String()
}

// scenario is a queue with a state file in every state an event can be in:
// waiting, in flight, back after a missed window (delivered twice),
// confirmed in and out of order, injected, from two fills.
type scenario struct {
	q         *Queue
	path      string
	now       *time.Time
	clk       Clock
	g         *generator.Generator
	confirmed map[string]bool // task IDs
	inflight  []Message
	total     int // events added
}

func newScenario(t *testing.T) *scenario {
	t.Helper()
	now := time.Unix(1_800_000_000, 0)
	s := &scenario{now: &now, g: testGen(t), confirmed: map[string]bool{}, total: 152}
	s.clk = ClockFunc(func() time.Time { return *s.now })
	s.path = filepath.Join(t.TempDir(), "q.state")
	s.q, _ = openState(t, s.path, s.clk, s.g)
	s.q.journal.(*stateLog).min = 1 << 40 // compact only when a test says
	s.q.AddFrom(s.g, 0, 120)
	s.q.Add(s.g.Event(900), s.g.Event(901))
	for round := range 4 {
		if round == 2 {
			now = now.Add(31 * time.Second) // the unconfirmed come back
			s.q.AddFrom(s.g, 120, 30)
			s.inflight = nil
		}
		for range 3 {
			msgs := pullNow(t, s.q, 8)
			for i, m := range msgs {
				if i%3 == 1 {
					s.inflight = append(s.inflight, m)
					continue
				}
				if err := s.q.Confirm(m.Handle); err != nil {
					t.Fatal(err)
				}
				s.confirmed[m.Event.TaskID] = true
			}
		}
		now = now.Add(time.Second)
	}
	return s
}

// reopen opens the file as a restart after a crash would, leaving q as is.
func (s *scenario) reopen(t *testing.T) *Queue {
	t.Helper()
	q, isNew := openState(t, s.path, s.clk, s.g)
	if isNew {
		t.Fatal("an existing file is new")
	}
	return q
}

// drain checks exactly-once: after the window every event not confirmed
// comes back once, and no confirmed one does.
func (s *scenario) drain(t *testing.T, q *Queue) {
	t.Helper()
	*s.now = s.now.Add(time.Minute)
	seen := map[string]int{}
	for {
		msgs := pullNow(t, q, 0)
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			seen[m.Event.TaskID]++
			if err := q.Confirm(m.Handle); err != nil {
				t.Fatal(err)
			}
		}
	}
	for id, n := range seen {
		if s.confirmed[id] || n != 1 {
			t.Errorf("event %s came back %d times (confirmed before: %v)", id, n, s.confirmed[id])
		}
	}
	if len(seen)+len(s.confirmed) != s.total {
		t.Errorf("%d came back and %d were confirmed, want %d in all", len(seen), len(s.confirmed), s.total)
	}
}

func compactNow(t *testing.T, q *Queue) {
	t.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.journal.(*stateLog).compactLocked(0); err != nil {
		t.Fatal(err)
	}
}

func TestStateCompactRestart(t *testing.T) {
	s := newScenario(t)
	live := dumpState(s.q)
	stats := s.q.Stats()
	if stats.InFlight == 0 || stats.Redelivered == 0 || stats.Available == 0 {
		t.Fatalf("the scenario misses a state: %+v", stats)
	}
	logCopy := filepath.Join(t.TempDir(), "log.state")
	b, _ := os.ReadFile(s.path)
	os.WriteFile(logCopy, b, 0o644)

	compactNow(t, s.q)
	fi, _ := os.Stat(s.path)
	t.Logf("log %d bytes, snapshot %d bytes", len(b), fi.Size())
	if fi.Size() >= int64(len(b)) {
		t.Errorf("snapshot %d bytes, log %d", fi.Size(), len(b))
	}
	if got := dumpState(s.q); got != live {
		t.Fatalf("compaction changed the queue:\n%s\nwas\n%s", got, live)
	}
	// A copy, for s.q goes on below: two queues cannot hold one file.
	snapCopy := filepath.Join(t.TempDir(), "snap.state")
	b2, _ := os.ReadFile(s.path)
	os.WriteFile(snapCopy, b2, 0o644)
	q2, _ := openState(t, snapCopy, s.clk, s.g)
	if got := dumpState(q2); got != live {
		t.Errorf("restart from the snapshot:\n%s\nwant\n%s", got, live)
	}
	if st := q2.Stats(); st != stats {
		t.Errorf("stats %+v, want %+v", st, stats)
	}
	q3, _ := openState(t, logCopy, s.clk, s.g)
	if got := dumpState(q3); got != live {
		t.Errorf("restart from the log:\n%s\nwant\n%s", got, live)
	}

	// Changes after the snapshot are appended and replayed after it.
	if err := s.q.Confirm(s.inflight[0].Handle); err != nil {
		t.Fatal(err)
	}
	s.confirmed[s.inflight[0].Event.TaskID] = true
	for _, m := range pullNow(t, s.q, 2) {
		s.q.Confirm(m.Handle)
		s.confirmed[m.Event.TaskID] = true
	}
	s.q.Add(s.g.Event(902))
	s.total++
	live = dumpState(s.q)
	q4 := s.reopen(t)
	if got := dumpState(q4); got != live {
		t.Errorf("restart from the snapshot and records:\n%s\nwant\n%s", got, live)
	}
	s.drain(t, q4)
}

// A crash at each step of a compaction (a hook panics there, as if the
// process died) leaves a file that restarts to the state before it, and
// the confirm that triggered it, never answered, is not confirmed.
func TestStateCompactCrash(t *testing.T) {
	for _, step := range []string{"written", "synced", "renamed", "dir-synced", ""} {
		t.Run("crash-at-"+step, func(t *testing.T) {
			s := newScenario(t)
			before := dumpState(s.q)
			l := s.q.journal.(*stateLog)
			l.min = 1 // the next change compacts
			l.crash = func(at string) {
				if at == step {
					panic("crash at " + at)
				}
			}
			m := s.inflight[0]
			answered := func() (ok bool) {
				defer func() {
					if r := recover(); r != nil {
						ok = false
					}
				}()
				return s.q.Confirm(m.Handle) == nil
			}()
			if answered != (step == "") {
				t.Fatalf("confirm answered: %v", answered)
			}
			if step != "" && step != "dir-synced" && l.compactions != 0 {
				t.Fatalf("%d compactions", l.compactions)
			}
			if answered {
				s.confirmed[m.Event.TaskID] = true
				before = dumpState(s.q)
			}
			_, err := os.Stat(s.path + ".compact")
			if leftover := err == nil; leftover != (step == "written" || step == "synced") {
				t.Errorf("a leftover FILE.compact: %v", leftover)
			}
			q := s.reopen(t)
			if got := dumpState(q); got != before {
				t.Errorf("restart:\n%s\nwant\n%s", got, before)
			}
			if _, err := os.Stat(s.path + ".compact"); err == nil {
				t.Error("the leftover FILE.compact was not removed at start")
			}
			s.drain(t, q)
		})
	}
}

// The file stays bounded over many round trips: about twice the snapshot
// plus the minimum growth, in bytes.
func TestStateCompactBounded(t *testing.T) {
	g := testGen(t)
	path := filepath.Join(t.TempDir(), "q.state")
	q, _ := openState(t, path, nil, g)
	l := q.journal.(*stateLog)
	l.min = 16 << 10
	const events = 20_000
	q.AddFrom(g, 0, events)
	var maxOff, maxSnap, written int64
	last := l.off
	for i := 0; ; i++ {
		msgs, err := q.Pull(context.Background(), 1+i%4, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			break
		}
		hs := make([]string, len(msgs))
		for j := range msgs {
			hs[j] = msgs[j].Handle
		}
		if i%2 == 0 {
			if err := q.Confirm(hs...); err != nil {
				t.Fatal(err)
			}
		} else {
			for _, h := range hs {
				if err := q.Confirm(h); err != nil {
					t.Fatal(err)
				}
			}
		}
		if l.off > last {
			written += l.off - last
		}
		last = l.off
		maxOff, maxSnap = max(maxOff, l.off), max(maxSnap, l.snap)
	}
	fi, _ := os.Stat(path)
	t.Logf("%d compactions; file at most %d bytes (snapshot at most %d) of about %d written; now %d", l.compactions, maxOff, maxSnap, written, fi.Size())
	if bound := 2*maxSnap + l.min + 1024; maxOff > bound || fi.Size() > bound {
		t.Errorf("the file reached %d bytes (now %d), want at most %d", maxOff, fi.Size(), bound)
	}
	if l.compactions < int(written/(2*l.min)) {
		t.Errorf("%d compactions for %d bytes written", l.compactions, written)
	}
	// A crash now: the restart is the same queue, every event confirmed.
	live, stats := dumpState(q), q.Stats()
	q2, _ := openState(t, path, nil, g)
	if got := dumpState(q2); got != live {
		t.Errorf("restart:\n%s\nwant\n%s", got, live)
	}
	if st := q2.Stats(); st.Confirmed != events || st.Available+st.InFlight != 0 || st.Pulls != stats.Pulls-1 {
		// The last, empty pull is not recorded.
		t.Errorf("after restart %+v, before %+v", st, stats)
	}
}

// A clean close and a start compact a log that is mostly dead.
func TestStateCompactCloseAndOpen(t *testing.T) {
	g := testGen(t)
	path := filepath.Join(t.TempDir(), "q.state")
	q, _ := openState(t, path, nil, g)
	q.AddFrom(g, 0, 5000)
	for range 2000 {
		for _, m := range pullNow(t, q, 1) {
			q.Confirm(m.Handle)
		}
	}
	live := dumpState(q)
	logCopy := filepath.Join(t.TempDir(), "log.state")
	b, _ := os.ReadFile(path)
	os.WriteFile(logCopy, b, 0o644)
	if err := q.CloseState(); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]string{"closed": path, "opened": logCopy} {
		q2, _ := openState(t, p, nil, g)
		fi, _ := os.Stat(p)
		if fi.Size() > 1024 {
			t.Errorf("%s: the file is %d bytes (the log was %d)", name, fi.Size(), len(b))
		}
		if got := dumpState(q2); got != live {
			t.Errorf("%s: restart:\n%s\nwant\n%s", name, got, live)
		}
		q2.CloseState()
	}
}

// A compacted file: its last record torn is cut off as before; a file
// that ends inside its snapshot, or whose snapshot is corrupt, is an error.
func TestStateCompactTornAndCorrupt(t *testing.T) {
	s := newScenario(t)
	compactNow(t, s.q)
	snapEnd := s.q.journal.(*stateLog).snap
	s.q.Confirm(s.inflight[0].Handle)
	whole, _ := os.Stat(s.path)
	s.q.Confirm(s.inflight[1].Handle)
	b, _ := os.ReadFile(s.path)
	dir := t.TempDir()
	for cut := whole.Size() + 1; cut < int64(len(b)); cut++ {
		p := filepath.Join(dir, "torn.state")
		os.WriteFile(p, b[:cut], 0o644)
		q, _ := openState(t, p, s.clk, s.g)
		if fi, _ := os.Stat(p); fi.Size() != whole.Size() {
			t.Errorf("cut at %d: file is %d bytes, want %d", cut, fi.Size(), whole.Size())
		}
		if err := q.Confirm(s.inflight[1].Handle); err != nil {
			t.Errorf("cut at %d: the torn confirm's handle: %v", cut, err)
		}
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"ends inside the snapshot", b[:snapEnd-3]},
		{"ends after a snapshot record", b[:len(stateMagic)+8+int(leU32(b[len(stateMagic):]))]},
		{"corrupt snapshot", flip(b, int(snapEnd)-5)},
	} {
		p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-"))
		os.WriteFile(p, c.data, 0o644)
		_, err := NewQueue(Config{}).OpenState(p, false, s.g)
		if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", c.name, err)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
	}
}

func leU32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func flip(b []byte, i int) []byte {
	c := slices.Clone(b)
	c[i] ^= 0xff
	return c
}

// BenchmarkStateRestart measures a start from a state file after 50,000
// round trips of one event (50,000 events still waiting, 1,000 in
// flight): from the whole log (the start also compacts it), and from the
// compacted file.
func BenchmarkStateRestart(b *testing.B) {
	g, _ := generator.New(generator.Config{Seed: 1})
	dir := b.TempDir()
	logPath := filepath.Join(dir, "log.state")
	q := NewQueue(Config{})
	if _, err := q.OpenState(logPath, false, g); err != nil {
		b.Fatal(err)
	}
	q.journal.(*stateLog).min = 1 << 40
	const roundTrips = 50_000
	q.AddFrom(g, 0, 2*roundTrips+1000)
	for range roundTrips {
		msgs, _ := q.Pull(context.Background(), 1, 0)
		q.Confirm(msgs[0].Handle)
	}
	for range 1000 / 16 {
		q.Pull(context.Background(), 16, 0)
	}
	logBytes, _ := os.ReadFile(logPath)
	snapPath := filepath.Join(dir, "snap.state")
	os.WriteFile(snapPath, logBytes, 0o644)
	q2 := NewQueue(Config{})
	if _, err := q2.OpenState(snapPath, false, g); err != nil { // compacts
		b.Fatal(err)
	}
	q2.CloseState()
	snapBytes, _ := os.ReadFile(snapPath)
	for _, c := range []struct {
		name string
		data []byte
	}{{"log", logBytes}, {"compacted", snapBytes}} {
		b.Run(c.name, func(b *testing.B) {
			p := filepath.Join(b.TempDir(), "q.state")
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				os.WriteFile(p, c.data, 0o644)
				b.StartTimer()
				q := NewQueue(Config{})
				if _, err := q.OpenState(p, false, g); err != nil {
					b.Fatal(err)
				}
				q.CloseState()
			}
			b.ReportMetric(float64(len(c.data)), "file-bytes")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/roundTrips, "ns/roundtrip")
		})
	}
}

// A compaction that fails (FILE.compact cannot be made) leaves the log in
// use, whole: confirms are still answered and kept.
func TestStateCompactFails(t *testing.T) {
	s := newScenario(t)
	if err := os.Mkdir(s.path+".compact", 0o755); err != nil {
		t.Fatal(err)
	}
	l := s.q.journal.(*stateLog)
	l.min = 1
	for _, m := range s.inflight[:2] {
		if err := s.q.Confirm(m.Handle); err != nil {
			t.Fatal(err)
		}
		s.confirmed[m.Event.TaskID] = true
	}
	if l.compactions != 0 || l.retry == 0 {
		t.Fatalf("%d compactions, retry at %d", l.compactions, l.retry)
	}
	live := dumpState(s.q)
	q := s.reopen(t)
	if got := dumpState(q); got != live {
		t.Errorf("restart:\n%s\nwant\n%s", got, live)
	}
	s.drain(t, q)
}
