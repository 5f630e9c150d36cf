package sender

import (
	"net"
	"testing"
)

func TestReceiverServerLimits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rc := &Receiver{MaxConns: 7}
	hs, lln := rc.NewServer(ln)
	if hs.ReadHeaderTimeout != ReceiverReadHeaderTimeout || hs.ReadTimeout != ReceiverReadTimeout || hs.IdleTimeout != ReceiverIdleTimeout || hs.ConnState == nil {
		t.Errorf("server limits: %+v", hs)
	}
	if lln.(*limitListener).l.max != 7 {
		t.Errorf("cap %d", lln.(*limitListener).l.max)
	}
	if NewConnLimit(0).max != DefaultMaxConns {
		t.Error("zero MaxConns is not the default")
	}
}
