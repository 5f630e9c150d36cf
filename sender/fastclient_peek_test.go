//go:build unix

package sender

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// TestPeekerSeesCloseWithoutAllocating: the check of an idle connection,
// made before every attempt at rates where connections sit idle past
// idleCheckAfter, tells an open connection from one the receiver closed,
// and allocates nothing once made.
func TestPeekerSeesCloseWithoutAllocating(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv := <-accepted
	if srv == nil {
		t.Fatal("no connection accepted")
	}
	var p peeker
	if p.peerClosed(c) {
		t.Fatal("an open, quiet connection was taken as closed")
	}
	if n := testing.AllocsPerRun(100, func() { p.peerClosed(c) }); n != 0 {
		t.Errorf("a check allocates %.1f times, want 0", n)
	}
	srv.Close()
	// The close arrives on loopback at once; poll briefly for it all the
	// same, bounded so the test cannot hang.
	deadline := time.Now().Add(10 * time.Second)
	for !p.peerClosed(c) {
		if time.Now().After(deadline) {
			t.Fatal("a connection the receiver closed was not seen as closed")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestOwnClientReusesLastPutBack: an attempt takes the connection put
// back last, as net/http's pool does, so that at a steady rate the same
// few connections carry the events and the rest stay idle.
func TestOwnClientReusesLastPutBack(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:9/")
	fc := newFastClient(u, http.Header{}, 3, false)
	now := time.Now()
	conns := make([]*fastConn, 3)
	for i := range conns {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		conns[i] = &fastConn{c: a, raw: a, br: bufio.NewReader(a)}
		fc.slots <- struct{}{}
		fc.put(conns[i], now)
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for want := 2; want >= 0; want-- {
		c, err := fc.get(context.Background(), now.Add(time.Second), timer)
		if err != nil {
			t.Fatal(err)
		}
		if c != conns[want] {
			t.Fatalf("got connection %d, want %d (the one put back last)", slices.Index(conns, c), want)
		}
		if want == 1 {
			fc.put(c, now) // back on top: the next attempt takes it again
			if c2, _ := fc.get(context.Background(), now.Add(time.Second), timer); c2 != c {
				t.Fatalf("got connection %d, want %d again", slices.Index(conns, c2), want)
			}
		}
	}
}
