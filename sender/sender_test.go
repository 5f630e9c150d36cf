package sender

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/pace"
	"github.com/vodsim/vodsim/sender/receiver"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// send runs cfg with a 60 s safety limit and checks the accounting.
// Without a timeout of the test's own, an attempt gets 30 s instead of the
// default 5 s: a busy machine can hold an answer that long, and the retry
// would throw the test's exact counts off.
func send(t *testing.T, cfg Config) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if cfg.Retry.Timeout == 0 {
		cfg.Retry.Timeout = 30 * time.Second
	}
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkAccounting(t, rep)
	return rep
}

func checkAccounting(t *testing.T, rep *Report) {
	t.Helper()
	if sum := rep.Acknowledged + rep.OtherStatus + rep.Failed + rep.InterruptedEvents + rep.NotSent; sum != rep.Events {
		t.Errorf("acknowledged %d + other %d + failed %d + interrupted %d + not sent %d = %d, want events %d",
			rep.Acknowledged, rep.OtherStatus, rep.Failed, rep.InterruptedEvents, rep.NotSent, sum, rep.Events)
	}
	var answered, errs uint64
	for _, n := range rep.StatusCodes {
		answered += n
	}
	for _, n := range rep.Errors {
		errs += n
	}
	if answered+errs != rep.Attempts {
		t.Errorf("answers %d + errors %d != attempts %d", answered, errs, rep.Attempts)
	}
}

// attemptCounter counts the attempts a receiver has seen per task id.
type attemptCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (a *attemptCounter) next(body []byte) int {
	e, _, _, err := generator.Decode(body)
	key := string(body)
	if err == nil {
		key = e.TaskID
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n == nil {
		a.n = map[string]int{}
	}
	a.n[key]++
	return a.n[key]
}

// stall waits for d or until the client goes away.
func stall(r *http.Request, d time.Duration) {
	select {
	case <-time.After(d):
	case <-r.Context().Done():
	}
}

func TestRetryPaths(t *testing.T) {
	const count = 20
	tests := []struct {
		name    string
		handler func(a *attemptCounter) http.HandlerFunc
		retry   RetryPolicy
		check   func(t *testing.T, rep *Report)
	}{
		{
			name: "2xx acknowledged",
			handler: func(a *attemptCounter) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }
			},
			check: func(t *testing.T, rep *Report) {
				want(t, "acknowledged", rep.Acknowledged, count)
				want(t, "attempts", rep.Attempts, count)
				want(t, "status 200", rep.StatusCodes[200], count)
			},
		},
		{
			name: "first attempt stalls past the timeout: retried, acknowledged",
			handler: func(a *attemptCounter) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					if a.next(body) == 1 {
						stall(r, 2*time.Second)
						return
					}
					io.WriteString(w, "{}")
				}
			},
			// On a busy machine a retry may time out too: room for
			// it, and the counts checked against each other.
			retry: RetryPolicy{Timeout: 300 * time.Millisecond, Attempts: 10},
			check: func(t *testing.T, rep *Report) {
				want(t, "acknowledged", rep.Acknowledged, count)
				want(t, "attempts", rep.Attempts, count+rep.Retries)
				want(t, "timeouts", rep.Errors[ErrKindTimeout], rep.Retries)
				if rep.Retries < count {
					t.Errorf("retries = %d, want at least one per event (%d)", rep.Retries, count)
				}
			},
		},
		{
			name: "every attempt stalls: 3 attempts, failed",
			handler: func(a *attemptCounter) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { stall(r, 2*time.Second) }
			},
			retry: RetryPolicy{Timeout: 50 * time.Millisecond},
			check: func(t *testing.T, rep *Report) {
				want(t, "failed", rep.Failed, count)
				want(t, "attempts", rep.Attempts, 3*count)
				want(t, "timeouts", rep.Errors[ErrKindTimeout], 3*count)
			},
		},
		{
			name: "5xx is not retried by default",
			handler: func(a *attemptCounter) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }
			},
			check: func(t *testing.T, rep *Report) {
				want(t, "other status", rep.OtherStatus, count)
				want(t, "attempts", rep.Attempts, count)
				want(t, "status 500", rep.StatusCodes[500], count)
			},
		},
		{
			name: "5xx retried when asked",
			handler: func(a *attemptCounter) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					if a.next(body) < 3 {
						w.WriteHeader(503)
						return
					}
					io.WriteString(w, "{}")
				}
			},
			retry: RetryPolicy{On: RetryServerError, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
			check: func(t *testing.T, rep *Report) {
				want(t, "acknowledged", rep.Acknowledged, count)
				want(t, "attempts", rep.Attempts, 3*count)
				want(t, "status 503", rep.StatusCodes[503], 2*count)
			},
		},
		{
			name: "429 retried when asked, to the attempt limit",
			handler: func(a *attemptCounter) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) }
			},
			retry: RetryPolicy{On: RetryTooMany, Attempts: 4},
			check: func(t *testing.T, rep *Report) {
				want(t, "other status", rep.OtherStatus, count)
				want(t, "attempts", rep.Attempts, 4*count)
			},
		},
		{
			name: "404 is an answer, never retried",
			handler: func(a *attemptCounter) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
			},
			retry: RetryPolicy{On: RetryServerError | RetryTooMany | RetryConnError | RetryTimeout},
			check: func(t *testing.T, rep *Report) {
				want(t, "other status", rep.OtherStatus, count)
				want(t, "attempts", rep.Attempts, count)
			},
		},
		{
			name: "connection closed without an answer: failed, retried when asked",
			handler: func(a *attemptCounter) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
				}
			},
			retry: RetryPolicy{On: RetryConnError},
			check: func(t *testing.T, rep *Report) {
				want(t, "failed", rep.Failed, count)
				want(t, "attempts", rep.Attempts, 3*count)
				if rep.Errors[ErrKindClosed]+rep.Errors[ErrKindReset] != 3*count {
					t.Errorf("errors %v, want %d closed or reset", rep.Errors, 3*count)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var a attemptCounter
			srv := httptest.NewServer(tc.handler(&a))
			defer srv.Close()
			rep := send(t, Config{Target: srv.URL, Count: count, Retry: tc.retry, MaxInFlight: 8})
			want(t, "events", rep.Events, count)
			tc.check(t, rep)
		})
	}
}

