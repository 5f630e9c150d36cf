package pullevent

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// openState opens path for a new queue on clk, as a restart would: the
// queue openState opened on path before, if any, crashes first.
func openState(t *testing.T, path string, clk Clock, src generator.Source) (*Queue, bool) {
	t.Helper()
	if old, ok := opened.Load(path); ok {
		crash(old.(*Queue))
	}
	q := NewQueue(Config{Clock: clk, ConfirmWindow: 30 * time.Second})
	isNew, err := q.OpenState(path, false, src)
	if err != nil {
		t.Fatal(err)
	}
	opened.Store(path, q)
	return q, isNew
}

// opened holds the queue openState last opened on each path.
var opened sync.Map

// crash ends q's hold on its state file as the end of its process would:
// the file is closed (and so unlocked) as it is, without CloseState's
// compaction, and q keeps no more changes.
func crash(q *Queue) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if l, ok := q.journal.(*stateLog); ok {
		l.f.Close()
	}
	q.journal = nil
}

func TestStateSurvivesRestart(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clk := ClockFunc(func() time.Time { return now })
	g := testGen(t)
	path := filepath.Join(t.TempDir(), "q.state")
	q, isNew := openState(t, path, clk, g)
	if !isNew {
		t.Fatal("a new file is not new")
	}
	q.AddFrom(g, 0, 100)
	q.Add(g.Event(500)) // injected
	confirmed := map[string]bool{}
	var inflight []Message
	for range 3 {
		msgs, _ := q.Pull(context.Background(), 0, 0)
		for i, m := range msgs {
			if i%2 == 0 {
				if err := q.Confirm(m.Handle); err != nil {
					t.Fatal(err)
				}
				confirmed[m.Event.TaskID] = true
			} else {
				inflight = append(inflight, m)
			}
		}
	}
	before := q.Stats()
	// A crash: the file is left as is (no CloseState).

	q2, isNew := openState(t, path, clk, g)
	if isNew {
		t.Fatal("an existing file is new")
	}
	after := q2.Stats()
	if after != before {
		t.Errorf("stats after restart %+v, before %+v", after, before)
	}
	// The in-flight handles still confirm within their window.
	if err := q2.Confirm(inflight[0].Handle); err != nil {
		t.Errorf("in-flight handle after restart: %v", err)
	}
	confirmed[inflight[0].Event.TaskID] = true
	// After the window the others come back; the confirmed never do.
	now = now.Add(31 * time.Second)
	seen := map[string]int{}
	for {
		msgs, _ := q2.Pull(context.Background(), 0, 0)
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			seen[m.Event.TaskID]++
			q2.Confirm(m.Handle)
		}
	}
	for id := range confirmed {
		if seen[id] > 0 {
			t.Errorf("confirmed event %s came back", id)
		}
	}
	if len(seen)+len(confirmed) != 101 {
		t.Errorf("%d events came back and %d were confirmed, want 101 in all", len(seen), len(confirmed))
	}
}

func TestStateTornTail(t *testing.T) {
	g := testGen(t)
	path := filepath.Join(t.TempDir(), "q.state")
	q, _ := openState(t, path, nil, g)
	q.AddFrom(g, 0, 10)
	msgs, _ := q.Pull(context.Background(), 2, 0)
	q.Confirm(msgs[0].Handle)
	whole, _ := os.Stat(path)
	q.Confirm(msgs[1].Handle)
	full, _ := os.Stat(path)
	// The crash tore the last record: any cut inside it.
	for cut := whole.Size() + 1; cut < full.Size(); cut++ {
		b, _ := os.ReadFile(path)
		p2 := filepath.Join(t.TempDir(), "torn.state")
		os.WriteFile(p2, b[:cut], 0o644)
		q2, _ := openState(t, p2, nil, g)
		if st := q2.Stats(); st.Confirmed != 1 || st.InFlight != 1 || st.Available != 8 {
			t.Errorf("cut at %d: %+v", cut, st)
		}
		if fi, _ := os.Stat(p2); fi.Size() != whole.Size() {
			t.Errorf("cut at %d: file is %d bytes, want the %d of the whole records", cut, fi.Size(), whole.Size())
		}
	}
	// A last record whose bytes are all there but wrong is torn too.
	b, _ := os.ReadFile(path)
	b[len(b)-1] ^= 0xff
	p3 := filepath.Join(t.TempDir(), "flipped.state")
	os.WriteFile(p3, b, 0o644)
	if q3, _ := openState(t, p3, nil, g); q3.Stats().Confirmed != 1 {
		t.Errorf("flipped last record: %+v", q3.Stats())
	}
}

