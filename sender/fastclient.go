package sender

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http/httpguts"
)

// fastClient is the run's own HTTP/1.1 client, used when Config.Transport
// is nil: a pool of at most conns keep-alive connections to the target,
// each attempt's request written and its answer read (with fasthttp's
// parser) in the worker's own goroutine. net/http's Transport runs two
// goroutines per connection and hands every request and answer between
// them and the caller, which costs more CPU per event than the whole rest
// of the sender; fasthttp's HostClient avoids that but cannot say how
// long an attempt waited for a connection (the report's conn wait), and
// leaves a goroutine running for seconds after the run. So the pool is
// vodsim's, and fasthttp reads the answers.
//
// It keeps the meaning of the net/http path: an attempt's deadline
// bounds its wait for a connection, the dial, the TLS handshake, the
// write and the answer; the conn wait runs from asking for a connection
// to having one (dial and handshake included); an answer's body is read
// and discarded up to maxAnswer so the connection is reused, unless the
// answer says Connection: close; a connection the receiver closed while
// idle is not reused; and when the run's context ends, every attempt in
// flight ends at once (every open connection gets a past deadline).
type fastClient struct {
	addr    string      // host:port to dial
	tlsConf *tls.Config // nil for http
	// head is the request up to its Content-Length value: the request
	// line, Host, User-Agent and the other headers, as net/http writes
	// them.
	head []byte

	// idle has a token per connection free to use; the connections are
	// on stack, the one put back last on top. An attempt takes a token,
	// then the top connection: the most recently used, as net/http's
	// pool does, so that at a steady rate a few connections carry the
	// events, warm, and the others are left idle.
	idle    chan struct{}
	stackMu sync.Mutex
	stack   []*fastConn
	slots   chan struct{} // a token per open (or opening) connection

	// dials has a token per connection being dialled (see maxDialing).
	dials chan struct{}

	mu      sync.Mutex
	open    map[*fastConn]struct{}
	stopped bool // the run's context ended: no new connection
	watched bool
}

// fastConn is one connection of the pool.
type fastConn struct {
	c    net.Conn // what the requests go through (a *tls.Conn for https)
	raw  net.Conn // the TCP connection under it
	br   *bufio.Reader
	used time.Time // when it was last put back
	// wbuf is the request being written: the connection's, not the
	// worker's, as there are at most Connections of them and up to
	// MaxInFlight workers.
	wbuf []byte
	peek peeker // checks it for a close while idle
}

// fastReadBuffer is the room for an answer's status line and headers
// (and, as it is read, its body): fasthttp's default. A longer head is
// read through a larger buffer (fastExchange.read).
const fastReadBuffer = 4 << 10

// idleCheckAfter is how long a connection may sit idle before it is
// checked, when taken again, for a close from the receiver: at high
// rates connections are never idle that long and the check costs nothing.
const idleCheckAfter = time.Millisecond

// idleTimeout is how long a connection may sit idle and still be used,
// as net/http's IdleConnTimeout was for the run: a middlebox may have
// dropped one idle for longer without a word.
const idleTimeout = 90 * time.Second

func newFastClient(u *url.URL, header http.Header, conns int, insecure bool) *fastClient {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	// A host name that is not ASCII is dialled and offered in TLS in
	// its ASCII (punycode) form, as net/http does.
	host := u.Hostname()
	if h, err := httpguts.PunycodeHostPort(host); err == nil {
		host = h
	}
	fc := &fastClient{
		addr:  net.JoinHostPort(host, port),
		head:  requestHead(u, header),
		idle:  make(chan struct{}, conns),
		stack: make([]*fastConn, 0, conns),
		slots: make(chan struct{}, conns),
		dials: make(chan struct{}, maxDialing),
		open:  map[*fastConn]struct{}{},
	}
	if u.Scheme == "https" {
		// HTTP/1.1 only, as VOD's callbacks: no ALPN offer of h2.
		fc.tlsConf = &tls.Config{ServerName: host, InsecureSkipVerify: insecure}
	}
	return fc
}

