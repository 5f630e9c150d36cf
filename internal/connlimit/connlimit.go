package connlimit

import (
	"errors"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMax is how many connections a server holds open at once.
const DefaultMax = 512

// Limit caps the connections an http.Server holds open at once. Wrap
// the listener with Listener and set the server's ConnState to
// ConnState. When a connection arrives at the cap, the connection idle the
// longest (one that has not sent a request yet, or a keep-alive one between
// requests) is closed to make room, so that a flood of idle or slow-opening
// connections cannot starve a real client; when every connection is busy
// with a request, the new one waits to be accepted until one finishes.
//
// A Limit is safe for concurrent use; build one with New. The state
// changes of a connection between requests cost an atomic store on that
// connection, no lock: the lock is taken when a connection opens or
// closes.
type Limit struct {
	max   int
	mu    sync.Mutex
	freed chan struct{} // closed and replaced when a slot frees
	conns map[*conn]struct{}
	// clock orders the connections' turns to idle: the lower a
	// connection's idle tick, the longer it has been idle.
	clock atomic.Uint64
}

// conn is a connection of the Limit's listener.
//
// It also keeps the read and write deadlines net/http sets several times
// a request (the header, the whole request, the write, the idle wait)
// from costing a timer update each: a deadline pushed later, or cleared,
// leaves the earlier one in place, and when that one fires before the
// deadline asked for, Read and Write put the one asked for in place and
// carry on. A deadline moved earlier takes effect at once. So each
// deadline takes effect at the time asked for, as on the bare
// connection.
type conn struct {
	net.Conn
	// idle is 0 while a request is in progress, else the clock's tick
	// when the connection went idle.
	idle atomic.Uint64

	dl     sync.Mutex
	rd, wd deadline // under dl
}

// deadline is a direction's deadline asked for and the one in place on
// the connection (zero: none). When one was moved earlier (moved), prev
// is the one it replaced.
type deadline struct {
	want, set, prev time.Time
	moved           bool
}

func (c *conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

func (c *conn) SetReadDeadline(t time.Time) error  { return c.setDeadline(&c.rd, t) }
func (c *conn) SetWriteDeadline(t time.Time) error { return c.setDeadline(&c.wd, t) }

// setDeadline asks for deadline t in direction d, putting it in place
// only when the one in place could fire after it.
func (c *conn) setDeadline(d *deadline, t time.Time) error {
	c.dl.Lock()
	defer c.dl.Unlock()
	d.want = t
	switch {
	case d.set.IsZero():
		if t.IsZero() {
			return nil
		}
		d.moved = false
	case !t.IsZero() && t.Before(d.set):
		// Moved earlier (as net/http does to end a pending read, into
		// the past): the one it replaces is kept to go back to.
		d.prev, d.moved = d.set, true
	case d.moved && past(d.set):
		// Pushed later after a move into the past: back to the one
		// before it, or t if that is earlier, in place of a read or
		// write that would fail at once to put t in place.
		d.moved = false
		if !d.prev.IsZero() && (t.IsZero() || d.prev.Before(t)) {
			t = d.prev
		}
	default:
		return nil // the one in place fires first: rearm sees to it
	}
	return c.install(d, t)
}

// past reports whether deadline t has passed. net/http ends a pending
// read with a deadline in 1970: one before 2001 is past without reading
// the clock.
func past(t time.Time) bool {
	return t.Unix() < 1e9 || t.Before(time.Now())
}

// install puts t in place in direction d; c.dl is held.
func (c *conn) install(d *deadline, t time.Time) error {
	d.set = t
	if d == &c.rd {
		return c.Conn.SetReadDeadline(t)
	}
	return c.Conn.SetWriteDeadline(t)
}

// rearm is called when the deadline in place in direction d fired: it
// reports whether the one asked for is yet to come (or none), having put
// it in place, so that the read or write goes on.
func (c *conn) rearm(d *deadline) bool {
	c.dl.Lock()
	defer c.dl.Unlock()
	if d.set.Equal(d.want) && !d.want.IsZero() {
		return false // the one asked for fired
	}
	if !d.want.IsZero() && past(d.want) {
		return false
	}
	if c.install(d, d.want) != nil {
		return false
	}
	return true
}

func (c *conn) Read(p []byte) (int, error) {
	for {
		n, err := c.Conn.Read(p)
		if n > 0 || err == nil || !errors.Is(err, os.ErrDeadlineExceeded) || !c.rearm(&c.rd) {
			return n, err
		}
	}
}

func (c *conn) Write(p []byte) (int, error) {
	written := 0
	for {
		n, err := c.Conn.Write(p[written:])
		written += n
		if err == nil || written == len(p) || !errors.Is(err, os.ErrDeadlineExceeded) || !c.rearm(&c.wd) {
			return written, err
		}
	}
}

// CloseWrite shuts down the writing side of a TCP connection, as
// net/http does before closing a connection whose request it rejected.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// New returns a Limit of max connections (max <= 0: DefaultMax).
func New(max int) *Limit {
	if max <= 0 {
		max = DefaultMax
	}
	return &Limit{max: max, freed: make(chan struct{}), conns: make(map[*conn]struct{})}
}

// Listener wraps ln: its Accept holds a new connection back while the cap
// is reached and no open connection is idle.
func (l *Limit) Listener(ln net.Listener) net.Listener { return &limitListener{Listener: ln, l: l} }

// ConnState tracks connections for http.Server.ConnState: those of the
// Limit's listener, the only ones it counts.
func (l *Limit) ConnState(c net.Conn, st http.ConnState) {
	lc, ok := c.(*conn)
	if !ok {
		return
	}
	switch st {
	case http.StateNew, http.StateIdle:
		lc.idle.Store(l.clock.Add(1))
	case http.StateActive:
		lc.idle.Store(0)
	case http.StateClosed, http.StateHijacked:
		l.mu.Lock()
		l.removeLocked(lc)
		l.mu.Unlock()
	}
}

// Open is how many connections are held now.
func (l *Limit) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

func (l *Limit) removeLocked(c *conn) {
	if _, ok := l.conns[c]; ok {
		delete(l.conns, c)
		close(l.freed)
		l.freed = make(chan struct{})
	}
}

// admit makes room for c, closing the longest-idle connection or waiting
// for a busy one to finish; it returns false when done is closed first.
func (l *Limit) admit(c *conn, done <-chan struct{}) bool {
	// Idle until its first request arrives.
	c.idle.Store(l.clock.Add(1))
	for {
		l.mu.Lock()
		if len(l.conns) < l.max {
			l.conns[c] = struct{}{}
			l.mu.Unlock()
			return true
		}
		var oldest *conn
		var at uint64
		for oc := range l.conns {
			if in := oc.idle.Load(); in != 0 && (oldest == nil || in < at) {
				oldest, at = oc, in
			}
		}
		if oldest != nil {
			l.removeLocked(oldest)
			l.mu.Unlock()
			oldest.Close()
			continue
		}
		freed := l.freed
		l.mu.Unlock()
		select {
		case <-freed:
		case <-done:
			return false
		}
	}
}

type limitListener struct {
	net.Listener
	l         *Limit
	closeOnce sync.Once
	done      chan struct{}
	initOnce  sync.Once
}

func (ll *limitListener) doneCh() chan struct{} {
	ll.initOnce.Do(func() { ll.done = make(chan struct{}) })
	return ll.done
}

func (ll *limitListener) Accept() (net.Conn, error) {
	c, err := ll.Listener.Accept()
	if err != nil {
		return nil, err
	}
	lc := &conn{Conn: c}
	if !ll.l.admit(lc, ll.doneCh()) {
		c.Close()
		return nil, net.ErrClosed
	}
	return lc, nil
}

func (ll *limitListener) Close() error {
	ll.closeOnce.Do(func() { close(ll.doneCh()) })
	return ll.Listener.Close()
}
