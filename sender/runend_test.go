package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/pace"
	"github.com/vodsim/vodsim/sender/receiver"
)

// seenSet records the task ids a receiver got, whatever it answered.
type seenSet struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (s *seenSet) add(body []byte) int {
	e, _, _, err := generator.Decode(body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[string]bool{}
	}
	if err == nil {
		s.ids[e.TaskID] = true
	}
	return len(s.ids)
}

// checkRunEnd checks the accounting of a run cut short against what the
// receiver saw and the journal: every event the receiver got ended in a
// state other than "not sent", the journal has one final line per event
// and counts the same states as the report.
func checkRunEnd(t *testing.T, rep *Report, seen *seenSet, journal *bytes.Buffer) {
	t.Helper()
	checkAccounting(t, rep)
	var reasons uint64
	for _, n := range rep.NotSentReasons {
		reasons += n
	}
	want(t, "not-sent reasons", reasons, rep.NotSent)
	final := map[string]string{}
	counts := map[string]uint64{}
	unsent := map[uint64]bool{}
	var events uint64
	for _, l := range journalLines(t, journal) {
		if l.Final == "" || l.Duplicate {
			continue
		}
		if l.Count > 0 {
			// Events never handed to a worker, one line for the lot.
			if l.Final != string(NotSent) || l.Reason == "" || l.TaskID != "" {
				t.Errorf("journal line of %d unsent events from %d: final %q, reason %q, task id %q", l.Count, l.Index, l.Final, l.Reason, l.TaskID)
			}
			for i := l.Index; i < l.Index+l.Count; i++ {
				unsent[i] = true
			}
			events += l.Count
			counts[l.Final] += l.Count
			continue
		}
		if unsent[l.Index] {
			t.Errorf("event %d is both attempted and in a line of unsent events", l.Index)
		}
		events++
		if prev, ok := final[l.TaskID]; ok {
			t.Errorf("event %s has two final journal lines: %s and %s", l.TaskID, prev, l.Final)
		}
		final[l.TaskID] = l.Final
		counts[l.Final]++
		if l.Final == string(NotSent) && l.Reason == "" {
			t.Errorf("not-sent journal line of %s gives no reason", l.TaskID)
		}
	}
	want(t, "journal finals", events, rep.Events)
	want(t, "journal acknowledged", counts[string(Acknowledged)], rep.Acknowledged)
	want(t, "journal other status", counts[string(OtherStatus)], rep.OtherStatus)
	want(t, "journal failed", counts[string(Failed)], rep.Failed)
	want(t, "journal interrupted", counts[string(Interrupted)], rep.InterruptedEvents)
	want(t, "journal not sent", counts[string(NotSent)], rep.NotSent)
	seen.mu.Lock()
	defer seen.mu.Unlock()
	for id := range seen.ids {
		if f := final[id]; f == "" || f == string(NotSent) {
			t.Errorf("the receiver got %s, its final state is %q", id, f)
		}
	}
}

