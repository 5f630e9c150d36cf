package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/pace"
)

var orderFlows = []generator.Flow{
	{Weight: 3, Steps: []generator.Step{
		{EventType: "NewFileUpload"},
		{EventType: "ProcedureStateChanged", MaxGap: 30 * time.Second, Changes: 3},
		{EventType: "FileDeleted", MaxGap: 20 * time.Second},
	}},
	{Weight: 1, Steps: []generator.Step{
		{EventType: "PullComplete"},
		{EventType: "ProcedureStateChanged", MaxGap: 10 * time.Second},
	}},
}

// fileOrderReceiver records, per file, the position in its file of every
// event that arrives (retries and duplicates included; alike bodies in a
// row are one position). It answers 500
// to the first attempt of about a third of the events, and holds the
// first attempt of each file's first event until more of the other
// files' events have arrived (or a moment has passed): a file's later
// events would overtake it if nothing kept them back.
type fileOrderReceiver struct {
	pos     map[string][2]int // body: file, position in the file
	first   uint64            // the stream index of file 0's second event
	hold    bool              // hold each file's first event
	mu      sync.Mutex
	seen    map[string]int // body: attempts
	arrived [][]int        // per file, the positions in arrival order
	others  int            // distinct events of files other than file 0
	more    *sync.Cond
}

func newFileOrderReceiver(t *testing.T, g *generator.Generator, enc generator.Encoding, count uint64, shard Shard) *fileOrderReceiver {
	t.Helper()
	rcv := &fileOrderReceiver{pos: map[string][2]int{}, seen: map[string]int{}}
	rcv.more = sync.NewCond(&rcv.mu)
	files := map[string]int{}
	var n []int
	for i := uint64(0); i < count; i++ {
		if !shard.has(i) {
			continue
		}
		e := g.Event(i)
		f, ok := files[e.FileID]
		if !ok {
			f = len(n)
			files[e.FileID] = f
			n = append(n, 0)
		}
		if f == 0 && n[0] == 1 {
			rcv.first = i
		}
		body := string(enc.Append(nil, &e))
		if p, dup := rcv.pos[body]; dup {
			// A task's PROCESSING notifications can be alike: one
			// position in the file.
			if p != [2]int{f, n[f] - 1} {
				t.Fatalf("event %d has the body of file %d's event %d", i, p[0], p[1])
			}
			continue
		}
		rcv.pos[body] = [2]int{f, n[f]}
		n[f]++
	}
	if rcv.first == 0 {
		t.Fatal("file 0 has one event")
	}
	rcv.arrived = make([][]int, len(n))
	return rcv
}

