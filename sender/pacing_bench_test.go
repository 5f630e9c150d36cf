//go:build unix

package sender

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/pace"
)

// cpuTime is the CPU time (user + system) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPacing paces a 1 s run at 10, 1,000 and 10,000 events/s to a
// minimal loopback receiver in the same process and reports the lateness
// p50 and p99 (how long after its intended send time each event's first
// attempt started), and the CPU time the whole process (sender and
// receiver) used per second of the run (cpu-s/s), from getrusage, and
// the share of the events acknowledged (acked-%: under 100 when the
// machine could not keep up and events were left not sent). At 10
// events/s the CPU figure is what pacing costs while nearly idle.
func BenchmarkPacing(b *testing.B) {
	for _, rate := range []float64{10, 1000, 10000} {
		b.Run(fmt.Sprintf("rate=%g", rate), func(b *testing.B) {
			srv := minimalReceiver()
			defer srv.Close()
			var p50, p99, cpu, acked float64
			for range b.N {
				c0, t0 := cpuTime(), time.Now()
				rep, err := Run(context.Background(), Config{Target: srv.URL, Duration: time.Second,
					Profile: pace.Profile{{Duration: time.Second, From: rate}}})
				c1, t1 := cpuTime(), time.Now()
				if err != nil {
					b.Fatal(err)
				}
				acked += 100 * float64(rep.Acknowledged) / float64(max(rep.Events, 1))
				us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
				p50 += us(rep.Lateness.P50)
				p99 += us(rep.Lateness.P99)
				cpu += (c1 - c0).Seconds() / t1.Sub(t0).Seconds()
			}
			n := float64(b.N)
			b.ReportMetric(p50/n, "lateness-p50-µs")
			b.ReportMetric(p99/n, "lateness-p99-µs")
			b.ReportMetric(cpu/n, "cpu-s/s")
			b.ReportMetric(acked/n, "acked-%")
		})
	}
}
