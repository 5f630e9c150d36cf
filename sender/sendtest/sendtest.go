package sendtest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/receiver"
)

// Receiver is a checking receiver.Receiver served on 127.0.0.1 for one test.
// Its Stats say what it received; it is an http.Handler too, so Send can
// deliver to it in process. It is safe for concurrent use.
type Receiver struct {
	*receiver.Receiver
	// URL is where it listens, "http://127.0.0.1:PORT"; every path is
	// the receiver.
	URL string
}

// NewReceiver serves rc (nil: a zero receiver.Receiver, which checks every
// payload and no signature) on a free port of 127.0.0.1 until the test
// ends, as rc.NewServer does: its connection cap (MaxConns) and
// timeouts. Set rc's fields (SignKey, Window, Log, MaxConns) before the
// call.
func NewReceiver(t testing.TB, rc *receiver.Receiver) *Receiver {
	t.Helper()
	if rc == nil {
		rc = &receiver.Receiver{}
	}
	srv := httptest.NewUnstartedServer(rc)
	srv.Config, srv.Listener = rc.NewServer(srv.Listener)
	srv.Start()
	t.Cleanup(srv.Close)
	return &Receiver{Receiver: rc, URL: srv.URL}
}

// Send serves h on a free port of 127.0.0.1, runs cfg against it (Target
// is set to its URL) until the run ends or the test does, and returns the
// report. A bad cfg or an interrupted run fails the test at once. The
// report is the caller's to check: rep.Acknowledged, rep.Check(...).
// cfg's zero value sends sender.DefaultCount events as fast as h answers.
func Send(t testing.TB, h http.Handler, cfg sender.Config) *sender.Report {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	cfg.Target = srv.URL
	rep, err := sender.Run(t.Context(), cfg)
	if err != nil {
		t.Fatalf("sendtest: send to %s: %v", srv.URL, err)
	}
	return rep
}