func TestStateCorrupt(t *testing.T) {
	g := testGen(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "q.state")
	q, _ := openState(t, path, nil, g)
	q.AddFrom(g, 0, 10)
	msgs, _ := q.Pull(context.Background(), 2, 0)
	q.Confirm(msgs[0].Handle)
	q.Confirm(msgs[1].Handle)
	b, _ := os.ReadFile(path)
	mid := append([]byte(nil), b...)
	mid[len(stateMagic)+12] ^= 0xff // inside the first record
	for name, data := range map[string][]byte{
		"not a state file": []byte("hello: world\n"),
		"corrupt middle":   mid,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		os.WriteFile(p, data, 0o644)
		q2 := NewQueue(Config{})
		_, err := q2.OpenState(p, false, g)
		if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", name, err)
		}
		if got, _ := os.ReadFile(p); string(got) != string(data) {
			t.Errorf("%s: the file was changed", name)
		}
	}
}

// fullDisk fails every write as a full disk does.
type fullDisk struct{ stateFile }

func (fullDisk) Write([]byte) (int, error) { return 3, syscall.ENOSPC }

func TestStateFullDiskConfirm(t *testing.T) {
	g := testGen(t)
	path := filepath.Join(t.TempDir(), "q.state")
	q, _ := openState(t, path, nil, g)
	q.AddFrom(g, 0, 4)
	msgs, _ := q.Pull(context.Background(), 1, 0)
	l := q.journal.(*stateLog)
	real := l.f
	l.f = fullDisk{real}
	err := q.Confirm(msgs[0].Handle)
	if err == nil || !errors.Is(err, syscall.ENOSPC) || errors.Is(err, ErrHandle) {
		t.Fatalf("confirm on a full disk: %v", err)
	}
	if st := q.Stats(); st.Confirmed != 0 || st.InFlight != 1 {
		t.Errorf("a failed confirm changed the queue: %+v", st)
	}
	// Space again: the same handle confirms, and the file replays whole.
	l.f = real
	if err := q.Confirm(msgs[0].Handle); err != nil {
		t.Fatal(err)
	}
	q2, _ := openState(t, path, nil, g)
	if st := q2.Stats(); st.Confirmed != 1 || st.Available != 3 {
		t.Errorf("after restart %+v", st)
	}
}

// FuzzStateFile: any file content either opens (a torn tail cut off) or is
// an error wrapping ErrState; it never panics.
func FuzzStateFile(f *testing.F) {
	g, _ := generator.New(generator.Config{Seed: 1})
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.state")
	q := NewQueue(Config{})
	if _, err := q.OpenState(path, false, g); err != nil {
		f.Fatal(err)
	}
	q.AddFrom(g, 0, 5)
	q.Add(g.Event(9))
	msgs, _ := q.Pull(context.Background(), 3, 0)
	q.Confirm(msgs[0].Handle)
	q.Reset()
	q.AddFrom(g, 5, 2)
	q.CloseState()
	b, _ := os.ReadFile(path)
	f.Add(b)
	// The same compacted: a snapshot, then a few records.
	q = NewQueue(Config{})
	if _, err := q.OpenState(path, false, g); err != nil {
		f.Fatal(err)
	}
	q.AddFrom(g, 7, 3)
	msgs, _ = q.Pull(context.Background(), 2, 0)
	q.mu.Lock()
	if err := q.journal.(*stateLog).compactLocked(0); err != nil {
		f.Fatal(err)
	}
	q.mu.Unlock()
	q.Confirm(msgs[0].Handle)
	q.Add(g.Event(10))
	q.CloseState()
	b, _ = os.ReadFile(path)
	f.Add(b)
	f.Add([]byte(stateMagic))
	f.Add([]byte("not a state file"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.state")
		os.WriteFile(p, data, 0o644)
		q := NewQueue(Config{MaxQueue: 1000}) // a fill past it is an error, not minutes of work
		_, err := q.OpenState(p, false, g)
		if err != nil {
			if !errors.Is(err, ErrState) {
				t.Fatalf("not ErrState: %v", err)
			}
			return
		}
		q.Stats()
		q.Peek(10)
		q.CloseState()
	})
}

