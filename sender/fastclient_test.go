package sender

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"hash/fnv"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/pace"
)

// behaviourReceiver answers each attempt of an event in a way chosen by
// its task id and attempt number, so two runs of the same seed meet the
// same answers whatever the order of their requests: 200; 429 with a
// Retry-After, then 200; 500 every time; a connection closed without an
// answer, then 200 with Connection: close; a stall until the client
// gives up, then 204; a chunked 200; 503, then a 200 whose body is over
// maxAnswer; 404.
func behaviourReceiver() (http.Handler, *headerLog) {
	var a attemptCounter
	hl := &headerLog{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hl.add(r)
		e, _, _, _ := generator.Decode(body)
		h := fnv.New32a()
		io.WriteString(h, e.TaskID)
		n := a.next(body)
		switch h.Sum32() % 8 {
		case 0:
			io.WriteString(w, "{}")
		case 1:
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			io.WriteString(w, "{}")
		case 2:
			w.WriteHeader(http.StatusInternalServerError)
		case 3:
			if n == 1 {
				if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
					c.Close()
				}
				return
			}
			w.Header().Set("Connection", "close")
			io.WriteString(w, "{}")
		case 4:
			if n == 1 {
				<-r.Context().Done()
				return
			}
			w.WriteHeader(http.StatusNoContent)
		case 5:
			io.WriteString(w, `{"code":`)
			w.(http.Flusher).Flush()
			io.WriteString(w, `0}`)
		case 6:
			if n == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.Write(bytes.Repeat([]byte{'x'}, maxAnswer+100))
		default:
			http.NotFound(w, r)
		}
	}), hl
}

// headerLog keeps the first request's line, Host and headers.
type headerLog struct {
	once   sync.Once
	method string
	uri    string
	host   string
	header http.Header
}

func (h *headerLog) add(r *http.Request) {
	h.once.Do(func() { h.method, h.uri, h.host, h.header = r.Method, r.RequestURI, r.Host, r.Header.Clone() })
}

// TestOwnClientReportsAsNetHTTP: the run's own client and an
// http.Transport given as Config.Transport make the same report of the
// same run against a receiver that answers 200, 429, 500, 503, 404, a
// close, a stall, Connection: close, a chunked and an oversized body, and
// the receiver sees the same request line and headers.
func TestOwnClientReportsAsNetHTTP(t *testing.T) {
	const count = 64
	type outcome struct {
		rep  *Report
		hl   *headerLog
		host string // the receiver's host:port
	}
	runWith := func(t *testing.T, tr http.RoundTripper) outcome {
		h, hl := behaviourReceiver()
		srv := httptest.NewServer(h)
		defer srv.Close()
		target := strings.Replace(srv.URL, "http://", "http://alice:pw@", 1) + "/cb?x=1"
		rep := send(t, Config{Target: target, Count: count, Seed: 5, Connections: 8, MaxInFlight: 16,
			Headers:   http.Header{"X-Env": {"a", "b"}, "User-Agent": {"tester/1"}},
			Transport: tr,
			// Long enough that only the stalled attempts time out on a
			// busy machine, short enough for the test.
			Retry: RetryPolicy{Timeout: 2 * time.Second, On: RetryTimeout | RetryServerError | RetryTooMany | RetryConnError,
				MaxBackoff: 5 * time.Millisecond}})
		hl.header.Del("Content-Length") // the first event to arrive may differ
		return outcome{rep, hl, srv.Listener.Addr().String()}
	}
	var own, std outcome
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); own = runWith(t, nil) }()
	go func() {
		defer wg.Done()
		tr := &http.Transport{MaxConnsPerHost: 8, DisableCompression: true}
		defer tr.CloseIdleConnections()
		std = runWith(t, tr)
	}()
	wg.Wait()
	if t.Failed() {
		return
	}
	a, b := own.rep, std.rep
	for _, k := range []string{ErrKindTimeout, ErrKindClosed} {
		if a.Errors[k] == 0 {
			t.Errorf("no %s error: the receiver's behaviours did not all come up (%v)", k, a.Errors)
		}
	}
	for _, c := range []int{200, 204, 404, 429, 500, 503} {
		if a.StatusCodes[c] == 0 {
			t.Errorf("no %d answer: the receiver's behaviours did not all come up (%v)", c, a.StatusCodes)
		}
	}
	same := func(what string, x, y any) {
		t.Helper()
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s: own client %v, net/http %v", what, x, y)
		}
	}
	same("events", a.Events, b.Events)
	same("acknowledged", a.Acknowledged, b.Acknowledged)
	same("other status", a.OtherStatus, b.OtherStatus)
	same("failed", a.Failed, b.Failed)
	same("attempts", a.Attempts, b.Attempts)
	same("retries", a.Retries, b.Retries)
	same("status codes", a.StatusCodes, b.StatusCodes)
	same("errors", a.Errors, b.Errors)
	same("first errors", a.FirstErrors, b.FirstErrors)
	same("conn wait samples", a.ConnWait.Count, b.ConnWait.Count)
	same("request line", own.hl.method+" "+own.hl.uri, std.hl.method+" "+std.hl.uri)
	same("host", own.hl.host == own.host, std.hl.host == std.host)
	same("headers", own.hl.header, std.hl.header)
	if u, p, ok := (&http.Request{Header: own.hl.header}).BasicAuth(); !ok || u != "alice" || p != "pw" {
		t.Errorf("own client's Authorization %q, want Basic alice:pw", own.hl.header.Get("Authorization"))
	}
}

