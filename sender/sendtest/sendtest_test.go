package sendtest

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/receiver"
)

// NewReceiver serves rc as the receiver's own server does, MaxConns
// included: at a cap of one connection, a client's connection that sent
// nothing yet is closed to let another one in.
func TestNewReceiverKeepsMaxConns(t *testing.T) {
	rcv := NewReceiver(t, &receiver.Receiver{MaxConns: 1})
	addr := strings.TrimPrefix(rcv.URL, "http://")
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// A second connection, with a request on it: it is answered.
	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	body := generator.SuccessPayload(1, generator.FormatV4)
	req, _ := http.NewRequest(http.MethodPost, rcv.URL+"/", strings.NewReader(string(body)))
	if err := req.Write(busy); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(busy), req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// The first one was closed to make room for it. (The deadline only
	// keeps the test from waiting for ever when it was not.)
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := idle.Read(make([]byte, 1)); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Error("the idle connection is still open past MaxConns 1")
	} else if err != io.EOF && !errors.Is(err, net.ErrClosed) && !isReset(err) {
		t.Errorf("idle connection: %v, want it closed", err)
	}
	if st := rcv.Stats(); st.Requests != 1 || !st.AllWellFormed() {
		t.Errorf("stats %+v", st)
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}