// TestStateOtherSources: a state file restarted with a source that makes
// other events (another seed, say) is refused with ErrSources, before and
// after a compaction, and the file is left as it was; with the source it
// was made from it opens.
func TestStateOtherSources(t *testing.T) {
	clk := ClockFunc(func() time.Time { return time.Unix(1_800_000_000, 0) })
	g := testGen(t)
	other, err := generator.New(generator.Config{Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "q.state")
	q, _ := openState(t, path, clk, g)
	q.AddFrom(g, 0, 10)
	for _, compacted := range []bool{false, true} {
		if compacted {
			q, _ = openState(t, path, clk, g)
			compactNow(t, q)
		}
		q.CloseState()
		before, _ := os.ReadFile(path)
		_, err := NewQueue(Config{Clock: clk}).OpenState(path, false, other)
		if !errors.Is(err, ErrSources) || !strings.Contains(err.Error(), path) {
			t.Errorf("compacted %v: reopened with another seed: %v, want ErrSources naming the file", compacted, err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("compacted %v: the refused open changed the file", compacted)
		}
		q2, _ := openState(t, path, clk, g)
		if st := q2.Stats(); st.Available != 10 {
			t.Errorf("compacted %v: reopened with its own source: %d available, want 10", compacted, st.Available)
		}
		q2.CloseState()
	}
}

// An event added with its content (injected) comes back from the state
// file as it was added, in both APIs' forms: a 3.0 sprite event's
// WebVttUrl, which the 4.0 form carries only as an option, and a catalog
// event of another type, whose 3.0 member PullEvents gives (only one form
// of such an event is kept). Both the log and a compacted snapshot keep
// them.
func TestStateKeepsInjectedEvents(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clk := ClockFunc(func() time.Time { return now })
	g := testGen(t)
	pc, err := generator.New(generator.Config{Seed: 2, Outcomes: []generator.Outcome{{Weight: 1, EventType: "PullComplete"}}})
	if err != nil {
		t.Fatal(err)
	}
	v3 := generator.Encoding{Format: generator.FormatV3}
	sprite := g.Event(3)
	injected, _, _, err := generator.Decode(v3.Marshal(&sprite))
	if err != nil {
		t.Fatal(err)
	}
	if injected.WebVTTURL == "" {
		t.Fatal("the 3.0 sprite event has no WebVttUrl")
	}
	forms := func(q *Queue) []string {
		var out []string
		for _, m := range q.Peek(0) {
			out = append(out, string(generator.AppendEventContent(nil, &m.Event, "")))
			if m.Event.Kind == nil {
				out = append(out, string(generator.Encoding{Format: generator.FormatV4, WebVTT: true}.Marshal(&m.Event)))
			}
		}
		return out
	}
	for _, compact := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "q.state")
		q, _ := openState(t, path, clk, g)
		if err := q.Add(injected, pc.Event(0)); err != nil {
			t.Fatal(err)
		}
		if compact {
			compactNow(t, q)
		}
		before := forms(q)
		q2, _ := openState(t, path, clk, g)
		after := forms(q2)
		if len(after) != len(before) {
			t.Fatalf("compact %v: %d events after a restart, %d before", compact, len(after), len(before))
		}
		for i := range before {
			if after[i] != before[i] {
				t.Errorf("compact %v: event form %d after a restart\n%s\nbefore\n%s", compact, i, after[i], before[i])
			}
		}
	}
}

