package connlimit

import (
	"net"
	"net/http"
	"sync"
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
// A Limit is safe for concurrent use; build one with New.
type Limit struct {
	max   int
	mu    sync.Mutex
	freed chan struct{} // closed and replaced when a slot frees
	conns map[net.Conn]connInfo
}

type connInfo struct {
	idle  bool
	since time.Time
}

// New returns a Limit of max connections (max <= 0: DefaultMax).
func New(max int) *Limit {
	if max <= 0 {
		max = DefaultMax
	}
	return &Limit{max: max, freed: make(chan struct{}), conns: make(map[net.Conn]connInfo)}
}

// Listener wraps ln: its Accept holds a new connection back while the cap
// is reached and no open connection is idle.
func (l *Limit) Listener(ln net.Listener) net.Listener { return &limitListener{Listener: ln, l: l} }

// ConnState tracks connections for http.Server.ConnState.
func (l *Limit) ConnState(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch st {
	case http.StateNew, http.StateIdle:
		if _, ok := l.conns[c]; ok || st == http.StateNew {
			l.conns[c] = connInfo{idle: true, since: time.Now()}
		}
	case http.StateActive:
		if _, ok := l.conns[c]; ok {
			l.conns[c] = connInfo{}
		}
	case http.StateClosed, http.StateHijacked:
		l.removeLocked(c)
	}
}

// Open is how many connections are held now.
func (l *Limit) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

func (l *Limit) removeLocked(c net.Conn) {
	if _, ok := l.conns[c]; ok {
		delete(l.conns, c)
		close(l.freed)
		l.freed = make(chan struct{})
	}
}

// admit makes room for c, closing the longest-idle connection or waiting
// for a busy one to finish; it returns false when done is closed first.
func (l *Limit) admit(c net.Conn, done <-chan struct{}) bool {
	for {
		l.mu.Lock()
		if len(l.conns) < l.max {
			l.conns[c] = connInfo{idle: true, since: time.Now()}
			l.mu.Unlock()
			return true
		}
		var oldest net.Conn
		var at time.Time
		for oc, in := range l.conns {
			if in.idle && (oldest == nil || in.since.Before(at)) {
				oldest, at = oc, in.since
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
	if !ll.l.admit(c, ll.doneCh()) {
		c.Close()
		return nil, net.ErrClosed
	}
	return c, nil
}

func (ll *limitListener) Close() error {
	ll.closeOnce.Do(func() { close(ll.doneCh()) })
	return ll.Listener.Close()
}