func (rcv *fileOrderReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	p, ok := rcv.pos[string(body)]
	if !ok {
		http.Error(w, "unknown body", http.StatusBadRequest)
		return
	}
	rcv.mu.Lock()
	rcv.arrived[p[0]] = append(rcv.arrived[p[0]], p[1])
	rcv.seen[string(body)]++
	attempt := rcv.seen[string(body)]
	if attempt == 1 && p[0] != 0 {
		rcv.others++
		rcv.more.Broadcast()
	}
	if rcv.hold && attempt == 1 && p[1] == 0 {
		// Hold it: file 0's first event until so many other events have
		// come that its second one is surely being delivered; the other
		// files' first events until three more have come, or a moment.
		want, wait := rcv.others+3, 20*time.Millisecond
		if p[0] == 0 {
			want, wait = int(rcv.first)+1, 0
		}
		if wait > 0 {
			timer := time.AfterFunc(wait, func() { rcv.mu.Lock(); rcv.more.Broadcast(); rcv.mu.Unlock() })
			defer timer.Stop()
		}
		stop := context.AfterFunc(r.Context(), func() { rcv.mu.Lock(); rcv.more.Broadcast(); rcv.mu.Unlock() })
		defer stop()
		start := time.Now()
		for rcv.others < want && r.Context().Err() == nil && (wait == 0 || time.Since(start) < wait) {
			rcv.more.Wait()
		}
	}
	rcv.mu.Unlock()
	h := fnv.New32a()
	h.Write(body)
	if attempt == 1 && h.Sum32()%3 == 0 {
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// TestFileOrder: with a flow source, each file's events reach the
// receiver in order, whatever the concurrency, retries and faults.
func TestFileOrder(t *testing.T) {
	const count = 300
	g, err := generator.New(generator.Config{Seed: 21, Flows: orderFlows, Spacing: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	enc := generator.Encoding{Format: generator.FormatV3}
	retry := RetryPolicy{On: RetryServerError, Attempts: 3, Backoff: time.Millisecond}
	for _, tc := range []struct {
		name     string
		inflight int
		faults   Faults
		strict   bool // every arrival of an event before any of the next
		hold     bool // the receiver holds files' first events, and some event waits
		shard    Shard
		profile  pace.Profile
	}{
		{"retries", 64, Faults{}, true, true, Shard{}, nil},
		{"faults", 64, Faults{Reorder: 0.2, ReorderWindow: 8, DelayMax: 2 * time.Millisecond, Duplicate: 0.1}, false, false, Shard{}, nil},
		{"one in flight", 1, Faults{Reorder: 0.3, ReorderWindow: 5}, true, false, Shard{}, nil},
		{"shard", 16, Faults{Reorder: 0.2}, true, false, Shard{Index: 1, Of: 3}, nil},
		{"paced", 64, Faults{Reorder: 0.1}, true, false, Shard{}, pace.Profile{{Duration: time.Second, From: 2000}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newFileOrderReceiver(t, g, enc, count, tc.shard)
			rcv.hold = tc.hold
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			rep := send(t, Config{Target: srv.URL, Source: g, Encoding: enc, Count: count, Seed: 3,
				MaxInFlight: tc.inflight, Retry: retry, Faults: tc.faults, Shard: tc.shard, Profile: tc.profile})
			// A paced run on a busy machine may fall behind its schedule
			// and leave the last events unsent (schedule ended).
			if tc.profile == nil {
				want(t, "acknowledged", rep.Acknowledged, tc.shard.Count(count))
				if rep.Retries == 0 {
					t.Error("no retries")
				}
			} else if rep.Acknowledged == 0 {
				t.Errorf("none acknowledged; not sent: %v", rep.NotSentReasons)
			}
			if tc.hold && rep.Late == 0 {
				t.Error("no event waited for its file's previous one")
			}
			rcv.mu.Lock()
			defer rcv.mu.Unlock()
			for f, got := range rcv.arrived {
				next := 0 // the next position due
				for k, p := range got {
					switch {
					case p == next:
						next++
					case p > next || tc.strict && p < next-1:
						t.Fatalf("file %d: arrivals %v: position %d at %d", f, got, p, k)
					}
				}
			}
		})
	}
}

// TestFileOrderWaitEndsWithTheRun: events waiting for their file's
// previous event, which the receiver never answers, are not sent when the
// drain ends or the run is stopped.
func TestFileOrderWaitEndsWithTheRun(t *testing.T) {
	const count = 40
	g, err := generator.New(generator.Config{Seed: 21, Flows: orderFlows, Spacing: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	enc := generator.Encoding{Format: generator.FormatV3}
	e0 := g.Event(0)
	stalled := string(enc.Append(nil, &e0))
	var later []uint64 // file 0's events after its first
	for i := uint64(1); i < count; i++ {
		if g.Event(i).FileID == e0.FileID {
			later = append(later, i)
		}
	}
	if len(later) == 0 {
		t.Fatal("file 0 has one event")
	}
	// check: in the journal, event 0 is interrupted, file 0's later
	// events are not sent, for reason.
	check := func(t *testing.T, journal *bytes.Buffer, reason string) {
		t.Helper()
		final := map[uint64]journalLine{}
		// (FileDeleted has no task id: journalLines would refuse it.)
		for _, line := range bytes.Split(bytes.TrimSpace(journal.Bytes()), []byte("\n")) {
			var l journalLine
			if err := json.Unmarshal(line, &l); err != nil {
				t.Fatalf("journal line %s: %v", line, err)
			}
			if l.Final != "" && !l.Duplicate {
				final[l.Index] = l
			}
		}
		if l := final[0]; l.Final != string(Interrupted) {
			t.Errorf("event 0: %+v, want interrupted", l)
		}
		for _, i := range later {
			if l := final[i]; l.Final != string(NotSent) || l.Reason != reason {
				t.Errorf("event %d: %+v, want not sent, %s", i, l, reason)
			}
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) == stalled {
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	cfg := Config{Target: srv.URL, Source: g, Encoding: enc, Count: count, Retry: RetryPolicy{Timeout: time.Hour}}

	t.Run("drain", func(t *testing.T) {
		var journal bytes.Buffer
		cfg := cfg
		cfg.Drain, cfg.Journal = 50*time.Millisecond, &journal
		rep := send(t, cfg)
		check(t, &journal, ReasonDrainEnded)
		if rep.Late < uint64(len(later)) {
			t.Errorf("late %d, want at least the %d that waited", rep.Late, len(later))
		}
	})
	t.Run("stop", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var journal bytes.Buffer
		cfg := cfg
		cfg.Journal = &journal
		cfg.ProgressInterval = 5 * time.Millisecond
		cfg.Progress = func(p Progress) {
			if p.Acknowledged >= count-1-uint64(len(later)) {
				cancel()
			}
		}
		rep, err := Run(ctx, cfg)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v, want it stopped", err)
		}
		checkAccounting(t, rep)
		check(t, &journal, ReasonStopped)
	})
}