// TestRequestHeadAsNetHTTP: the own client's request reads, to a server,
// as the one net/http writes for the same URL, header and body.
func TestRequestHeadAsNetHTTP(t *testing.T) {
	u, _ := url.Parse("http://example.com:8080/hook/a%20b?k=v&x=%2F")
	header := http.Header{"User-Agent": {"vodsim/1"}, "Content-Type": {"application/json"},
		"X-Multi": {"1", " 2 "}, "Authorization": {"Basic YTpi"}}
	body := []byte(`{"a":1}`)
	ours := append(requestHead(u, header), "7\r\n\r\n"...)
	ours = append(ours, body...)
	var theirs bytes.Buffer
	req, _ := http.NewRequest(http.MethodPost, u.String(), bytes.NewReader(body))
	req.Header = header
	if err := req.Write(&theirs); err != nil {
		t.Fatal(err)
	}
	read := func(b []byte) (*http.Request, []byte) {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
		if err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		return r, body
	}
	a, ab := read(ours)
	b, bb := read(theirs.Bytes())
	if a.Method != b.Method || a.RequestURI != b.RequestURI || a.Host != b.Host || a.Proto != b.Proto ||
		!bytes.Equal(ab, bb) || !reflect.DeepEqual(a.Header, b.Header) {
		t.Errorf("own request\n%q\nnet/http's\n%q", ours, theirs.Bytes())
	}
	// No User-Agent given: net/http's default; an empty one: none.
	if h := string(requestHead(u, http.Header{})); !strings.Contains(h, "User-Agent: Go-http-client/1.1\r\n") {
		t.Errorf("head without a User-Agent: %q", h)
	}
	if h := string(requestHead(u, http.Header{"User-Agent": {""}})); strings.Contains(h, "User-Agent") {
		t.Errorf("head with an empty User-Agent: %q", h)
	}
}

// TestOwnClientConnectionCap: the run's own client opens at most
// Connections connections however many events are in flight, and reuses
// them.
func TestOwnClientConnectionCap(t *testing.T) {
	var open, peak, total atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(5 * time.Millisecond) // so events queue for the 4
		io.WriteString(w, "{}")
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			total.Add(1)
			n := open.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	defer srv.Close()
	rep := send(t, Config{Target: srv.URL, Count: 200, Connections: 4, MaxInFlight: 50,
		Profile: pace.Profile{{Duration: time.Second, From: 1000}}})
	// Those still waiting for an in-flight slot at the last one's send
	// time are not sent.
	if rep.Acknowledged < 4 || rep.Acknowledged+rep.NotSent != 200 {
		t.Errorf("acknowledged %d, not sent %d of 200 (errors %v)", rep.Acknowledged, rep.NotSent, rep.Errors)
	}
	if p := peak.Load(); p > 4 {
		t.Errorf("%d connections open at once, want at most 4", p)
	}
	if n := total.Load(); n > 4 {
		t.Errorf("%d connections opened over 4, want them reused", n)
	}
}