func want(t *testing.T, what string, got, want uint64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", what, got, want)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		n := len(times)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			return
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	// Retry-After says 1 s; MaxBackoff caps the wait at 300 ms.
	rep := send(t, Config{Target: srv.URL, Count: 1, Retry: RetryPolicy{On: RetryTooMany, MaxBackoff: 300 * time.Millisecond}})
	want(t, "acknowledged", rep.Acknowledged, 1)
	if len(times) != 2 {
		t.Fatalf("%d attempts, want 2", len(times))
	}
	// At least the capped wait; that the cap holds (the wait is not the
	// full 1 s) is TestBackoffIsSeededFullJitter's, with no clock.
	if gap := times[1].Sub(times[0]); gap < 250*time.Millisecond {
		t.Errorf("second attempt %v after the first, want at least about 300ms (Retry-After capped by MaxBackoff)", gap)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"3", 3 * time.Second}, {"-1", 0}, {"soon", 0},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second},
		{now.Add(-5 * time.Second).Format(http.TimeFormat), 0},
	} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestBackoffIsSeededFullJitter(t *testing.T) {
	r := &run{seed: 3, retry: RetryPolicy{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second}}
	for attempt := 1; attempt <= 6; attempt++ {
		ceil := min(time.Second, 100*time.Millisecond<<(attempt-1))
		var seen time.Duration
		for i := uint64(0); i < 200; i++ {
			d := r.backoff(i, attempt, 0)
			if d < 0 || d >= ceil {
				t.Fatalf("attempt %d: backoff %v outside [0, %v)", attempt, d, ceil)
			}
			if d != r.backoff(i, attempt, 0) {
				t.Fatal("backoff is not a function of (seed, event, attempt)")
			}
			seen = max(seen, d)
		}
		if seen < ceil/2 {
			t.Errorf("attempt %d: largest backoff %v of 200, want spread up to %v", attempt, seen, ceil)
		}
	}
	// Each (event, attempt) draws on its own: attempt 65 of an event is
	// not attempt 1 of the next one scaled.
	same := 0
	for i := uint64(0); i < 200; i++ {
		if r.backoff(i, 65, 0) == 10*r.backoff(i+1, 1, 0) {
			same++
		}
	}
	if same > 2 {
		t.Errorf("%d of 200 events: attempt 65's jitter is the next event's attempt 1", same)
	}
	if d := r.backoff(1, 1, 5*time.Second); d != time.Second {
		t.Errorf("Retry-After 5s gave %v, want MaxBackoff 1s", d)
	}
}

func TestUnreachableTargetFailsEveryEvent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name     string
		on       RetryOn
		attempts uint64
	}{
		{"default policy: no retry", 0, 1},
		{"conn errors retried", RetryConnError, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := send(t, Config{Target: "http://" + addr + "/cb", Count: 10, Retry: RetryPolicy{On: tc.on}})
			want(t, "failed", rep.Failed, 10)
			want(t, "refused", rep.Errors[ErrKindRefused], 10*tc.attempts)
			if bs := rep.Check(Thresholds{}); len(bs) != 1 || bs[0].Name != "max-failed" {
				t.Errorf("breaches %v, want max-failed", bs)
			}
			if bs := rep.Check(Thresholds{MaxFailed: 10}); len(bs) != 0 {
				t.Errorf("breaches %v with max-failed 10, want none", bs)
			}
		})
	}
}

// TestResetConnections has the receiver reset every connection.
func TestResetConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			c.SetReadDeadline(time.Now().Add(time.Second))
			c.Read(buf)
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	}()
	rep := send(t, Config{Target: "http://" + ln.Addr().String(), Count: 10, MaxInFlight: 2})
	ln.Close()
	wg.Wait()
	want(t, "failed", rep.Failed, 10)
	if rep.Errors[ErrKindReset]+rep.Errors[ErrKindClosed] != 10 {
		t.Errorf("errors %v, want 10 reset or closed", rep.Errors)
	}
}