// TestStalledReceiverStopIsInterrupted: the receiver holds every request
// until the client goes away; the run is stopped once it holds all
// MaxInFlight of them. Those events are interrupted (the receiver got
// them), the rest were never attempted.
func TestStalledReceiverStopIsInterrupted(t *testing.T) {
	var seen seenSet
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if seen.add(b) == 4 {
			cancel()
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	var journal bytes.Buffer
	rep, err := Run(ctx, Config{Target: srv.URL, Count: 10, MaxInFlight: 4, Journal: &journal,
		Retry: RetryPolicy{Timeout: time.Hour}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error %v, want the cancellation", err)
	}
	if !rep.Interrupted {
		t.Error("report not marked interrupted")
	}
	want(t, "interrupted", rep.InterruptedEvents, 4)
	want(t, "not sent", rep.NotSent, 6)
	want(t, "not sent: run stopped", rep.NotSentReasons[ReasonStopped], 6)
	want(t, "attempts", rep.Attempts, 4)
	checkRunEnd(t, rep, &seen, &journal)

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if s := "6 not sent (run stopped: 6), 4 interrupted"; !strings.Contains(text.String(), s) {
		t.Errorf("text report lacks %q:\n%s", s, text.String())
	}
}

// TestEmbeddedReceiverStopAddsUp: a run to vodsim's own receiver stopped
// in its middle: every event the receiver got is accounted as attempted,
// in the report and in the journal.
func TestEmbeddedReceiverStopAddsUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"unlimited rate", Config{Count: 20000, MaxInFlight: 20}},
		{"at a rate", Config{Count: 20000, Profile: pace.Profile{{Duration: time.Second, From: 2000}}}},
		{"with faults and retries", Config{Count: 20000, MaxInFlight: 20,
			Faults: Faults{Duplicate: 0.2, Reorder: 0.3, Malformed: 0.1, DelayMax: 5 * time.Millisecond},
			Retry:  RetryPolicy{On: RetryServerError | RetryTimeout, Backoff: 5 * time.Millisecond}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen seenSet
			var n atomic.Int64
			rcv := &receiver.Receiver{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				seen.add(b)
				if n.Add(1)%7 == 0 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(b))
				rcv.ServeHTTP(w, r)
			}))
			defer srv.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg := tc.cfg
			var journal bytes.Buffer
			cfg.Target, cfg.Journal = srv.URL, &journal
			cfg.ProgressInterval = 5 * time.Millisecond
			cfg.Progress = func(p Progress) {
				if p.Acknowledged >= 50 {
					cancel()
				}
			}
			rep, err := Run(ctx, cfg)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run error %v, want the cancellation", err)
			}
			if rep.Acknowledged == 0 || rep.NotSent == 0 {
				t.Errorf("acknowledged %d, not sent %d: want some of each", rep.Acknowledged, rep.NotSent)
			}
			checkRunEnd(t, rep, &seen, &journal)
		})
	}
}

// TestScheduleEndBoundsTheRun: the receiver holds every request; at the
// schedule's end the events still waiting for a slot are not sent, and
// at the end of Drain those in flight are cut short, however long their
// timeout. No clock is read by the test: the stalled receiver decides.
func TestScheduleEndBoundsTheRun(t *testing.T) {
	rate := pace.Profile{{Duration: time.Second, From: 1000}}
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"count at a rate", Config{Count: 10, Profile: rate}},
		{"duration at a rate", Config{Duration: 10 * time.Millisecond, Profile: rate}},
		{"duration, unlimited rate", Config{Duration: 10 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen seenSet
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				seen.add(b)
				<-r.Context().Done()
			}))
			defer srv.Close()
			cfg := tc.cfg
			var journal bytes.Buffer
			cfg.Target, cfg.Journal, cfg.MaxInFlight = srv.URL, &journal, 2
			cfg.Retry = RetryPolicy{Timeout: time.Hour}
			cfg.Drain = 20 * time.Millisecond
			rep := send(t, cfg)
			if rep.Interrupted {
				t.Error("a run that reached its end is marked interrupted")
			}
			// The two in flight are cut by the drain, in their attempt or
			// (on a machine too busy to start it) just before.
			cut := rep.InterruptedEvents + rep.NotSentReasons[ReasonDrainEnded]
			if cfg.Profile != nil {
				want(t, "events", rep.Events, 10)
				want(t, "not sent: schedule ended", rep.NotSentReasons[ReasonScheduleEnded], 8)
				want(t, "interrupted + not sent at the drain", cut, 2)
			} else if n := rep.NotSentReasons[ReasonScheduleEnded]; n != 0 || cut > 2 || rep.Events != cut {
				// As fast as possible: two events are handed out (fewer
				// if, on a busy machine, the duration ended first); the
				// third, which no worker took before the duration ended,
				// has no send time that came: it is not one of the run's.
				t.Errorf("events %d: %d not sent at the schedule's end, %d cut by the drain; want at most 2 handed out and none counted waiting", rep.Events, n, cut)
			}
			checkRunEnd(t, rep, &seen, &journal)
		})
	}
}

// chunkWriter records each Write it is given.
type chunkWriter struct {
	mu     sync.Mutex
	chunks []string
	first  chan struct{}
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.chunks) == 0 && c.first != nil {
		close(c.first)
	}
	c.chunks = append(c.chunks, string(p))
	return len(p), nil
}

// answerAll is a transport that answers every request 200 at once.
type answerAll struct{}

func (answerAll) RoundTrip(req *http.Request) (*http.Response, error) {
	io.Copy(io.Discard, req.Body)
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}")), Header: http.Header{}}, nil
}

