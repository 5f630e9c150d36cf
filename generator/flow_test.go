package generator

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

var testFlows = []Flow{
	{Weight: 3, Steps: []Step{
		{EventType: "NewFileUpload"},
		{EventType: "ProcedureStateChanged", MinGap: 30 * time.Second, MaxGap: 5 * time.Minute, Changes: 2, FailureRatio: 0.2},
		{EventType: "FileDeleted", MinGap: time.Hour, MaxGap: 2 * time.Hour},
	}},
	{Weight: 1, Steps: []Step{
		{EventType: "PullComplete", FailureRatio: 0.3},
		{EventType: "ProcedureStateChanged", MinGap: time.Minute, MaxGap: 10 * time.Minute},
	}},
}

func TestFlowStream(t *testing.T) {
	g, err := New(Config{Seed: 4, Flows: testFlows, Spacing: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	evs := make([]Event, n)
	for i := range evs {
		g.Fill(&evs[i], uint64(i))
	}
	// In time order across files; within a file, in its flow's order.
	byFile := map[string][]Event{}
	for i, e := range evs {
		if i > 0 && e.Time.Before(evs[i-1].Time) {
			t.Fatalf("event %d at %v before event %d at %v", i, e.Time, i-1, evs[i-1].Time)
		}
		byFile[e.FileID] = append(byFile[e.FileID], e)
	}
	interleaved := false
	for i := 1; i < n; i++ {
		if evs[i].FileID != evs[i-1].FileID && len(byFile[evs[i].FileID]) > 1 && byFile[evs[i].FileID][0].Index < evs[i-1].Index {
			interleaved = true
		}
	}
	if !interleaved {
		t.Error("no two files' events interleave")
	}
	for id, fe := range byFile {
		for _, e := range fe[1:] {
			if e.TaskID != "" && e.TaskID == fe[0].TaskID && e.Kind != fe[0].Kind {
				t.Errorf("file %s: two steps share task id %s", id, e.TaskID)
			}
		}
	}
	// Each file: its flow's steps in order, a failure last, a task's
	// notifications one task id, PROCESSING ones before the FINISH one.
	v3 := Encoding{Format: FormatV3}
	var finished, failed int
	for f := uint64(0); f < 300; f++ {
		fe := g.FileFlow(f)
		first := fe[0].Event.Kind.Name
		if first != "NewFileUpload" && first != "PullComplete" {
			t.Fatalf("file %d starts with %s", f, first)
		}
		var psc []Event
		for j, x := range fe {
			e := x.Event
			if e.FileID != fe[0].Event.FileID {
				t.Errorf("file %d: file ids %s and %s", f, fe[0].Event.FileID, e.FileID)
			}
			if j > 0 && x.Offset < fe[j-1].Offset {
				t.Errorf("file %d: event %d at %v before event %d at %v", f, j, x.Offset, j-1, fe[j-1].Offset)
			}
			if e.Kind.Name == "ProcedureStateChanged" {
				psc = append(psc, e)
			}
			if e.Status != 0 && j != len(fe)-1 {
				t.Errorf("file %d: a failed %s is not the file's last event", f, e.Kind.Name)
			}
		}
		for k, e := range psc {
			b := v3.Marshal(&e)
			if e.TaskID != psc[0].TaskID {
				t.Errorf("file %d: the task's notifications have task ids %s and %s", f, psc[0].TaskID, e.TaskID)
			}
			last := k == len(psc)-1
			if fin := bytes.Contains(b, []byte(`"Status":"FINISH"`)); fin != last {
				t.Errorf("file %d: notification %d of %d: FINISH=%v", f, k, len(psc), fin)
			}
			if first == "NewFileUpload" && len(psc) != 3 {
				t.Errorf("file %d: %d notifications, want 3 (2 changes)", f, len(psc))
			}
			if last {
				finished++
				if e.Status != 0 {
					failed++
				}
			}
		}
	}
	if finished == 0 || failed == 0 {
		t.Errorf("%d task flows finished, %d failed: want both", finished, failed)
	}
}

func TestFlowDeterministic(t *testing.T) {
	cfg := Config{Seed: 9, Flows: testFlows, Spacing: 20 * time.Minute}
	a, _ := New(cfg)
	b, _ := New(cfg)
	const n = 500
	want := make([][]byte, n)
	for i := range want {
		e := a.Event(uint64(i))
		want[i] = Encoding{Format: FormatV3}.Marshal(&e)
	}
	// Out of order and concurrently: the same events.
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := n - 1 - w; i >= 0; i -= 4 {
				e := b.Event(uint64(i))
				if got := (Encoding{Format: FormatV3}).Marshal(&e); !bytes.Equal(got, want[i]) {
					t.Errorf("event %d differs:\n%s\n%s", i, got, want[i])
					return
				}
			}
		}(w)
	}
	wg.Wait()
	// FileFlow(n) is file n's part of the stream.
	ff := a.FileFlow(0)
	if len(ff) == 0 {
		t.Fatal("file 0 has no events")
	}
	k := 0
	for i := 0; i < n && k < len(ff); i++ {
		e := a.Event(uint64(i))
		if e.FileID != ff[0].Event.FileID {
			continue
		}
		x := ff[k].Event
		x.Index = e.Index
		if !bytes.Equal(Encoding{Format: FormatV3}.Marshal(&x), Encoding{Format: FormatV3}.Marshal(&e)) || !e.Time.Equal(DefaultStart.Add(ff[k].Offset)) {
			t.Fatalf("file 0 event %d differs from stream event %d", k, i)
		}
		k++
	}
	if k != len(ff) {
		t.Fatalf("found %d of file 0's %d events in the stream", k, len(ff))
	}
}

func TestFlowConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flows []Flow
	}{
		{"no steps", []Flow{{Weight: 1}}},
		{"sprite", []Flow{{Weight: 1, Steps: []Step{{EventType: EventType}}}}},
		{"unknown", []Flow{{Weight: 1, Steps: []Step{{EventType: "Nope"}}}}},
		{"cannot fail", []Flow{{Weight: 1, Steps: []Step{{EventType: "FileDeleted", FailureRatio: 0.5}}}}},
		{"changes", []Flow{{Weight: 1, Steps: []Step{{EventType: "NewFileUpload", Changes: 1}}}}},
		{"gap", []Flow{{Weight: 1, Steps: []Step{{EventType: "NewFileUpload", MinGap: 2, MaxGap: 1}}}}},
		{"weights", []Flow{{Weight: 0, Steps: []Step{{EventType: "NewFileUpload"}}}}},
	} {
		if _, err := New(Config{Flows: tc.flows}); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := New(Config{Flows: testFlows, Outcomes: Mix(0)}); err == nil {
		t.Error("flows and outcomes: no error")
	}
}

// TestFileLinks: each event of a flow stream names its file's event
// before it, and says whether one comes after it; without flows none do.
func TestFileLinks(t *testing.T) {
	g, err := New(Config{Seed: 9, Flows: testFlows, Spacing: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	latest := map[string]uint64{} // file id: its latest event so far
	next := map[uint64]bool{}     // events followed by one of their file's
	for i := uint64(0); i < n; i++ {
		e := g.Event(i)
		prev, hasPrev, _ := g.FileLinks(i)
		want, ok := latest[e.FileID]
		if hasPrev != ok || ok && prev != want {
			t.Fatalf("event %d: prev %d %v, want %d %v", i, prev, hasPrev, want, ok)
		}
		if ok {
			next[want] = true
		}
		latest[e.FileID] = i
	}
	// A file's whole flow: how many events it has.
	size := map[string]int{}
	for f := uint64(0); f < n; f++ {
		fe := g.FileFlow(f)
		size[fe[0].Event.FileID] = len(fe)
	}
	seen := map[string]int{}
	for i := uint64(0); i < n; i++ {
		id := g.Event(i).FileID
		seen[id]++
		_, _, hasNext := g.FileLinks(i)
		if last := seen[id] == size[id]; hasNext == last {
			t.Errorf("event %d: event %d of its file's %d, hasNext %v", i, seen[id], size[id], hasNext)
		}
		if next[i] && !hasNext {
			t.Errorf("event %d: a later event of its file came, but hasNext is false", i)
		}
	}
	plain, err := New(Config{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if p, hp, hn := plain.FileLinks(5); p != 0 || hp || hn {
		t.Errorf("without flows: %d %v %v", p, hp, hn)
	}
}

// A task's PROCESSING notifications (Change mode) each tell of a later
// subtask: no two of one task carry the same body, so a receiver does not
// take them for duplicates.
func TestFlowProcessingNotificationsDiffer(t *testing.T) {
	g, err := New(Config{Seed: 4, Flows: []Flow{{Weight: 1, Steps: []Step{
		{EventType: "ProcedureStateChanged", Changes: 3},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	enc := Encoding{Format: FormatV3}
	for n := uint64(0); n < 50; n++ {
		seen := map[string]bool{}
		for _, fe := range g.FileFlow(n) {
			b := string(enc.Marshal(&fe.Event))
			if seen[b] {
				t.Fatalf("file %d: a notification repeats another byte for byte: %s", n, b)
			}
			seen[b] = true
		}
	}
}

// A long stream keeps a bounded number of merged slots, and an event
// asked for again after its slot was dropped is the same event, with the
// same links to its file's events.
func TestFlowStreamBounded(t *testing.T) {
	cfg := Config{Seed: 3, Flows: testFlows, Spacing: 10 * time.Second}
	long, _ := New(cfg)
	const n = 3*flowKeep + 123
	for i := uint64(0); i < n; i++ {
		long.FileLinks(i)
	}
	if got := len(long.stream.done); got > 2*flowKeep {
		t.Fatalf("%d slots kept after %d events, want at most %d", got, n, 2*flowKeep)
	}
	if long.stream.base == 0 {
		t.Fatal("no slot was dropped")
	}
	fresh, _ := New(cfg)
	for _, i := range []uint64{n - 1, 7, 8, flowKeep + 5, 1, n - 2} {
		a, b := long.Event(i), fresh.Event(i)
		if ea, eb := (Encoding{Format: FormatV3}).Marshal(&a), (Encoding{Format: FormatV3}).Marshal(&b); !bytes.Equal(ea, eb) {
			t.Fatalf("event %d asked again differs:\n%s\n%s", i, ea, eb)
		}
		p1, h1, n1 := long.FileLinks(i)
		p2, h2, n2 := fresh.FileLinks(i)
		if p1 != p2 || h1 != h2 || n1 != n2 {
			t.Fatalf("event %d asked again: links %d %v %v, want %d %v %v", i, p1, h1, n1, p2, h2, n2)
		}
	}
	if r := long.stream.rewind; r == nil || len(r.done) > 2*flowKeep {
		t.Fatalf("rewind stream: %+v", r)
	}
}
