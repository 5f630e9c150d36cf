package connlimit

import (
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestLimitListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lln := New(7).Listener(ln)
	if lln.(*limitListener).l.max != 7 {
		t.Errorf("cap %d", lln.(*limitListener).l.max)
	}
	if New(0).max != DefaultMax {
		t.Error("zero MaxConns is not the default")
	}
}

// TestLimitEvictsLongestIdle: at the cap, a new connection closes the one
// idle the longest, never a busy one, and waits while all are busy.
func TestLimitEvictsLongestIdle(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := New(2)
	lln := l.Listener(ln)
	defer lln.Close()
	accept := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		sc, err := lln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		l.ConnState(sc, http.StateNew)
		return sc
	}
	closed := func(c net.Conn) bool {
		c.SetReadDeadline(time.Now().Add(-time.Second))
		_, err := c.Read(make([]byte, 1))
		return errors.Is(err, net.ErrClosed)
	}
	a, b := accept(), accept()
	l.ConnState(b, http.StateActive)
	l.ConnState(b, http.StateIdle)
	l.ConnState(a, http.StateActive)
	c := accept() // b is the only idle one: it goes
	if !closed(b) || closed(a) || l.Open() != 2 {
		t.Fatalf("b closed %v, a closed %v, %d open", closed(b), closed(a), l.Open())
	}
	l.ConnState(c, http.StateActive)
	got := make(chan net.Conn, 1)
	go func() {
		c, err := lln.Accept()
		if err == nil {
			got <- c
		}
		close(got)
	}()
	d, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	select {
	case <-got:
		t.Fatal("a connection was admitted with every slot busy")
	case <-time.After(50 * time.Millisecond):
	}
	l.ConnState(a, http.StateClosed)
	select {
	case c, ok := <-got:
		if !ok || closed(c) {
			t.Fatal("the waiting connection was not admitted")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting connection was not admitted once a slot freed")
	}
	if l.Open() != 2 {
		t.Errorf("%d open", l.Open())
	}
}
