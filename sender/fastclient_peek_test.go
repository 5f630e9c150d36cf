//go:build unix

package sender

import (
	"net"
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