// TestJournalWritesWholeLines: whatever the buffer's size, every write of
// the journal ends at the end of a line, so a killed run leaves whole lines.
func TestJournalWritesWholeLines(t *testing.T) {
	cw := &chunkWriter{}
	rep := send(t, Config{Target: "http://127.0.0.1:1/", Count: 3000, MaxInFlight: 8, Transport: answerAll{}, Journal: cw})
	want(t, "acknowledged", rep.Acknowledged, 3000)
	var all strings.Builder
	for _, c := range cw.chunks {
		if !strings.HasSuffix(c, "\n") {
			t.Fatalf("a journal write ends within a line: ...%q", c[max(0, len(c)-40):])
		}
		all.WriteString(c)
	}
	if len(cw.chunks) < 2 {
		t.Errorf("%d journal writes of %d bytes: want the buffer flushed along the way", len(cw.chunks), all.Len())
	}
	lines := journalLines(t, strings.NewReader(all.String()))
	want(t, "journal lines", uint64(len(lines)), 3000)
}

// TestJournalFlushedWhileRunning: the journal's lines reach the file
// while the run lasts (every journalFlush), not only at its end. The one
// event left is held by the receiver until the test has seen the write.
func TestJournalFlushedWhileRunning(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if n.Add(1) > 1 {
			<-r.Context().Done()
			return
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	cw := &chunkWriter{first: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-cw.first:
		case <-time.After(30 * time.Second): // a safety limit, not a measure
		}
		cancel()
	}()
	rep, err := Run(ctx, Config{Target: srv.URL, Count: 2, MaxInFlight: 1, Journal: cw, Retry: RetryPolicy{Timeout: time.Hour}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error %v, want the cancellation", err)
	}
	cw.mu.Lock()
	first := cw.chunks[0]
	cw.mu.Unlock()
	if !strings.Contains(first, `"final":"acknowledged"`) || strings.Contains(first, `"final":"interrupted"`) {
		t.Errorf("first journal write %q: want the acknowledged event's line, written before the stop", first)
	}
	want(t, "interrupted", rep.InterruptedEvents, 1)
}

// TestMinRateTinyRun: a correct run too short to measure a rate (3 events
// at 200/s span 10 ms) passes --min-rate whatever its last start's
// lateness; a long enough one is judged. Synthetic reports: no clock.
func TestMinRateTinyRun(t *testing.T) {
	th := Thresholds{MinRate: 0.99}
	tiny := &Report{Events: 3, Acknowledged: 3, TargetRate: 200, AchievedRate: 120, ScheduleSpan: 10 * time.Millisecond}
	if b := tiny.Judge(th); len(b) != 0 || tiny.Verdict != "pass" {
		t.Errorf("tiny run: breaches %v, verdict %q; want a pass", b, tiny.Verdict)
	}
	if c := tiny.Checks[1]; c.Name != "min-rate" || !c.Pass || !strings.Contains(c.Message, "not judged") {
		t.Errorf("tiny run's min-rate check %+v, want passed as not judged", c)
	}
	long := &Report{Events: 1000, Acknowledged: 1000, TargetRate: 200, AchievedRate: 120, ScheduleSpan: 5 * time.Second}
	if b := long.Judge(th); len(b) != 1 || b[0].Name != "min-rate" || long.Verdict != "fail" {
		t.Errorf("long run: breaches %v, verdict %q; want min-rate failed", b, long.Verdict)
	}
}

// TestReportSaysWhatCINeeds: the scenario, version, start time, the
// thresholds and each check's verdict are in the text and the JSON.
func TestReportSaysWhatCINeeds(t *testing.T) {
	srv := httptest.NewServer(&receiver.Receiver{})
	defer srv.Close()
	rep := send(t, Config{Target: srv.URL, Count: 1, Version: "v9.8.7", Profile: pace.Profile{{Duration: time.Second, From: 200}}})
	rep.Scenario = "chaos"
	breaches := rep.Judge(Thresholds{MaxP99: time.Microsecond, MinRate: 0.5}, Breach{"well-formed", "bad"})
	if len(breaches) != 2 || rep.Verdict != "fail" || len(rep.Checks) != 4 {
		t.Fatalf("breaches %v, verdict %q, checks %+v", breaches, rep.Verdict, rep.Checks)
	}
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"vodsim send: 1 event to", "vodsim v9.8.7, started " + rep.Start.UTC().Format(time.RFC3339), "scenario chaos",
		"target 200.0/s, achieved not measured", "thresholds    max-failed 0, max-p99 1µs, min-rate 50%", "verdict       FAIL",
		"pass max-failed: 0 of 1 event not acknowledged", "FAIL max-p99: latency p99", "pass min-rate: not judged", "FAIL well-formed: bad"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text report lacks %q:\n%s", s, text.String())
		}
	}
	if strings.Contains(text.String(), "as fast as possible") || strings.Contains(text.String(), " 1 events") {
		t.Errorf("text report of a one-event run at 200/s:\n%s", text.String())
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Scenario != "chaos" || back.Version != "v9.8.7" || !back.Start.Equal(rep.Start) || back.Verdict != "fail" ||
		back.Thresholds == nil || back.Thresholds.MinRate != 0.5 || len(back.Checks) != 4 || back.Checks[1].Pass || !back.Checks[0].Pass {
		t.Errorf("JSON report lost what CI needs:\n%s", js.String())
	}
}

