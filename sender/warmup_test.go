package sender

import (
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/pace"
)

// TestWarmCounts: a paced run starts with the workers its first 2 ms of
// events need and the connections of its first 1 ms, at least one of
// each and no more than its bounds; a run without a rate starts none.
func TestWarmCounts(t *testing.T) {
	for _, c := range []struct {
		name           string
		cfg            Config
		workers, conns int
	}{
		{"10,000/s", Config{Duration: time.Second, Profile: pace.Profile{{Duration: time.Second, From: 10000}}}, 20, 10},
		{"10/s", Config{Duration: time.Second, Profile: pace.Profile{{Duration: time.Second, From: 10}}}, 1, 1},
		{"3 events", Config{Count: 3, Profile: pace.Profile{{Duration: time.Second, From: 10000}}}, 3, 3},
		{"in-flight bound", Config{Count: 100, MaxInFlight: 4, Connections: 2, Profile: pace.Profile{{Duration: time.Second, From: 10000}}}, 4, 2},
		{"shard 1/2", Config{Duration: time.Second, Shard: Shard{Index: 1, Of: 2}, Profile: pace.Profile{{Duration: time.Second, From: 10000}}}, 10, 5},
		{"no rate", Config{Count: 100}, 0, 0},
	} {
		c.cfg.Target = "http://127.0.0.1:1/cb"
		r, err := newRun(c.cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if w, n := r.warmCounts(); w != c.workers || n != c.conns {
			t.Errorf("%s: warm-up of %d workers, %d connections; want %d, %d", c.name, w, n, c.workers, c.conns)
		}
		r.ownTr.CloseIdleConnections()
	}
}

// TestWarmUpCountsNothing: the connections a paced run dials before its
// clock starts are not attempts: to a receiver that refuses them, every
// event fails once, and to one that answers, the events are all there
// is, and the connections opened are no more than the pool's.
func TestWarmUpCountsNothing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	prof := pace.Profile{{Duration: time.Second, From: 10000}}
	rep := send(t, Config{Target: "http://" + addr + "/cb", Count: 20, Profile: prof})
	want(t, "failed", rep.Failed, 20)
	want(t, "attempts", rep.Attempts, 20)
	want(t, "refused", rep.Errors[ErrKindRefused], 20)

	var requests, conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	rep = send(t, Config{Target: srv.URL, Count: 20, Connections: 4, Profile: prof})
	want(t, "acknowledged", rep.Acknowledged, 20)
	want(t, "attempts", rep.Attempts, 20)
	want(t, "requests", uint64(requests.Load()), 20)
	if n := conns.Load(); n > 4 {
		t.Errorf("%d connections opened, want at most the pool's 4", n)
	}
}

// TestWarmUpCollects: a run of over 500 events/s collects the heap
// before its clock starts (warmHeap), and a slower one does not.
func TestWarmUpCollects(t *testing.T) {
	forced := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	for _, c := range []struct {
		rate    float64
		collect bool
	}{{10000, true}, {1000, true}, {400, false}, {10, false}} {
		before := forced()
		rep := send(t, Config{Target: "http://127.0.0.1:1/cb", Count: 2, Transport: nullTransport{},
			Profile: pace.Profile{{Duration: time.Second, From: c.rate}}})
		want(t, "acknowledged", rep.Acknowledged, 2)
		if got := forced() > before; got != c.collect {
			t.Errorf("%g events/s: collected before the start %v, want %v", c.rate, got, c.collect)
		}
	}
}