// TestOwnClientConnWait: with the only connection held by a slow
// answer, the next attempt's wait for it is in the report.
func TestOwnClientConnWait(t *testing.T) {
	const hold = 100 * time.Millisecond
	waiting := make(chan struct{}, 1)
	hook := func() {
		select {
		case waiting <- struct{}{}:
		default:
		}
	}
	fastWaitHook.Store(&hook)
	defer fastWaitHook.Store(nil)
	var first atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if first.CompareAndSwap(false, true) {
			select {
			case <-waiting:
			case <-time.After(10 * time.Second):
				t.Error("the second attempt never waited for the connection")
			}
			time.Sleep(hold)
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	rep := send(t, Config{Target: srv.URL, Count: 2, Connections: 1,
		Profile: pace.Profile{{Duration: time.Second, From: 1000}}})
	want(t, "acknowledged", rep.Acknowledged, 2)
	if rep.ConnWait.Count != 2 || rep.ConnWait.Max < hold {
		t.Errorf("conn wait %+v: want 2 samples, the longest at least %v", rep.ConnWait, hold)
	}
}

// TestOwnClientIdleClosedByReceiver: a receiver that closes idle
// keep-alive connections (a short idle timeout) costs no event: a
// connection it closed is not reused.
func TestOwnClientIdleClosedByReceiver(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "{}")
	}))
	srv.Config.IdleTimeout = 20 * time.Millisecond
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	// One event every 100 ms: every connection has been closed by the
	// receiver when the next event comes.
	rep := send(t, Config{Target: srv.URL, Count: 5, Connections: 1,
		Profile: pace.Profile{{Duration: time.Second, From: 10}}})
	want(t, "acknowledged", rep.Acknowledged, 5)
	if len(rep.Errors) != 0 {
		t.Errorf("errors %v, want none", rep.Errors)
	}
	if conns.Load() < 2 {
		t.Errorf("%d connections for 5 events 100ms apart with a 20ms idle timeout: closed ones were reused", conns.Load())
	}
}

// TestOwnClientTLSHandshakeTimeout: a receiver that accepts connections
// but never answers the TLS handshake times attempts out, as with
// net/http.
func TestOwnClientTLSHandshakeTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held sync.WaitGroup
	release := make(chan struct{})
	accepting := make(chan struct{})
	go func() {
		defer close(accepting)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held.Add(1)
			go func() {
				defer held.Done()
				<-release
				c.Close()
			}()
		}
	}()
	defer func() { ln.Close(); <-accepting; close(release); held.Wait() }()
	target := "https://" + ln.Addr().String() + "/"
	var reps []*Report
	for _, tr := range []http.RoundTripper{nil, &http.Transport{}} {
		reps = append(reps, send(t, Config{Target: target, Count: 2, Transport: tr,
			Retry: RetryPolicy{Timeout: 100 * time.Millisecond, Attempts: 1}}))
	}
	for i, rep := range reps {
		want(t, "timeouts", rep.Errors[ErrKindTimeout], 2)
		want(t, "failed", rep.Failed, 2)
		if i > 0 && rep.FirstErrors[ErrKindTimeout] != reps[0].FirstErrors[ErrKindTimeout] {
			t.Errorf("first timeout %q, own client's %q", rep.FirstErrors[ErrKindTimeout], reps[0].FirstErrors[ErrKindTimeout])
		}
	}
}

// TestOwnClientStopWhileWaitingForAConnection: a run stopped while its
// attempts hold every connection and others wait for one ends at once;
// every attempt started is interrupted.
func TestOwnClientStopWhileWaitingForAConnection(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var held atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		held.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	waiting := make(chan struct{}, 16)
	hook := func() { waiting <- struct{}{} }
	fastWaitHook.Store(&hook)
	defer fastWaitHook.Store(nil)
	go func() {
		// Stop once two attempts hold the connections and a third waits.
		<-waiting
		for held.Load() < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	done := make(chan struct{})
	var rep *Report
	var err error
	go func() {
		defer close(done)
		rep, err = Run(ctx, Config{Target: srv.URL, Count: 3, Connections: 2, MaxInFlight: 3,
			Profile: pace.Profile{{Duration: time.Second, From: 1000}}, Retry: RetryPolicy{Timeout: time.Hour}})
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not end within 60s of its stop")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error %v, want the cancellation", err)
	}
	checkAccounting(t, rep)
	want(t, "interrupted", rep.InterruptedEvents, 3)
	want(t, "interrupted attempts", rep.Errors[ErrKindInterrupted], 3)
}

