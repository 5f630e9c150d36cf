package sender

import (
	"context"
	"net"
	"runtime/debug"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/receiver"
)

// BenchmarkSendDefaults sends as fast as the receiver allows (--rate 0)
// to the checking Receiver on loopback, in turns with the default
// Connections and MaxInFlight and with a hand-tuned 64 and 64, and
// reports both rates and their ratio (default/tuned): the defaults should
// be the best setting, or within a few percent of it. Set b.N to the
// events per turn (-benchtime 20000x); each setting gets a turn not
// counted, then four, in alternating order.
func BenchmarkSendDefaults(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(400)) // as vodsim send, for a long run
	rc := &receiver.Receiver{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv, ln := rc.NewServer(ln)
	go srv.Serve(ln)
	defer srv.Close()
	target := "http://" + ln.Addr().String() + "/callback"
	turn := func(conns, inflight int) time.Duration {
		start := time.Now()
		rep, err := Run(context.Background(), Config{Target: target, Count: uint64(b.N), Connections: conns, MaxInFlight: inflight})
		el := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Acknowledged != uint64(b.N) {
			b.Fatalf("acknowledged %d of %d", rep.Acknowledged, b.N)
		}
		return el
	}
	// A turn of each first, not counted: the process's first run pays for
	// its heap's growth and its code's first use. Then the order
	// alternates, so that neither setting always goes first.
	turn(0, 0)
	turn(64, 64)
	b.ResetTimer()
	var def, tuned time.Duration
	for i := range 4 {
		if i%2 == 0 {
			def += turn(0, 0)
			tuned += turn(64, 64)
		} else {
			tuned += turn(64, 64)
			def += turn(0, 0)
		}
	}
	b.StopTimer()
	n := 4 * float64(b.N)
	b.ReportMetric(n/def.Seconds(), "default-events/s")
	b.ReportMetric(n/tuned.Seconds(), "tuned-events/s")
	b.ReportMetric(tuned.Seconds()/def.Seconds(), "default/tuned")
}
