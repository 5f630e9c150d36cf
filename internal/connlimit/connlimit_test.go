package connlimit

import (
	"errors"
	"net"
	"net/http"
	"os"
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

// pair returns a connection of a Limit's listener and its peer.
func pair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lln := New(4).Listener(ln)
	t.Cleanup(func() { lln.Close() })
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	c, err := lln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, peer
}

// TestDeadlinePushedLater: a read deadline pushed later does not end a
// read at the earlier one, and ends it at the later one, not before.
func TestDeadlinePushedLater(t *testing.T) {
	c, _ := pair(t)
	c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	want := time.Now().Add(150 * time.Millisecond)
	c.SetReadDeadline(want)
	_, err := c.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v, want a deadline error", err)
	}
	if time.Now().Before(want) {
		t.Error("the read ended before its deadline")
	}
}

// TestDeadlineClearedAndMovedEarlier: data arriving after a cleared
// deadline's time is read; a deadline moved earlier ends a read at once;
// a write goes on past a cleared write deadline's time.
func TestDeadlineClearedAndMovedEarlier(t *testing.T) {
	c, peer := pair(t)
	first := time.Now().Add(10 * time.Millisecond)
	c.SetReadDeadline(first)
	c.SetReadDeadline(time.Time{})
	c.SetWriteDeadline(first)
	c.SetWriteDeadline(time.Time{})
	go func() {
		for time.Now().Before(first.Add(20 * time.Millisecond)) {
			time.Sleep(5 * time.Millisecond)
		}
		peer.Write([]byte("x"))
	}()
	b := make([]byte, 1)
	if n, err := c.Read(b); n != 1 || err != nil {
		t.Fatalf("read after a cleared deadline: %d, %v", n, err)
	}
	if n, err := c.Write([]byte("y")); n != 1 || err != nil {
		t.Fatalf("write after a cleared deadline: %d, %v", n, err)
	}
	c.SetReadDeadline(time.Now().Add(time.Hour))
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(b)
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	c.SetReadDeadline(time.Unix(1, 0)) // as net/http aborts a read
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read: %v, want a deadline error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a deadline moved into the past did not end the read")
	}
	c.SetReadDeadline(time.Time{})
	peer.Write([]byte("z"))
	if n, err := c.Read(b); n != 1 || err != nil || b[0] != 'z' {
		t.Fatalf("read after the deadline was cleared again: %d, %v", n, err)
	}
}