// A state file is kept by one queue at a time: a second OpenState of it
// (another vodsim serve given the same --state) is refused and leaves the
// file as it is, also after the holder compacted it (renamed a new file
// over it). Once the holder closes it, or its process ends, it opens.
func TestStateFileInUse(t *testing.T) {
	clk := ClockFunc(func() time.Time { return time.Unix(1_800_000_000, 0) })
	g := testGen(t)
	path := filepath.Join(t.TempDir(), "q.state")
	q := NewQueue(Config{Clock: clk})
	if _, err := q.OpenState(path, false, g); err != nil {
		t.Fatal(err)
	}
	q.AddFrom(g, 0, 10)
	for _, compacted := range []bool{false, true} {
		if compacted {
			compactNow(t, q)
		}
		before, _ := os.ReadFile(path)
		_, err := NewQueue(Config{Clock: clk}).OpenState(path, false, g)
		if !errors.Is(err, ErrStateInUse) || !strings.Contains(err.Error(), path) {
			t.Errorf("compacted %v: a second open: %v, want ErrStateInUse naming the file", compacted, err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("compacted %v: the refused open changed the file", compacted)
		}
	}
	// The holder still keeps its changes in the file in place.
	msgs := pullNow(t, q, 1)
	if err := q.Confirm(msgs[0].Handle); err != nil {
		t.Fatal(err)
	}
	if err := q.CloseState(); err != nil {
		t.Fatal(err)
	}
	q2 := NewQueue(Config{Clock: clk})
	if _, err := q2.OpenState(path, false, g); err != nil {
		t.Fatalf("after the holder closed it: %v", err)
	}
	if st := q2.Stats(); st.Confirmed != 1 || st.Available != 9 {
		t.Errorf("reopened: %+v, want 1 confirmed and 9 available", st)
	}
	crash(q2)
	if _, err := NewQueue(Config{Clock: clk}).OpenState(path, false, g); err != nil {
		t.Errorf("after the holder's process ended: %v", err)
	}
}

// A restart with a shorter confirm window keeps what was confirmed: each
// pull's own time is recorded, not taken from its deadline and the new
// window, which made a later pull look late enough to take back events
// confirmed after it.
func TestStateWindowChanged(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clk := ClockFunc(func() time.Time { return now })
	g := testGen(t)
	path := filepath.Join(t.TempDir(), "q.state")
	q := NewQueue(Config{Clock: clk, ConfirmWindow: time.Minute})
	if _, err := q.OpenState(path, false, g); err != nil {
		t.Fatal(err)
	}
	q.AddFrom(g, 0, 40)
	first, _ := q.Pull(context.Background(), 0, 0)
	now = now.Add(45 * time.Second)
	q.Pull(context.Background(), 0, 0)
	now = now.Add(5 * time.Second) // 50 s after the first pull: within its window
	for _, m := range first {
		if err := q.Confirm(m.Handle); err != nil {
			t.Fatal(err)
		}
	}
	before := q.Stats()
	crash(q)

	q2 := NewQueue(Config{Clock: clk, ConfirmWindow: 30 * time.Second})
	if _, err := q2.OpenState(path, false, g); err != nil {
		t.Fatal(err)
	}
	defer crash(q2)
	if after := q2.Stats(); after.Confirmed != before.Confirmed {
		t.Fatalf("confirmed %d after the restart, %d before", after.Confirmed, before.Confirmed)
	}
	now = now.Add(2 * time.Minute) // every window has passed
	confirmed := map[uint64]bool{}
	for _, m := range first {
		confirmed[m.Seq] = true
	}
	for {
		msgs, _ := q2.Pull(context.Background(), 0, 0)
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			if confirmed[m.Seq] {
				t.Fatalf("event %d, confirmed before the restart, came back", m.Seq)
			}
			q2.Confirm(m.Handle)
		}
	}
}

// olderPulls records pulls as files written before 'Q' records did: 'P'
// records with their deadline alone.
type olderPulls struct{ *stateLog }

func (l olderPulls) pulled(msgs []Message, _, deadline time.Time) error {
	l.begin(recPull)
	l.u64(uint64(deadline.UnixNano()))
	l.u32(uint32(len(msgs)))
	for i := range msgs {
		l.u64(msgs[i].Seq)
		l.buf = append(l.buf, msgs[i].Handle...)
	}
	return l.commit(false)
}

// A file whose pulls are older 'P' records still opens, with what was
// confirmed confirmed and what is in flight in flight.
func TestStateOlderPullRecords(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clk := ClockFunc(func() time.Time { return now })
	g := testGen(t)
	path := filepath.Join(t.TempDir(), "q.state")
	q, _ := openState(t, path, clk, g)
	l := q.journal.(*stateLog)
	q.journal = olderPulls{l}
	q.AddFrom(g, 0, 40)
	first, _ := q.Pull(context.Background(), 0, 0)
	now = now.Add(10 * time.Second)
	second, _ := q.Pull(context.Background(), 0, 0)
	q.journal = l
	for _, m := range first {
		if err := q.Confirm(m.Handle); err != nil {
			t.Fatal(err)
		}
	}
	before := q.Stats()
	q2, _ := openState(t, path, clk, g)
	if after := q2.Stats(); after != before {
		t.Fatalf("stats after restart %+v, before %+v", after, before)
	}
	if err := q2.Confirm(second[0].Handle); err != nil {
		t.Errorf("in-flight handle after restart: %v", err)
	}
}