func TestInterruptedRunIsAccountedAndJournalled(t *testing.T) {
	var seen atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if n := seen.Add(1); n > 50 {
			// Holds the rest, so the stop cuts attempts short; the stop
			// comes once ten are held, not after a time.
			if n == 60 {
				cancel()
			}
			<-r.Context().Done()
			return
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	var journal bytes.Buffer
	rep, err := Run(ctx, Config{
		Target: srv.URL + "/", Count: 1000, Profile: pace.Profile{{Duration: time.Second, From: 1000}},
		MaxInFlight: 50, Journal: &journal,
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error %v, want context.Canceled", err)
	}
	if !rep.Interrupted {
		t.Error("report not marked interrupted")
	}
	checkAccounting(t, rep)
	want(t, "events", rep.Events, 1000)
	if rep.NotSent == 0 || rep.Acknowledged == 0 {
		t.Errorf("acknowledged %d, not sent %d: want some of each", rep.Acknowledged, rep.NotSent)
	}
	lines := journalLines(t, &journal)
	if n := attemptLines(lines); n != rep.Attempts {
		t.Errorf("journal has %d attempt lines, report %d attempts", n, rep.Attempts)
	}
	finals := map[string]uint64{}
	for _, l := range lines {
		if l.Final != "" {
			finals[l.Final]++
		}
	}
	want(t, "journal acknowledged", finals[string(Acknowledged)], rep.Acknowledged)
}

// attemptLines counts the journal lines of attempts (not the "attempt":0
// lines of events that ended without one).
func attemptLines(lines []journalLine) uint64 {
	var n uint64
	for _, l := range lines {
		if l.Attempt > 0 {
			n++
		}
	}
	return n
}

type journalLine struct {
	Index     uint64 `json:"index"`
	TaskID    string `json:"taskId"`
	Attempt   int    `json:"attempt"`
	Duplicate bool   `json:"duplicate"`
	Intended  string `json:"intended"`
	Start     string `json:"start"`
	LatencyNs int64  `json:"latencyNs"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Malformed string `json:"malformed"`
	Final     string `json:"final"`
	Reason    string `json:"reason"`
	Count     uint64 `json:"count"`
	// LastIntended: on a line of events the schedule's end left unsent.
	LastIntended string `json:"lastIntended"`
}

func journalLines(t *testing.T, r io.Reader) []journalLine {
	t.Helper()
	var out []journalLine
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var l journalLine
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("journal line %q: %v", sc.Text(), err)
		}
		if l.TaskID == "" && l.Count == 0 || l.Attempt < 0 || l.Attempt == 0 && l.Final == "" {
			t.Fatalf("journal line %q lacks task id or attempt", sc.Text())
		}
		out = append(out, l)
	}
	return out
}

// countingTransport counts the round trips in progress at once.
type countingTransport struct {
	base      http.RoundTripper
	now, peak atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.now.Add(1)
	defer c.now.Add(-1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return c.base.RoundTrip(r)
}

func TestStalledReceiverKeepsInFlightBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // lets the server notice the client hang up
		stall(r, 5*time.Second)
	}))
	defer srv.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	tr := &countingTransport{base: base}
	rep := send(t, Config{
		Target: srv.URL, Count: 100, MaxInFlight: 10, Transport: tr,
		Retry: RetryPolicy{Timeout: 40 * time.Millisecond, Attempts: 1},
	})
	want(t, "failed", rep.Failed, 100)
	want(t, "timeouts", rep.Errors[ErrKindTimeout], 100)
	if p := tr.peak.Load(); p != 10 {
		t.Errorf("%d requests at once, want MaxInFlight 10", p)
	}
	if rep.Late == 0 {
		t.Error("no event counted late though the in-flight bound was reached")
	}
}

func TestFaults(t *testing.T) {
	const count = 200
	const seed = 11
	expect := func(salt uint64, share float64) uint64 {
		var n uint64
		for i := uint64(0); i < count; i++ {
			if unit(seed, salt, i) < share {
				n++
			}
		}
		return n
	}
	t.Run("duplicates", func(t *testing.T) {
		rcv := &receiver.Receiver{}
		srv := httptest.NewServer(rcv)
		defer srv.Close()
		rep := send(t, Config{Target: srv.URL, Seed: seed, Count: count, Faults: Faults{Duplicate: 0.2}})
		n := expect(saltDuplicate, 0.2)
		if n == 0 {
			t.Fatal("no event chosen to be duplicated")
		}
		want(t, "duplicates", rep.Duplicates, n)
		want(t, "acknowledged", rep.Acknowledged, count)
		st := rcv.Stats()
		want(t, "receiver duplicates", st.Duplicates, n)
		want(t, "receiver distinct", st.Distinct, count)
	})
	t.Run("reorder", func(t *testing.T) {
		g, _ := generator.New(generator.Config{Seed: seed})
		index := map[string]int{}
		for i := 0; i < count; i++ {
			e := g.Event(uint64(i))
			index[e.TaskID] = i
		}
		var mu sync.Mutex
		var order []int
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			e, _, _, err := generator.Decode(body)
			if err != nil {
				t.Errorf("malformed body: %v", err)
			}
			mu.Lock()
			order = append(order, index[e.TaskID])
			mu.Unlock()
		}))
		defer srv.Close()
		rep := send(t, Config{Target: srv.URL, Source: g, Seed: seed, Count: count, MaxInFlight: 1,
			Faults: Faults{Reorder: 0.2, ReorderWindow: 5}})
		want(t, "reordered", rep.Reordered, expect(saltReorder, 0.2))
		if len(order) != count {
			t.Fatalf("received %d, want %d", len(order), count)
		}
		if sort.IntsAreSorted(order) {
			t.Fatal("arrival order is sorted: nothing was reordered")
		}
		for pos, i := range order {
			if pos-i > 6 {
				t.Errorf("event %d arrived at position %d: later than the window allows", i, pos)
			}
		}
		seen := map[int]bool{}
		for _, i := range order {
			seen[i] = true
		}
		if len(seen) != count {
			t.Errorf("%d distinct events arrived, want %d", len(seen), count)
		}
	})
	for _, kind := range Malformations {
		for _, format := range []generator.Format{generator.FormatV4, generator.FormatV3} {
			t.Run("malformed "+string(kind)+" "+string(format), func(t *testing.T) {
				rcv := &receiver.Receiver{}
				srv := httptest.NewServer(rcv)
				defer srv.Close()
				rep := send(t, Config{Target: srv.URL, Seed: seed, Count: 20, Encoding: generator.Encoding{Format: format},
					Faults: Faults{Malformed: 1, MalformedKinds: []Malformation{kind}}})
				want(t, "malformed", rep.Malformed, 20)
				st := rcv.Stats()
				want(t, "receiver malformed", st.Malformed, 20)
				if st.AllWellFormed() {
					t.Error("receiver says all well-formed")
				}
			})
		}
	}
	t.Run("delay", func(t *testing.T) {
		srv := httptest.NewServer(&receiver.Receiver{})
		defer srv.Close()
		start := time.Now()
		var journal bytes.Buffer
		rep := send(t, Config{Target: srv.URL, Seed: seed, Count: 5, Journal: &journal,
			Faults: Faults{DelayMin: 60 * time.Millisecond, DelayMax: 80 * time.Millisecond}})
		want(t, "delayed", rep.Delayed, 5)
		if el := time.Since(start); el < 60*time.Millisecond {
			t.Errorf("run took %v, want at least the 60ms delay", el)
		}
		// Lateness is start minus send time: the delay must be in the send
		// time (at least DelayMin after the run began), or it would count
		// as lateness.
		for _, l := range journalLines(t, &journal) {
			intended, err := time.Parse(time.RFC3339Nano, l.Intended)
			if err != nil {
				t.Fatal(err)
			}
			if d := intended.Sub(start); d < 60*time.Millisecond {
				t.Errorf("event %d: send time %v after the start, want the added delay (60ms or more) in it", l.Index, d)
			}
		}
	})
}

// TestDelayLeavesTheAchievedRateAlone feeds the tally the first attempts of
// a paced run at 200/s, each postponed by an added delay of up to 300ms and
// started on time: the achieved rate is the pace, 200/s. Counted from the
// actual starts, the delays would stretch the span by a third.
func TestDelayLeavesTheAchievedRateAlone(t *testing.T) {
	const n = 201
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tl := newTally(&run{}, nil)
	tl.start = t0
	for i := range uint64(n) {
		sched := t0.Add(time.Duration(i) * 5 * time.Millisecond)
		delay := time.Duration((i*7919)%301) * time.Millisecond
		if i == n-1 {
			delay = 300 * time.Millisecond
		}
		start := sched.Add(delay).Add(100 * time.Microsecond)
		tl.add(&result{idx: i, attempt: 1, intended: sched.Add(delay), start: start, service: time.Millisecond,
			status: 200, delayed: delay > 0, delay: delay, attempted: true, final: true, state: Acknowledged})
	}
	rep := tl.report(t0.Add(2*time.Second), dispatchStats{generated: n, dispatched: n,
		firstIntended: t0, lastIntended: t0.Add(time.Second)})
	// 200 starts over 1s and the last one's 100µs.
	if math.Abs(rep.AchievedRate-200) > 0.05 {
		t.Errorf("achieved %.3f/s, want the pace of 200/s: added delays moved the rate", rep.AchievedRate)
	}
	if rep.Lateness.Max > time.Millisecond {
		t.Errorf("lateness max %v, want 100µs: the added delays counted as lateness", rep.Lateness.Max)
	}
}

// TestFaultsReproducibleAtAnyConcurrency compares the journals of the
// same seed sent with 1 and 32 events in flight.
func TestFaultsReproducibleAtAnyConcurrency(t *testing.T) {
	srv := httptest.NewServer(&receiver.Receiver{})
	defer srv.Close()
	decisions := func(inflight int) []string {
		var j bytes.Buffer
		send(t, Config{Target: srv.URL, Seed: 5, Count: 300, MaxInFlight: inflight, Journal: &j,
			Faults: Faults{Duplicate: 0.1, Malformed: 0.1, Reorder: 0.1}})
		var out []string
		for _, l := range journalLines(t, &j) {
			out = append(out, strings.Join([]string{l.TaskID, l.Malformed, map[bool]string{true: "dup"}[l.Duplicate]}, "|"))
		}
		sort.Strings(out)
		return out
	}
	a, b := decisions(1), decisions(32)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Error("fault decisions differ between 1 and 32 in flight")
	}
}

func TestSigning(t *testing.T) {
	for _, tc := range []struct {
		name, rcvKey string
		bad          uint64
	}{
		{"receiver has the key", "abc123", 0},
		{"receiver has another key", "other", 10},
		{"receiver checks no key", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := &receiver.Receiver{SignKey: tc.rcvKey}
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			send(t, Config{Target: srv.URL, Count: 10, SignKey: "abc123", Encoding: generator.Encoding{Format: generator.FormatV3}})
			st := rcv.Stats()
			want(t, "signed", st.Signed, 10)
			want(t, "bad signature", st.BadSignature, tc.bad)
			want(t, "well-formed", st.WellFormed, 10-tc.bad)
			want(t, "distinct", st.Distinct, 10)
		})
	}
}

func TestRequestShape(t *testing.T) {
	var got http.Header
	var method string
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, method = r.Header.Clone(), r.Method
		body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	send(t, Config{Target: srv.URL, Count: 1, Version: "1.2.3", Headers: http.Header{"X-Env": {"ci"}}})
	if method != http.MethodPost {
		t.Errorf("method %s, want POST", method)
	}
	for k, v := range map[string]string{"Content-Type": "application/json", "User-Agent": "vodsim/1.2.3", "X-Env": "ci"} {
		if got.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.Get(k), v)
		}
	}
	g, _ := generator.New(generator.Config{})
	e := g.Event(0)
	if wantBody := (generator.Encoding{}).Marshal(&e); !bytes.Equal(body, wantBody) {
		t.Errorf("body\n%s\nwant event 0 of seed 0\n%s", body, wantBody)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		msg  string
	}{
		{"no target", Config{}, "no target"},
		{"bad scheme", Config{Target: "ftp://x"}, "scheme"},
		{"no host", Config{Target: "http://"}, "no host"},
		{"port only", Config{Target: "http://:8080/"}, "no host"},
		{"port out of range", Config{Target: "http://127.0.0.1:70000/"}, "out of range"},
		{"port zero", Config{Target: "http://127.0.0.1:0/"}, "out of range"},
		{"empty port", Config{Target: "http://127.0.0.1:/"}, "empty port"},
		{"negative duration", Config{Target: "http://x", Duration: -1}, "negative"},
		{"bad phase", Config{Target: "http://x", Profile: pace.Profile{{Duration: time.Second}}}, "rate"},
		{"bad share", Config{Target: "http://x", Faults: Faults{Duplicate: 2}}, "duplicate"},
		{"bad kind", Config{Target: "http://x", Faults: Faults{MalformedKinds: []Malformation{"x"}}}, "malformation"},
		{"sign key with v4", Config{Target: "http://x", SignKey: "abc"}, "3.0"},
		{"bad sign key", Config{Target: "http://x", SignKey: "a-b", Encoding: generator.Encoding{Format: generator.FormatV3}}, "letters"},
		{"content-type header", Config{Target: "http://x", Headers: http.Header{"Content-Type": {"x"}}}, "Content-Type"},
		{"transfer-encoding header", Config{Target: "http://x", Headers: http.Header{"transfer-encoding": {"chunked"}}}, "Transfer-Encoding"},
		{"header name with a space", Config{Target: "http://x", Headers: http.Header{"X Env": {"ci"}}}, "X Env"},
		{"header value with a newline", Config{Target: "http://x", Headers: http.Header{"X-Env": {"ci\r\nX-Evil: 1"}}}, "control character"},
		{"delay range", Config{Target: "http://x", Faults: Faults{DelayMin: 2, DelayMax: 1}}, "delay"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Run(context.Background(), tc.cfg)
			if !errors.Is(err, ErrConfig) || rep != nil {
				t.Fatalf("Run = %v, %v; want ErrConfig and no report", rep, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}

func TestReportTextAndJSONAgree(t *testing.T) {
	rcv := &receiver.Receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	var calls atomic.Int64
	rep := send(t, Config{Target: srv.URL, Count: 50, Profile: pace.Profile{{Duration: time.Second, From: 500}},
		Progress: func(Progress) { calls.Add(1) }, ProgressInterval: 10 * time.Millisecond})
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	if back.Acknowledged != 50 || back.StatusCodes[200] != 50 {
		t.Errorf("JSON report lost numbers: %+v", back)
	}
	for _, s := range []string{"50 acknowledged", "200: 50", "target 500.0/s"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text report lacks %q:\n%s", s, text.String())
		}
	}
	if calls.Load() == 0 {
		t.Error("progress never called")
	}
	if rep.TargetRate < 490 || rep.TargetRate > 510 {
		t.Errorf("target rate %.1f, want 500", rep.TargetRate)
	}
}

func TestThresholds(t *testing.T) {
	rep := &Report{Events: 100, Acknowledged: 95, Failed: 5, TargetRate: 100, AchievedRate: 90, ScheduleSpan: 10 * time.Second,
		Latency: Percentiles{Count: 95, P99: 300 * time.Millisecond}}
	for _, tc := range []struct {
		th   Thresholds
		want []string
	}{
		{Thresholds{MaxFailed: 5}, nil},
		{Thresholds{}, []string{"max-failed"}},
		{Thresholds{MaxFailed: 5, MaxP99: 200 * time.Millisecond}, []string{"max-p99"}},
		{Thresholds{MaxFailed: 5, MaxP99: time.Second, MinRate: 0.95}, []string{"min-rate"}},
		{Thresholds{MaxFailed: 5, MinRate: 0.9}, nil},
	} {
		var got []string
		for _, b := range rep.Check(tc.th) {
			got = append(got, b.Name)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("Check(%+v) = %v, want %v", tc.th, got, tc.want)
		}
	}
}

func TestStopWhileWaitingIsNotSent(t *testing.T) {
	// The waits here are an hour: a run that stops only after waiting
	// them out is caught by the limit below, on any machine.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(503)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name                 string
		cfg                  Config
		attempts             uint64
		notSent, interrupted uint64
	}{
		// Each event is answered 503 once, then waits an hour (Retry-After)
		// to retry: attempted, so interrupted, not "not sent".
		{"waiting to retry", Config{Count: 5, Retry: RetryPolicy{On: RetryServerError, MaxBackoff: time.Hour}}, 5, 0, 5},
		// Each event waits an hour of added delay before its first attempt.
		{"waiting out an added delay", Config{Count: 5, Faults: Faults{DelayMin: time.Hour, DelayMax: time.Hour}}, 0, 5, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var journal bytes.Buffer
			cfg := tc.cfg
			cfg.Target, cfg.Journal = srv.URL, &journal
			// Stopped once every event has had its answer, or (no
			// attempt to wait for) after 300ms.
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			if tc.attempts > 0 {
				ctx, cancel = context.WithCancel(context.Background())
				cfg.ProgressInterval = 5 * time.Millisecond
				cfg.Progress = func(p Progress) {
					if p.Errors >= tc.attempts {
						cancel()
					}
				}
			}
			defer cancel()
			type ran struct {
				rep *Report
				err error
			}
			done := make(chan ran, 1)
			go func() {
				rep, err := Run(ctx, cfg)
				done <- ran{rep, err}
			}()
			var r ran
			select {
			case r = <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("Run did not stop within 60s of its context ending")
			}
			rep, err := r.rep, r.err
			if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Run error %v, want the context's", err)
			}
			checkAccounting(t, rep)
			want(t, "not sent", rep.NotSent, tc.notSent)
			want(t, "interrupted", rep.InterruptedEvents, tc.interrupted)
			want(t, "attempts", rep.Attempts, tc.attempts)
			if n := attemptLines(journalLines(t, &journal)); n != rep.Attempts {
				t.Errorf("journal has %d attempt lines, want one per attempt (%d)", n, rep.Attempts)
			}
		})
	}
}

func TestDurationWithoutRate(t *testing.T) {
	rcv := &receiver.Receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	rep := send(t, Config{Target: srv.URL, Duration: 200 * time.Millisecond, MaxInFlight: 4})
	// Every event started is acknowledged; one still waiting for a slot
	// when the schedule ended is not sent, for that reason.
	if rep.Acknowledged == 0 || rep.Acknowledged+rep.NotSent != rep.Events || rep.NotSent != rep.NotSentReasons["schedule ended"] {
		t.Errorf("events %d acknowledged %d not sent %d (%v), want the rest of some acknowledged not sent at the schedule's end",
			rep.Events, rep.Acknowledged, rep.NotSent, rep.NotSentReasons)
	}
	if st := rcv.Stats(); st.Distinct != rep.Acknowledged {
		t.Errorf("receiver saw %d distinct events, report says %d acknowledged", st.Distinct, rep.Acknowledged)
	}
	if rep.Duration < 200*time.Millisecond {
		t.Errorf("run lasted %v, want at least the 200ms asked for", rep.Duration)
	}
}

// lateReader is a transport that answers at once and reads the request
// body afterwards, as http.Transport may when a receiver answers before
// it has read the whole body: RoundTrip returns, the body is still read.
type lateReader struct {
	wg     sync.WaitGroup
	mu     sync.Mutex
	bodies [][]byte
}

func (l *lateReader) RoundTrip(req *http.Request) (*http.Response, error) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		time.Sleep(2 * time.Millisecond)
		b, _ := io.ReadAll(req.Body)
		req.Body.Close()
		l.mu.Lock()
		l.bodies = append(l.bodies, b)
		l.mu.Unlock()
	}()
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}")), Header: http.Header{}}, nil
}

// TestBodyReadAfterAnswer: a transport may read an attempt's body after
// RoundTrip returned; the next event must not overwrite it meanwhile.
func TestBodyReadAfterAnswer(t *testing.T) {
	lr := &lateReader{}
	rep := send(t, Config{Target: "http://127.0.0.1:1/", Count: 50, MaxInFlight: 1, Transport: lr})
	lr.wg.Wait()
	if rep.Acknowledged != 50 {
		t.Fatalf("acknowledged %d of 50", rep.Acknowledged)
	}
	seen := map[string]bool{}
	for _, b := range lr.bodies {
		e, _, _, err := generator.Decode(b)
		if err != nil {
			t.Fatalf("body read after the answer is corrupt: %v: %q", err, b)
		}
		seen[e.TaskID] = true
	}
	if len(seen) != 50 {
		t.Errorf("%d distinct events in the bodies read, want 50", len(seen))
	}
}

// TestInterruptedWithFaultsAddsUp: a stop in the middle of a run with
// every fault and retries waiting still accounts for every event once,
// in every mode of ending a run.
func TestInterruptedWithFaultsAddsUp(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch n.Add(1) % 4 {
		case 0:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 1:
			stall(r, 5*time.Second)
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	faults := Faults{Duplicate: 0.2, Reorder: 0.3, ReorderWindow: 50, Malformed: 0.1, DelayMax: 20 * time.Millisecond}
	// A timeout generous enough that a loaded machine still answers some
	// attempts in time; the stalled ones always outlast it.
	retry := RetryPolicy{Timeout: 2 * time.Second, On: RetryTimeout | RetryServerError, Backoff: 10 * time.Millisecond}
	tests := []struct {
		name string
		cfg  Config
	}{
		{"count at a rate", Config{Count: 50000, Profile: pace.Profile{{Duration: time.Second, From: 2000}}}},
		{"duration at a rate", Config{Duration: 30 * time.Second, Profile: pace.Profile{{Duration: time.Second, From: 2000}}}},
		{"duration, unlimited rate", Config{Duration: 30 * time.Second, MaxInFlight: 20}},
		{"count, unlimited rate", Config{Count: 100000, MaxInFlight: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Target, cfg.Faults, cfg.Retry = srv.URL, faults, retry
			// Stop once some events are acknowledged, not after a fixed
			// time: a loaded machine may not answer any in 150 ms.
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg.ProgressInterval = 5 * time.Millisecond
			cfg.Progress = func(p Progress) {
				if p.Acknowledged >= 10 || p.Elapsed > 30*time.Second {
					cancel()
				}
			}
			rep, err := Run(ctx, cfg)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run error %v, want the cancellation", err)
			}
			checkAccounting(t, rep)
			if rep.NotSent == 0 || rep.Acknowledged == 0 {
				t.Errorf("acknowledged %d, not sent %d: want some of each", rep.Acknowledged, rep.NotSent)
			}
		})
	}
}

// TestBasicAuthFromTarget: a user:password in the target is sent as Basic
// authorization on every attempt, and the report and the journal show
// the target with the password masked.
func TestBasicAuthFromTarget(t *testing.T) {
	var bad atomic.Int64
	var lastBad atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "s3cr3t-pw" {
			bad.Add(1)
			lastBad.Store(r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	target := strings.Replace(srv.URL, "http://", "http://alice:s3cr3t-pw@", 1) + "/cb"
	var journal bytes.Buffer
	rep := send(t, Config{Target: target, Count: 5, Journal: &journal})
	if n := bad.Load(); n > 0 {
		t.Fatalf("%d requests without the right Basic authorization (last: %q)", n, lastBad.Load())
	}
	want(t, "acknowledged", rep.Acknowledged, 5)
	masked := strings.Replace(srv.URL, "http://", "http://alice:xxxxx@", 1) + "/cb"
	if rep.Target != masked {
		t.Errorf("report target %q, want %q", rep.Target, masked)
	}
	var text, js bytes.Buffer
	rep.WriteText(&text)
	rep.WriteJSON(&js)
	if !strings.Contains(text.String(), masked) || !strings.Contains(js.String(), masked) {
		t.Errorf("report does not show the masked target %q:\n%s\n%s", masked, text.String(), js.String())
	}
	for name, out := range map[string]string{"text": text.String(), "JSON": js.String(), "journal": journal.String()} {
		if strings.Contains(out, "s3cr3t") {
			t.Errorf("the %s report shows the password:\n%s", name, out)
		}
	}

	// An Authorization header of the user's wins over the URL's, as with
	// http.Client.
	bad.Store(0)
	rep = send(t, Config{Target: target, Count: 1, Headers: http.Header{"Authorization": {"Bearer t"}}})
	if bad.Load() != 1 || lastBad.Load() != "Bearer t" {
		t.Errorf("with an Authorization header: %d refused, last %q; want the header's Bearer t", bad.Load(), lastBad.Load())
	}
	want(t, "other status", rep.OtherStatus, 1)

	// A bad target's message masks the password too.
	_, err := Run(context.Background(), Config{Target: "ftp://bob:hunter2@x/"})
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "bob:xxxxx@") {
		t.Errorf("Run error %v: want the target with the password masked", err)
	}
}

func TestCheckHeader(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		msg         string // "" for a header a request may carry
	}{
		{"X-Env", "ci", ""},
		{"Authorization", "Bearer a.b-c~d", ""},
		{"User-Agent", "tester/1.0", ""},
		{"X-Tab", "a\tb", ""},
		{"X-Utf8", "caf\u00e9", ""},
		{"x-lower_case!#$%&'*+.^`|~", "v", ""},
		{"", "v", "empty name"},
		{"X Env", "v", "header name"},
		{"X:Env", "v", "header name"},
		{"X-\u00e9", "v", "header name"},
		{"X-Env", "a\nb", "control character"},
		{"X-Env", "a\rb", "control character"},
		{"X-Env", "a\x00b", "control character"},
		{"X-Env", "a\x7fb", "control character"},
		{"Content-Type", "text/plain", "set by vodsim"},
		{"content-length", "1", "Content-Length"},
		{"HOST", "example.com", "Host"},
		{"Transfer-Encoding", "chunked", "Transfer-Encoding"},
		{"Trailer", "X", "Trailer"},
	} {
		err := CheckHeader(tc.name, tc.value)
		switch {
		case tc.msg == "" && err != nil:
			t.Errorf("CheckHeader(%q, %q) = %v, want nil", tc.name, tc.value, err)
		case tc.msg != "" && (!errors.Is(err, ErrHeader) || !strings.Contains(err.Error(), tc.msg)):
			t.Errorf("CheckHeader(%q, %q) = %v, want ErrHeader mentioning %q", tc.name, tc.value, err, tc.msg)
		}
	}
}

// TestFirstErrorPerKind: the report keeps the first message of each error
// kind, in the text and in the JSON.
func TestFirstErrorPerKind(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	rep := send(t, Config{Target: "http://" + closed + "/cb", Count: 3, Retry: RetryPolicy{On: RetryConnError}})
	if m := rep.FirstErrors[ErrKindRefused]; !strings.Contains(m, "refused") || len(rep.FirstErrors) != 1 {
		t.Errorf("first errors %q, want one refused message", rep.FirstErrors)
	}

	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // never answers within the attempt's timeout
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	rep = send(t, Config{Target: srv.URL, Count: 2, Retry: RetryPolicy{Timeout: 50 * time.Millisecond, Attempts: 1}})
	want(t, "timeouts", rep.Errors[ErrKindTimeout], 2)
	msg := rep.FirstErrors[ErrKindTimeout]
	if !strings.HasPrefix(msg, "no answer within 50ms: ") {
		t.Fatalf("first errors %q, want a timeout message that gives the timeout", rep.FirstErrors)
	}
	var text, js bytes.Buffer
	rep.WriteText(&text)
	rep.WriteJSON(&js)
	if !strings.Contains(text.String(), "first timeout: "+msg) {
		t.Errorf("text report lacks the first timeout %q:\n%s", msg, text.String())
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.FirstErrors[ErrKindTimeout] != msg {
		t.Errorf("JSON first errors %q (%v), want timeout %q", back.FirstErrors, err, msg)
	}
}

// signalGetConn is a RoundTripper that tells, on asked, each time an
// attempt asks the pool of tr for a connection.
type signalGetConn struct {
	tr    *http.Transport
	asked chan struct{}
}

func (s signalGetConn) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GetConn: func(string) { s.asked <- struct{}{} },
	})
	return s.tr.RoundTrip(req.WithContext(ctx))
}

