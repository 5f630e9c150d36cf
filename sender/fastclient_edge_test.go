package sender

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer answers every POST with 200 and counts the connections
// it accepts.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "{}")
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func fastDo(t *testing.T, x *fastExchange, timeout time.Duration) int {
	t.Helper()
	var g, gc time.Time
	status, _, err := x.do(context.Background(), []byte(`{}`), timeout, &g, &gc)
	if err != nil {
		t.Fatalf("attempt: %v", err)
	}
	return status
}

// TestOwnClientReusesConnectionIdlePastLastDeadline: a keep-alive
// connection that sat idle for longer than what was left of its last
// attempt's timeout is still open and is reused, not taken for one the
// receiver closed.
func TestOwnClientReusesConnectionIdlePastLastDeadline(t *testing.T) {
	srv, conns := countingServer(t)
	u, _ := url.Parse(srv.URL)
	fc := newFastClient(u, http.Header{}, 1, false)
	defer fc.CloseIdleConnections()
	x := newFastExchange(fc)
	const timeout = 200 * time.Millisecond
	for i := 0; i < 3; i++ {
		if i > 0 {
			// Past the previous attempt's deadline.
			time.Sleep(timeout + 50*time.Millisecond)
		}
		if s := fastDo(t, x, timeout); s != 200 {
			t.Fatalf("status %d", s)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 3 attempts on a receiver that keeps them open, want 1", n)
	}
}

// TestOwnClientTooManyInterimAnswers: an answer that is still interim
// (1xx) after as many as the client reads is not taken for the answer,
// and its connection, whose real answer may still come, is not reused:
// the next request would read it as its own.
func TestOwnClientTooManyInterimAnswers(t *testing.T) {
	wire := strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 6) + "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
	x := newFastExchange(nil)
	status, _, reuse, err := x.read(context.Background(), bufio.NewReaderSize(strings.NewReader(wire), fastReadBuffer))
	if reuse || err == nil {
		t.Errorf("status %d, reuse %v, error %v; want an error and no reuse", status, reuse, err)
	}
}

// TestOwnClientInternationalHost: a target whose host name is not ASCII
// is dialled, named in Host and offered in TLS in its ASCII (punycode)
// form, as net/http does: the name as given cannot be resolved.
func TestOwnClientInternationalHost(t *testing.T) {
	for _, target := range []string{"http://bücher.example:8080/cb", "https://bücher.example/cb"} {
		u, err := ParseTarget(target)
		if err != nil {
			t.Fatal(err)
		}
		var theirs bytes.Buffer
		req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader("{}"))
		req.Header = http.Header{}
		if err := req.Write(&theirs); err != nil {
			t.Fatal(err)
		}
		wantReq, err := http.ReadRequest(bufio.NewReader(&theirs))
		if err != nil {
			t.Fatal(err)
		}
		fc := newFastClient(u, http.Header{}, 1, false)
		ours := append(fc.head, "2\r\n\r\n{}"...)
		gotReq, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(ours)))
		if err != nil {
			t.Fatalf("%s: own request %q: %v", target, ours, err)
		}
		if gotReq.Host != wantReq.Host {
			t.Errorf("%s: Host %q, net/http's %q", target, gotReq.Host, wantReq.Host)
		}
		port := "8080"
		if u.Scheme == "https" {
			port = "443"
			if sn := fc.tlsConf.ServerName; sn != "xn--bcher-kva.example" {
				t.Errorf("%s: TLS server name %q, want xn--bcher-kva.example", target, sn)
			}
		}
		if want := "xn--bcher-kva.example:" + port; fc.addr != want {
			t.Errorf("%s: dials %q, want %q", target, fc.addr, want)
		}
	}
}

// TestOwnClientLongAnswerHeaders: an answer whose headers are longer
// than the connection's read buffer is read, as net/http reads it, not
// failed as a connection error; its connection is reused.
func TestOwnClientLongAnswerHeaders(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Long", strings.Repeat("a", 2*fastReadBuffer))
		io.WriteString(w, "{}")
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	rep := send(t, Config{Target: srv.URL, Count: 3, Connections: 1})
	want(t, "acknowledged", rep.Acknowledged, 3)
	if len(rep.Errors) != 0 {
		t.Errorf("errors %v, want none", rep.FirstErrors)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 3 events, want 1", n)
	}
}

// TestOwnClientReadsLongAnswerHeaders: headers of any length up to
// maxAnswerHeader are read, and the connection is reused only when no
// byte past the answer was taken into a larger buffer.
func TestOwnClientReadsLongAnswerHeaders(t *testing.T) {
	for _, tc := range []struct {
		name, wire string
		status     int
		reuse      bool
	}{
		{"20KB", "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("a", 20<<10) + "\r\nContent-Length: 2\r\n\r\n{}", 200, true},
		{"200KB", "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("a", 200<<10) + "\r\nContent-Length: 2\r\n\r\n{}", 200, true},
		{"20KB, bytes past the answer", "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("a", 20<<10) + "\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 500", 200, false},
		{"over maxAnswerHeader", "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("a", maxAnswerHeader) + "\r\nContent-Length: 2\r\n\r\n{}", 0, false},
	} {
		x := newFastExchange(nil)
		status, _, reuse, err := x.read(context.Background(), bufio.NewReaderSize(strings.NewReader(tc.wire), fastReadBuffer))
		if status != tc.status || reuse != tc.reuse || (err == nil) != (tc.status != 0) {
			t.Errorf("%s: status %d, reuse %v, error %.80v; want %d, %v", tc.name, status, reuse, err, tc.status, tc.reuse)
		}
	}
}