// TestRateCountsEventsNeverSent: events the schedule's end left waiting
// for a slot were due: the schedule's span runs to the last of them, the
// achieved rate counts them as not started, and --min-rate judges the run
// and fails it, where the few started on time made it look on target.
// The receiver holds every request; no clock is read by the test.
func TestRateCountsEventsNeverSent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	defer srv.Close()
	// Four events a third of a second apart: 0 to 1 s.
	profile := pace.Profile{{Duration: time.Hour, From: 3}}
	var journal bytes.Buffer
	rep := send(t, Config{Target: srv.URL, Count: 4, Profile: profile, MaxInFlight: 2, Journal: &journal,
		Retry: RetryPolicy{Timeout: time.Hour}, Drain: 20 * time.Millisecond})
	// A report rebuilt from the journal says the same.
	rebuilt, err := ReportFromJournal(bytes.NewReader(journal.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if rebuilt.ScheduleSpan != rep.ScheduleSpan || math.Abs(rebuilt.AchievedRate-rep.AchievedRate) > 1e-6 {
		t.Errorf("rebuilt from the journal: span %v, achieved %.4f/s; the run's %v, %.4f/s", rebuilt.ScheduleSpan, rebuilt.AchievedRate, rep.ScheduleSpan, rep.AchievedRate)
	}
	want(t, "not sent: schedule ended", rep.NotSentReasons[ReasonScheduleEnded], 2)
	sched, err := pace.NewSchedule(profile)
	if err != nil {
		t.Fatal(err)
	}
	if span := sched.At(3) - sched.At(0); rep.ScheduleSpan != span {
		t.Errorf("schedule span %v, want %v: to the last event due, sent or not", rep.ScheduleSpan, span)
	}
	// Two started in a span of 1 s: 1/s.
	if got, max := rep.AchievedRate, 1/rep.ScheduleSpan.Seconds()+1e-9; got > max {
		t.Errorf("achieved %.3f/s, want at most %.3f/s: 2 of 4 events started over the whole schedule", got, max)
	}
	b := rep.Judge(Thresholds{MinRate: 0.5, MaxFailed: 100, MaxP99: time.Millisecond})
	if len(b) != 1 || b[0].Name != "min-rate" {
		t.Errorf("breaches %v (checks %+v), want min-rate failed", b, rep.Checks)
	}
	// No event was answered: no p99 to judge, not a p99 of 0 passed.
	if c := rep.Checks[1]; c.Name != "max-p99" || !strings.Contains(c.Message, "not judged: no latency sample") {
		t.Errorf("max-p99 check %+v, want not judged", c)
	}
}

// TestTinyBoundPrinted: a --max-p99 bound under a microsecond (from the
// Go API) is printed as given, not as 0µs.
func TestTinyBoundPrinted(t *testing.T) {
	rep := &Report{Events: 1, Acknowledged: 1, Latency: Percentiles{Count: 1, P99: 3 * time.Microsecond}}
	rep.Judge(Thresholds{MaxP99: 500 * time.Nanosecond})
	if c := rep.Checks[1]; c.Name != "max-p99" || !strings.Contains(c.Message, "above 500ns") {
		t.Errorf("check %+v, want its bound printed as 500ns", c)
	}
}

// TestStopOfAHugeCountEndsAtOnce: a run of a count far beyond what it can
// send, stopped early, reports its unsent events without visiting each.
func TestStopOfAHugeCountEndsAtOnce(t *testing.T) {
	var n atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if n.Add(1) == 20 {
			cancel()
		}
	}))
	defer srv.Close()
	var journal bytes.Buffer
	type ran struct {
		rep *Report
		err error
	}
	done := make(chan ran, 1)
	go func() {
		rep, err := Run(ctx, Config{Target: srv.URL, Count: math.MaxUint64, Journal: &journal})
		done <- ran{rep, err}
	}()
	var got ran
	select {
	case got = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run had not returned 30s after the stop")
	}
	if !errors.Is(got.err, context.Canceled) {
		t.Fatalf("Run error %v, want the cancellation", got.err)
	}
	rep := got.rep
	checkAccounting(t, rep)
	want(t, "events", rep.Events, math.MaxUint64)
	if rep.NotSentReasons[ReasonStopped] != rep.NotSent || rep.Acknowledged == 0 {
		t.Errorf("acknowledged %d, not sent %d (%v)", rep.Acknowledged, rep.NotSent, rep.NotSentReasons)
	}
	var unsent uint64
	for _, l := range journalLines(t, &journal) {
		if l.Count > 0 {
			unsent += l.Count
		}
	}
	if unsent == 0 || unsent > rep.NotSent {
		t.Errorf("journal lines of unsent events count %d, report %d not sent", unsent, rep.NotSent)
	}
}