// TestConnWaitShowsQueueing: with the only connection held by a slow
// attempt, the next attempt's wait for a connection is in the report.
func TestConnWaitShowsQueueing(t *testing.T) {
	const hold = 100 * time.Millisecond
	asked := make(chan struct{}, 4)
	var first atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if first.CompareAndSwap(false, true) {
			// Hold the only connection until the other attempt has
			// asked for one, and hold before answering.
			for range 2 {
				select {
				case <-asked:
				case <-time.After(10 * time.Second):
					t.Error("the second attempt never asked for a connection")
				}
			}
			time.Sleep(hold)
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	tr := &http.Transport{MaxConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	rep := send(t, Config{Target: srv.URL, Count: 2, Transport: signalGetConn{tr, asked}})
	want(t, "acknowledged", rep.Acknowledged, 2)
	if rep.ConnWait.Count != 2 || rep.ConnWait.Max < hold {
		t.Errorf("conn wait %+v: want 2 samples, the longest at least %v", rep.ConnWait, hold)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "conn wait     p50") {
		t.Errorf("text report lacks the conn wait line:\n%s", text.String())
	}
}

// TestPayloadMix: the report counts the events sent by the outcome their
// payload carries, duplicates not again, as the generator made them.
func TestPayloadMix(t *testing.T) {
	srv := minimalReceiver()
	defer srv.Close()
	const n = 300
	g, err := generator.New(generator.Config{Seed: 11, Outcomes: generator.Mix(0.3)})
	if err != nil {
		t.Fatal(err)
	}
	var wantMix PayloadMix
	wantMix.FailureCodes = map[int]uint64{}
	for i := range uint64(n) {
		e := g.Event(i)
		if e.Success() {
			wantMix.Success++
		} else {
			wantMix.Failure++
			wantMix.FailureCodes[e.Status]++
		}
	}
	if wantMix.Success == 0 || wantMix.Failure == 0 {
		t.Fatalf("the generator made no mix: %+v", wantMix)
	}
	rep := send(t, Config{Target: srv.URL, Count: n, Source: g, Seed: 11, Faults: Faults{Duplicate: 0.5}})
	if rep.Duplicates == 0 {
		t.Fatal("no duplicates sent")
	}
	got := rep.Payloads
	if got.Success != wantMix.Success || got.Failure != wantMix.Failure || len(got.FailureCodes) != len(wantMix.FailureCodes) {
		t.Fatalf("payload mix %+v, want %+v", got, wantMix)
	}
	for c, k := range wantMix.FailureCodes {
		if got.FailureCodes[c] != k {
			t.Errorf("code %d: %d payloads, want %d", c, got.FailureCodes[c], k)
		}
	}
	var text, js bytes.Buffer
	rep.WriteText(&text)
	rep.WriteJSON(&js)
	// Over maxCodesListed codes, the text sums them by stage.
	fams := map[string]uint64{}
	for c, k := range wantMix.FailureCodes {
		ec, ok := generator.LookupCode(c)
		if !ok {
			t.Fatalf("the generator made undocumented code %d", c)
		}
		fams[ec.Family] += k
	}
	line := fmt.Sprintf("payloads      %d success, %d failure (by stage query: %d, screenshot: %d, screenshot-info: %d, source: %d; %d codes, each in --report-json)\n",
		wantMix.Success, wantMix.Failure, fams["query"], fams["screenshot"], fams["screenshot-info"], fams["source"], len(wantMix.FailureCodes))
	if len(fams) != 4 || !strings.Contains(text.String(), line) {
		t.Errorf("text report lacks %q:\n%s", line, text.String())
	}
	// A few codes are listed one by one, nearest zero first.
	few := Report{Payloads: PayloadMix{Success: 1, Failure: 4, FailureCodes: map[int]uint64{-47403: 1, -43001: 2, 70000: 1}}}
	text.Reset()
	few.WriteText(&text)
	if want := "payloads      1 success, 4 failure (by code -43001: 2, -47403: 1, 70000: 1)\n"; !strings.Contains(text.String(), want) {
		t.Errorf("text report lacks %q:\n%s", want, text.String())
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Payloads.Failure != wantMix.Failure || back.Payloads.Success != wantMix.Success {
		t.Errorf("JSON payloads %+v (%v), want %+v", back.Payloads, err, wantMix)
	}
}

// TestInsecureTLS: an https receiver with a self-signed certificate fails
// every event (a TLS error, not retried as a timeout) unless InsecureTLS
// is set, and then gets them all, over HTTP/1.1.
func TestInsecureTLS(t *testing.T) {
	var proto atomic.Value
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(r.Proto)
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	rep := send(t, Config{Target: srv.URL, Count: 5, Retry: RetryPolicy{Timeout: 5 * time.Second}})
	if rep.Failed != 5 || rep.Acknowledged != 0 {
		t.Errorf("self-signed, checked: %d failed, %d acknowledged; want all failed", rep.Failed, rep.Acknowledged)
	}
	rep = send(t, Config{Target: srv.URL, Count: 5, InsecureTLS: true})
	if rep.Acknowledged != 5 {
		t.Errorf("self-signed, InsecureTLS: %d of 5 acknowledged (errors %v %v)", rep.Acknowledged, rep.Errors, rep.FirstErrors)
	}
	if p, _ := proto.Load().(string); p != "HTTP/1.1" {
		t.Errorf("protocol %q, want HTTP/1.1 as VOD's callbacks", p)
	}
}

// TestTargetPasswordNeverShown: a target's password is masked in every
// config error, also when the target has no scheme (it parses with the
// password in its opaque part) or does not parse at all.
func TestTargetPasswordNeverShown(t *testing.T) {
	for _, target := range []string{
		"ci:s3cret@127.0.0.1:9000/",
		"http://ci:s3%cret@127.0.0.1:9000/",
		"ftp://ci:s3cret@127.0.0.1:9000/",
		"http://ci:s3cret@127.0.0.1:99999/",
	} {
		_, err := Run(context.Background(), Config{Target: target, Count: 1})
		if err == nil || !errors.Is(err, ErrConfig) {
			t.Fatalf("%s: error %v, want a config error", target, err)
		}
		if strings.Contains(err.Error(), "s3") || !strings.Contains(err.Error(), "ci:xxxxx@") {
			t.Errorf("%s: error %q shows the password or no masked target", target, err)
		}
	}
	for in, out := range map[string]string{
		"http://127.0.0.1:9000/a@b":      "http://127.0.0.1:9000/a@b",
		"127.0.0.1:9000/":                "127.0.0.1:9000/",
		"u:p@h:1/x@y":                    "u:xxxxx@h:1/x@y",
		"http://u:p@127.0.0.1:9000/hook": "http://u:xxxxx@127.0.0.1:9000/hook",
	} {
		if got := RedactTarget(in); got != out {
			t.Errorf("RedactTarget(%q) = %q, want %q", in, got, out)
		}
	}
}

// TestHeadersDifferingInCase: Config.Headers keys that differ only in
// case are one header; every value is sent, none dropped.
func TestHeadersDifferingInCase(t *testing.T) {
	got := make(chan []string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case got <- r.Header.Values("X-Env"):
		default:
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	rep := send(t, Config{Target: srv.URL, Count: 1, Headers: http.Header{"x-env": {"a"}, "X-Env": {"b"}}})
	want(t, "acknowledged", rep.Acknowledged, 1)
	vs := <-got
	sort.Strings(vs)
	if strings.Join(vs, ",") != "a,b" {
		t.Errorf("X-Env values %q, want a and b", vs)
	}
}

// TestInsecureTLSWithTransport: InsecureTLS cannot apply to a Transport
// the caller gives, so setting both is a config error, not ignored.
func TestInsecureTLSWithTransport(t *testing.T) {
	_, err := Run(context.Background(), Config{Target: "https://127.0.0.1:1/", Count: 1,
		InsecureTLS: true, Transport: &http.Transport{}})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "InsecureTLS") {
		t.Errorf("InsecureTLS with a Transport: error %v, want a config error naming InsecureTLS", err)
	}
}