// requestHead writes a POST to u with header as net/http's Request.Write
// does (Host, User-Agent, then the other headers sorted by name, each
// value on a line of its own), up to "Content-Length: ".
func requestHead(u *url.URL, header http.Header) []byte {
	var b strings.Builder
	host := u.Host
	if h, err := httpguts.PunycodeHostPort(host); err == nil {
		host = h
	}
	b.WriteString("POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + host + "\r\n")
	if vs, ok := header["User-Agent"]; ok {
		if len(vs) > 0 && vs[0] != "" {
			b.WriteString("User-Agent: " + trimValue(vs[0]) + "\r\n")
		}
	} else {
		b.WriteString("User-Agent: Go-http-client/1.1\r\n")
	}
	keys := make([]string, 0, len(header))
	for k := range header {
		if k != "User-Agent" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range header[k] {
			b.WriteString(k + ": " + trimValue(v) + "\r\n")
		}
	}
	b.WriteString("Content-Length: ")
	return []byte(b.String())
}

func trimValue(v string) string { return strings.Trim(v, " \t") }

// watch ends every attempt in flight when ctx ends: each open connection
// gets a past deadline, and no new one is made. Only the first call of a
// run counts.
func (fc *fastClient) watch(ctx context.Context) {
	fc.mu.Lock()
	first := !fc.watched
	fc.watched = true
	fc.mu.Unlock()
	if first {
		context.AfterFunc(ctx, fc.interrupt)
	}
}

func (fc *fastClient) interrupt() {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.stopped = true
	past := time.Unix(1, 0)
	for c := range fc.open {
		c.raw.SetDeadline(past)
	}
}

// CloseIdleConnections closes the connections no attempt holds.
func (fc *fastClient) CloseIdleConnections() {
	for {
		select {
		case <-fc.idle:
			c := fc.top()
			fc.discard(c)
		default:
			return
		}
	}
}

// get returns a connection: an idle one, a new one while fewer than the
// pool's size are open and fewer than maxDialing are being dialled, or
// else the first one put back. It gives up at deadline (a timeout) or
// when ctx ends. timer is the caller's, stopped.
//
// A waiting attempt is woken only by what lets it go on: a connection
// put back, a slot freed (it then holds the slot and waits for a dial to
// end or a connection put back) or a dial ended while it holds a slot.
// Each of these wakes one attempt, so that however many wait, a dial's
// end or a freed slot costs one wake-up, not one per waiting attempt.
func (fc *fastClient) get(ctx context.Context, deadline time.Time, timer *time.Timer) (*fastConn, error) {
	armed := false
	slot := false // this attempt holds a slot and waits for a dial
	defer func() {
		if armed {
			timer.Stop()
		}
		if slot {
			<-fc.slots
		}
	}()
	select {
	case <-fc.idle:
		if c := fc.top(); fc.usable(c) {
			return c, nil
		}
	default:
	}
	select {
	case fc.slots <- struct{}{}:
		slot = true
		select {
		case fc.dials <- struct{}{}:
			slot = false // the dial owns it now
			return fc.dialNow(ctx, deadline)
		default:
		}
	default:
	}
	// Only an attempt that has to wait pays for a timer.
	timer.Reset(time.Until(deadline))
	armed = true
	if h := fastWaitHook.Load(); h != nil {
		(*h)()
	}
	for {
		// Without a slot, wait for one (or a connection); with one,
		// wait for a dial to end (or a connection).
		var slots, dials chan<- struct{}
		if slot {
			dials = fc.dials
		} else {
			slots = fc.slots
		}
		select {
		case <-fc.idle:
			fc.woke()
			if c := fc.top(); fc.usable(c) {
				return c, nil
			}
		case slots <- struct{}{}:
			fc.woke()
			slot = true
			select {
			case fc.dials <- struct{}{}:
				slot = false
				return fc.dialNow(ctx, deadline)
			default:
			}
		case dials <- struct{}{}:
			fc.woke()
			slot = false
			return fc.dialNow(ctx, deadline)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			armed = false
			return nil, context.DeadlineExceeded
		}
	}
}

// maxDialing is how many connections a pool dials at once. A burst of
// events (a run's start, a pause) finds every connection busy; dialling
// one for each would open them all, each with its buffers at both ends
// and its first request slow, where connections put back a moment later
// would have served. So a burst waits for the dials under way or for a
// connection put back, whichever comes first, and the pool grows as the
// receiver needs.
const maxDialing = 2

// dialNow dials, a slot and a dial token taken, and gives the dial
// token back as it ends.
func (fc *fastClient) dialNow(ctx context.Context, deadline time.Time) (*fastConn, error) {
	defer func() { <-fc.dials }()
	return fc.dial(ctx, deadline)
}

// fastWaitHook, when set (by tests), is called each time an attempt
// starts waiting for a connection.
var fastWaitHook atomic.Pointer[func()]

// fastWakeHook, when set (by tests), is called each time a waiting
// attempt is woken by a connection, a slot or a dial token.
var fastWakeHook atomic.Pointer[func()]

func (fc *fastClient) woke() {
	if h := fastWakeHook.Load(); h != nil {
		(*h)()
	}
}

// fastDialHook, when set (by tests), is called as each dial starts.
var fastDialHook atomic.Pointer[func()]

// usable says whether an idle connection can carry a request, and
// closes it if not: one idle for a while is checked for a close (or any
// byte) from the receiver, as net/http's reader of idle connections
// notices one; one idle for idleTimeout is closed.
func (fc *fastClient) usable(c *fastConn) bool {
	idle := time.Since(c.used)
	if c.br.Buffered() == 0 && idle < idleTimeout && (idle < idleCheckAfter || !idleClosed(c)) {
		return true
	}
	fc.discard(c)
	return false
}

// idleClosed checks an idle connection for a close from the receiver.
// Its last attempt's deadline is lifted first: once past, it would fail
// the check of a connection still open. (The next attempt sets its own;
// one set by the run's stop is seen by do.)
func idleClosed(c *fastConn) bool {
	c.raw.SetReadDeadline(time.Time{})
	return c.peek.peerClosed(c.raw)
}

// dial opens a new connection (a slot is taken) and registers it; on
// failure the slot is given back.
func (fc *fastClient) dial(ctx context.Context, deadline time.Time) (*fastConn, error) {
	if h := fastDialHook.Load(); h != nil {
		(*h)()
	}
	d := net.Dialer{Deadline: deadline, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", fc.addr)
	if err != nil {
		<-fc.slots
		return nil, err
	}
	c := &fastConn{c: raw, raw: raw}
	if fc.tlsConf != nil {
		tc := tls.Client(raw, fc.tlsConf)
		raw.SetDeadline(deadline)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			<-fc.slots
			return nil, err
		}
		c.c = tc
	}
	fc.mu.Lock()
	if fc.stopped {
		fc.mu.Unlock()
		raw.Close()
		<-fc.slots
		return nil, context.Canceled
	}
	fc.open[c] = struct{}{}
	fc.mu.Unlock()
	c.br = bufio.NewReaderSize(c.c, fastReadBuffer)
	return c, nil
}

// put gives a connection back to the pool for the next attempt.
func (fc *fastClient) put(c *fastConn, now time.Time) {
	c.used = now
	fc.stackMu.Lock()
	fc.stack = append(fc.stack, c)
	fc.stackMu.Unlock()
	fc.idle <- struct{}{} // never blocks: at most cap(idle) connections exist
}

// top takes the connection put back last, for an idle token just taken
// (each token follows its connection onto the stack, so there is one).
func (fc *fastClient) top() *fastConn {
	fc.stackMu.Lock()
	defer fc.stackMu.Unlock()
	n := len(fc.stack) - 1
	c := fc.stack[n]
	fc.stack[n] = nil
	fc.stack = fc.stack[:n]
	return c
}

// discard closes a connection and frees its slot.
func (fc *fastClient) discard(c *fastConn) {
	fc.mu.Lock()
	delete(fc.open, c)
	fc.mu.Unlock()
	c.c.Close()
	<-fc.slots
}

// fastExchange is a worker's reusable state for the fast client. It is
// small: a run may hold MaxInFlight workers, most of them idle, so what an
// attempt needs for the wire is the connection's (its buffers) or taken
// for the attempt (respPool).
type fastExchange struct {
	fc    *fastClient
	timer *time.Timer
}

// respPool holds the parsers of answers, one taken per answer read.
var respPool = sync.Pool{New: func() any { return new(fasthttp.Response) }}

func newFastExchange(fc *fastClient) *fastExchange {
	t := time.NewTimer(time.Hour)
	t.Stop()
	x := &fastExchange{fc: fc, timer: t}
	return x
}

// do makes one POST of body with the given timeout and returns the
// answer's status and its Retry-After wait; it sets *getConn when it asks
// for a connection and *gotConn when it has one. Its errors read as
// net/http's: a timeout is context.DeadlineExceeded, a stop ctx.Err(),
// and connection errors are the net package's.
func (x *fastExchange) do(ctx context.Context, body []byte, timeout time.Duration, getConn, gotConn *time.Time) (int, time.Duration, error) {
	fc := x.fc
	*getConn = time.Now()
	deadline := getConn.Add(timeout)
	c, err := fc.get(ctx, deadline, x.timer)
	if err != nil {
		return 0, 0, connErr(ctx, err)
	}
	*gotConn = time.Now()
	c.c.SetDeadline(deadline)
	if ctx.Err() != nil {
		// Stopped just now: the stop's past deadline may have been
		// overwritten above.
		fc.discard(c)
		return 0, 0, ctx.Err()
	}
	c.wbuf = append(c.wbuf[:0], fc.head...)
	c.wbuf = strconv.AppendInt(c.wbuf, int64(len(body)), 10)
	c.wbuf = append(c.wbuf, "\r\n\r\n"...)
	c.wbuf = append(c.wbuf, body...)
	if _, err := c.c.Write(c.wbuf); err != nil {
		fc.discard(c)
		return 0, 0, connErr(ctx, err)
	}
	status, ra, reuse, err := x.read(ctx, c.br)
	if reuse {
		fc.put(c, time.Now())
	} else {
		fc.discard(c)
	}
	return status, ra, err
}

// read reads an answer from br: its status line and headers, then its
// body, discarded, up to maxAnswer. An answer whose body breaks off
// still counts (its status is returned), unless it timed out or the run
// stopped. reuse says whether the connection can carry another request.
//
// Its frame is kept small, the rarer work in functions of their own: the
// parse of the headers is the deepest point of a worker's stack, which
// then stays within 4 KB.
func (x *fastExchange) read(ctx context.Context, br *bufio.Reader) (status int, ra time.Duration, reuse bool, err error) {
	// The first byte on its own: fasthttp reports any error there as
	// io.EOF, where net/http tells a reset from a close.
	if _, err := br.Peek(1); err != nil {
		return 0, 0, false, connErr(ctx, err)
	}
	resp := respPool.Get().(*fasthttp.Response)
	defer respPool.Put(resp)
	resp.Reset()
	// over are larger readers, each over the one before, for an answer
	// whose headers do not fit in br; what they hold past the answer
	// would be lost with them, so the connection is reused only if they
	// hold nothing.
	var over []*bufio.Reader
	for n := 0; ; n++ {
		if err := resp.Header.Read(br); err != nil {
			if bigger := overReader(err, br); bigger != nil {
				// Headers longer than the buffer, which net/http takes
				// (up to far more): the same answer again, through a
				// larger buffer (the headers are still in br).
				br = bigger
				over = append(over, br)
				n--
				continue
			}
			return 0, 0, false, connErr(ctx, err)
		}
		// Interim answers (100 Continue, 103 Early Hints) come before
		// the real one.
		if sc := resp.Header.StatusCode(); sc >= 200 || sc == http.StatusSwitchingProtocols || n >= 5 {
			break
		}
	}
	status, ra, reuse, err = readRest(ctx, resp, br)
	for _, o := range over {
		if o.Buffered() > 0 {
			reuse = false
		}
	}
	return status, ra, reuse, err
}

// overReader returns a larger reader over br when err says an answer's
// headers did not fit in br and a larger one may take them; else nil.
func overReader(err error, br *bufio.Reader) *bufio.Reader {
	var small *fasthttp.ErrSmallBuffer
	if !errors.As(err, &small) || br.Size() >= maxAnswerHeader {
		return nil
	}
	size := 64 << 10
	if br.Size() >= size {
		size = maxAnswerHeader
	}
	return bufio.NewReaderSize(br, size)
}

// readRest is read's part after the answer's headers: the status, a
// Retry-After, and the body, read and discarded.
func readRest(ctx context.Context, resp *fasthttp.Response, br *bufio.Reader) (status int, ra time.Duration, reuse bool, err error) {
	h := &resp.Header
	status = h.StatusCode()
	if status < 200 && status != http.StatusSwitchingProtocols {
		// Still interim after as many as net/http reads: its answer
		// may yet come, and would be read as the next request's.
		return 0, 0, false, errTooMany1xx
	}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if v := h.Peek("Retry-After"); len(v) > 0 {
			ra = parseRetryAfter(string(v), time.Now())
		}
	}
	reuse = !h.ConnectionClose()
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified {
		return status, ra, reuse && status != http.StatusSwitchingProtocols, nil
	}
	err = resp.ReadBody(br, maxAnswer)
	if err == nil && h.ContentLength() == -1 {
		err = h.ReadTrailer(br)
	}
	resp.ResetBody()
	if err != nil {
		// The status line came but the body did not: count the answer.
		// A timeout while reading is still a timeout.
		err = connErr(ctx, err)
		if classify(ctx, err) == ErrKindTimeout || ctx.Err() != nil {
			return 0, 0, false, err
		}
		return status, ra, false, nil
	}
	return status, ra, reuse, nil
}

// errTooMany1xx is net/http's error for an answer still interim after
// five interim ones.
var errTooMany1xx = errors.New("net/http: too many 1xx informational responses")

// maxAnswerHeader is the longest an answer's status line and headers
// may be.
const maxAnswerHeader = 1 << 20

// connErr gives an error of the connection the meaning net/http's would
// have: the run's stop when the context ended, context.DeadlineExceeded
// for a deadline, else the error itself.
func connErr(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, fasthttp.ErrTimeout):
		return context.DeadlineExceeded
	case errors.Is(err, io.ErrUnexpectedEOF):
		return io.ErrUnexpectedEOF
	}
	return err
}