// TestOwnClientReadsAnswers: what the own client makes of answers on the
// wire: the status, the Retry-After wait (its header in any case),
// whether the connection can be reused, and the error of an answer that
// is not one.
func TestOwnClientReadsAnswers(t *testing.T) {
	big := strings.Repeat("x", maxAnswer+1)
	for _, tc := range []struct {
		name, wire string
		status     int
		ra         time.Duration
		reuse      bool
		errKind    string
	}{
		{"200 with a body", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 200, 0, true, ""},
		{"lower-case retry-after", "HTTP/1.1 429 Too Many Requests\r\nretry-after: 7\r\ncontent-length: 0\r\n\r\n", 429, 7 * time.Second, true, ""},
		{"503 with Retry-After", "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n", 503, 2 * time.Second, true, ""},
		{"Retry-After on a 500 is not read", "HTTP/1.1 500 Internal Server Error\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n", 500, 0, true, ""},
		{"Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", 200, 0, false, ""},
		{"HTTP/1.0 without keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}", 200, 0, false, ""},
		{"HTTP/1.0 with keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}", 200, 0, true, ""},
		{"100 Continue first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 201, 0, true, ""},
		{"chunked with a trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-T: 1\r\n\r\n", 200, 0, true, ""},
		{"204 without a body", "HTTP/1.1 204 No Content\r\n\r\n", 204, 0, true, ""},
		{"body until the close", "HTTP/1.1 200 OK\r\n\r\n{}", 200, 0, false, ""},
		{"body over maxAnswer: counted, not reused", "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n" + big, 200, 0, false, ""},
		{"body cut short: counted, not reused", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", 200, 0, false, ""},
		{"nothing", "", 0, 0, false, ErrKindClosed},
		{"headers cut short", "HTTP/1.1 200 OK\r\nContent-Le", 0, 0, false, ErrKindClosed},
		{"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", 0, 0, false, ErrKindConn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newFastExchange(nil)
			ctx := context.Background()
			status, ra, reuse, err := x.read(ctx, bufio.NewReaderSize(strings.NewReader(tc.wire), fastReadBuffer))
			kind := ""
			if err != nil {
				kind = classify(ctx, err)
			}
			if status != tc.status || ra != tc.ra || reuse != tc.reuse || kind != tc.errKind {
				t.Errorf("status %d, Retry-After %v, reuse %v, error %v (%s); want %d, %v, %v, %q",
					status, ra, reuse, err, kind, tc.status, tc.ra, tc.reuse, tc.errKind)
			}
		})
	}
}

// TestOwnClientDialsTwoAtOnce: events that find every connection busy
// do not each dial one: at most maxDialing dials are under way at once,
// and the pool still grows past them to the connections the receiver
// needs.
func TestOwnClientDialsTwoAtOnce(t *testing.T) {
	var dialing, most atomic.Int64
	hook := func() {
		n := dialing.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(2 * time.Millisecond) // a slow dial: others come meanwhile
		dialing.Add(-1)
	}
	fastDialHook.Store(&hook)
	defer fastDialHook.Store(nil)
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(20 * time.Millisecond) // every connection busy a while
		io.WriteString(w, "{}")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	rep := send(t, Config{Target: srv.URL, Count: 48, Connections: 16, MaxInFlight: 16})
	want(t, "acknowledged", rep.Acknowledged, 48)
	if m := most.Load(); m > maxDialing {
		t.Errorf("%d dials under way at once, want at most %d", m, maxDialing)
	}
	if n := opened.Load(); n <= maxDialing || n > 16 {
		t.Errorf("%d connections opened, want more than %d and at most 16", n, maxDialing)
	}
}

// TestOwnClientWakesOneWaiter: attempts waiting for a connection are
// woken one at a time. Many attempts wait while the pool dials its
// connections; each dial's end and each slot freed wakes one of them,
// not all, so the wake-ups stay within a few per connection however
// many attempts wait. (Waking every waiter on each dial's end once
// starved the run's own dials and reads of CPU: at 10,000 events/s a
// run's start could stall for seconds.)
func TestOwnClientWakesOneWaiter(t *testing.T) {
	const conns, waiters = 16, 300
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	fc := newFastClient(u, nil, conns, false)
	gate := make(chan struct{})
	dialHook := func() { <-gate }
	fastDialHook.Store(&dialHook)
	defer fastDialHook.Store(nil)
	var waiting, wakes atomic.Int64
	waitHook := func() { waiting.Add(1) }
	fastWaitHook.Store(&waitHook)
	defer fastWaitHook.Store(nil)
	wakeHook := func() { wakes.Add(1) }
	fastWakeHook.Store(&wakeHook)
	defer fastWakeHook.Store(nil)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Int64
	held := make(chan *fastConn, conns)
	var wg sync.WaitGroup
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			timer := time.NewTimer(time.Hour)
			timer.Stop()
			c, err := fc.get(ctx, time.Now().Add(time.Minute), timer)
			if err == nil {
				got.Add(1)
				held <- c // kept: the others go on waiting
			}
		}()
	}
	until := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(20 * time.Second); !ok(); time.Sleep(time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	// Two attempts dial (held at the gate); every other one waits.
	until("the attempts to wait", func() bool { return waiting.Load() == waiters-maxDialing })
	for i := range conns {
		gate <- struct{}{}
		until("a connection", func() bool { return got.Load() == int64(i+1) })
	}
	cancel()
	wg.Wait()
	close(held)
	for c := range held {
		c.c.Close()
	}
	// Each dial's end wakes the attempt that dials next, and each slot
	// wakes the one that takes it: a few per connection. Waking every
	// waiter would be about waiters per connection.
	if w := wakes.Load(); w > 4*conns {
		t.Errorf("%d wake-ups of waiting attempts to open %d connections with %d waiting, want at most %d",
			w, conns, waiters, 4*conns)
	}
}
