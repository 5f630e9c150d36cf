package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/receiver"
)

// TestJournalLinesReadAsJSON: ReadJournal reads a run's journal lines as
// encoding/json does.
func TestJournalLinesReadAsJSON(t *testing.T) {
	srv := httptest.NewServer(&receiver.Receiver{})
	defer srv.Close()
	var j bytes.Buffer
	send(t, Config{Target: srv.URL, Count: 50, Seed: 2, Shard: Shard{1, 2}, Journal: &j,
		Faults: Faults{Duplicate: 0.2, Malformed: 0.2}})
	lines := strings.Split(strings.TrimSpace(j.String()), "\n")
	i := 0
	err := ReadJournal(strings.NewReader(j.String()), func(l *JournalLine) error {
		var want JournalLine
		if err := json.Unmarshal([]byte(lines[i]), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*l, want) {
			t.Errorf("line %d %s:\nread %+v\nwant %+v", i+1, lines[i], *l, want)
		}
		i++
		return nil
	})
	if err != nil || i != len(lines) {
		t.Errorf("ReadJournal: %v after %d of %d lines", err, i, len(lines))
	}
	for _, bad := range []string{`{"index":"x","attempt":1}`, `[1]`, `{"attempt":1,"start":"yesterday"}`, `{"attempt":0}`, `{"attempt":1}`, `{`} {
		if err := ReadJournal(strings.NewReader(bad+"\n"), func(*JournalLine) error { return nil }); err == nil {
			t.Errorf("ReadJournal(%s): no error", bad)
		}
	}
}

func FuzzReadJournal(f *testing.F) {
	f.Add(`{"index":3,"taskId":"t","attempt":1,"intended":"2026-01-02T03:04:05Z","start":"2026-01-02T03:04:05.1Z","latencyNs":5,"status":200,"final":"acknowledged"}`)
	f.Add(`{"index":0,"count":3,"step":2,"attempt":0,"final":"not-sent","reason":"run stopped","shard":"0/2"}`)
	f.Fuzz(func(t *testing.T, s string) {
		ReadJournal(strings.NewReader(s), func(*JournalLine) error { return nil })
		ReportFromJournal(strings.NewReader(s))
	})
}

// TestJournalOfEventsCutWhileWaitingToRetry: events with a broken body
// whose retry is cut by the drain end on an "attempt":0 line; the report
// rebuilt from the journal counts them malformed, as the run's does.
func TestJournalOfEventsCutWhileWaitingToRetry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	var j bytes.Buffer
	// Every event is answered 503 and waits an hour to retry; the drain
	// ends the waits (on a machine too busy to answer first, it cuts
	// attempts or first attempts instead: the counts still agree).
	rep := send(t, Config{Target: srv.URL, Count: 4, Journal: &j, Drain: 200 * time.Millisecond,
		Retry:  RetryPolicy{On: RetryServerError, Backoff: time.Hour, MaxBackoff: time.Hour},
		Faults: Faults{Malformed: 1}})
	want(t, "interrupted + not sent", rep.InterruptedEvents+rep.NotSent, 4)
	rebuilt, err := ReportFromJournal(&j)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "rebuilt interrupted", rebuilt.InterruptedEvents, rep.InterruptedEvents)
	want(t, "rebuilt malformed", rebuilt.Malformed, rep.Malformed)
}

// TestJournalTellsDrainFromStop: events cut by the drain leave a run that
// was not stopped, and the report rebuilt from its journal says so; events
// cut by a stop leave one that was.
func TestJournalTellsDrainFromStop(t *testing.T) {
	held := make(chan struct{}, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		held <- struct{}{}
		<-r.Context().Done()
	}))
	defer srv.Close()
	cfg := Config{Target: srv.URL, Count: 3, Retry: RetryPolicy{Timeout: time.Hour}}
	for _, stop := range []bool{false, true} {
		var j bytes.Buffer
		c := cfg
		c.Journal = &j
		ctx, cancel := context.WithCancel(context.Background())
		if stop {
			go func() {
				for range 3 {
					<-held
				}
				cancel()
			}()
		} else {
			c.Drain = 200 * time.Millisecond
		}
		rep, err := Run(ctx, c)
		cancel()
		for len(held) > 0 {
			<-held
		}
		if stop != (err != nil) {
			t.Fatalf("stopped %v: Run error %v", stop, err)
		}
		// A drain on a machine too busy to start an attempt in time
		// leaves it not sent instead.
		want(t, "interrupted + not sent", rep.InterruptedEvents+rep.NotSentReasons[ReasonDrainEnded], 3)
		rebuilt, err := ReportFromJournal(&j)
		if err != nil {
			t.Fatal(err)
		}
		if rebuilt.Interrupted != rep.Interrupted || rep.Interrupted != stop {
			t.Errorf("stopped %v: the run's report says interrupted %v, the journal's %v", stop, rep.Interrupted, rebuilt.Interrupted)
		}
	}
}