// TestDurationCutsACountWithoutRate: as fast as possible, the duration
// ends the run before its count: the events left are not sent because
// the schedule ended, not because the run was stopped (it was not).
func TestDurationCutsACountWithoutRate(t *testing.T) {
	// Answered at once, through a transport: no event waits for a
	// worker, the dispatcher meets the duration's end between events.
	var journal bytes.Buffer
	rep := send(t, Config{Target: "http://127.0.0.1:1/", Transport: answerAll{}, Count: 1 << 24, Duration: 20 * time.Millisecond, Journal: &journal})
	if rep.Interrupted || rep.NotSentReasons[ReasonStopped] != 0 || rep.NotSentReasons[ReasonScheduleEnded] != rep.NotSent || rep.NotSent == 0 {
		t.Errorf("interrupted %v, not sent %d %v: want them all for the schedule's end", rep.Interrupted, rep.NotSent, rep.NotSentReasons)
	}
	for _, l := range journalLines(t, &journal) {
		if l.Reason == ReasonStopped {
			t.Errorf("journal line %+v: the run was not stopped", l)
		}
	}
}

// A run stopped after its schedule ended, while its last events were in
// flight, keeps the events the schedule's end left unsent as such: they
// were not sent because the schedule ended, not because of the stop.
func TestStopAfterScheduleEndKeepsItsReason(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	hook := func() { cancel() } // the stop comes once the dispatcher has ended
	dispatchEndHook.Store(&hook)
	defer dispatchEndHook.Store(nil)
	var journal bytes.Buffer
	rep, err := Run(ctx, Config{Target: srv.URL, Count: 10, Profile: pace.Profile{{Duration: time.Second, From: 1000}},
		MaxInFlight: 2, Retry: RetryPolicy{Timeout: time.Hour}, Journal: &journal})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error %v, want the cancellation", err)
	}
	checkAccounting(t, rep)
	if !rep.Interrupted {
		t.Error("a stopped run is not marked interrupted")
	}
	want(t, "not sent: schedule ended", rep.NotSentReasons[ReasonScheduleEnded], 8)
	want(t, "not sent: run stopped", rep.NotSentReasons[ReasonStopped], 0)
	want(t, "interrupted", rep.InterruptedEvents, 2)
	var unsent uint64
	for _, l := range journalLines(t, &journal) {
		if l.Count > 0 { // a line of events never sent
			unsent += l.Count
			if l.Reason != ReasonScheduleEnded || l.LastIntended == "" {
				t.Errorf("journal line %+v: want reason %q and the last send time", l, ReasonScheduleEnded)
			}
		}
	}
	want(t, "journal: events never sent", unsent, 8)
}
