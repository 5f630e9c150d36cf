package connlimit

import (
	"net"
	"testing"
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
