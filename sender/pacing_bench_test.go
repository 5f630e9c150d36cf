//go:build unix

package sender

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
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

// receiverEnv, set to 1, makes TestPacingReceiverProcess a receiver.
const receiverEnv = "VODSIM_PACING_RECEIVER"

// TestPacingReceiverProcess is the receiver of the pacing benchmarks
// when this test binary is run again by pacingReceiver (skipped
// otherwise): minimalReceiver's handler on a loopback port it writes to
// stdout, until its stdin closes.
func TestPacingReceiverProcess(t *testing.T) {
	if os.Getenv(receiverEnv) != "1" {
		t.Skip("the pacing benchmarks' receiver process")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "{}")
	}))
	fmt.Printf("http://%s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// pacingReceiver starts a minimal receiver in a process of its own, this
// test binary run again (TestPacingReceiverProcess), and returns its URL
// and the function that stops it: as with a real receiver, its garbage
// collections and its CPU time are not the sender's, and only the
// processors are shared.
func pacingReceiver(b testing.TB) (string, func()) {
	_, out, stop := childTest(b, "TestPacingReceiverProcess", receiverEnv)
	line, err := out.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		stop()
		b.Fatalf("receiver process: %q, %v", line, err)
	}
	return strings.TrimSpace(line), stop
}

// childTest runs this test binary again as a process of its own, running
// only test (which acts on env=1), and returns its stdin, its stdout and
// the function that stops it (closing stdin, then waiting).
func childTest(b testing.TB, test, env string) (io.WriteCloser, *bufio.Reader, func()) {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env+"=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	return in, bufio.NewReader(out), func() { in.Close(); cmd.Wait() }
}

// BenchmarkPacing paces a 1 s run at 10, 100, 1,000 and 10,000 events/s to a
// minimal loopback receiver in a process of its own (pacingReceiver) and
// reports the lateness p50 and p99 (how long after its intended send
// time each event's first attempt started) of all the events of its
// b.N runs together, the highest of the runs' own p99s
// (worst-run-p99-µs), the service time's p50 (each attempt's start to
// its answer: what the receiver took, and whatever kept the answer from
// being read), the CPU time the sender's process used per second
// of the run (cpu-s/s), from getrusage, and the share of the events
// acknowledged (acked-%: under 100 when the machine could not keep up
// and events were left not sent). At 10 events/s the CPU figure is what
// pacing costs while nearly idle. The process runs in ShortSlices, as a
// paced vodsim send does.
func BenchmarkPacing(b *testing.B) {
	ShortSlices()
	for _, rate := range []float64{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("rate=%g", rate), func(b *testing.B) {
			target, stop := pacingReceiver(b)
			defer stop()
			all, svc := newHist(), newHist() // µs
			var worst time.Duration
			var cpu, acked float64
			for range b.N {
				c0, t0 := cpuTime(), time.Now()
				rep, err := Run(context.Background(), Config{Target: target, Duration: time.Second,
					Profile: pace.Profile{{Duration: time.Second, From: rate}}})
				c1, t1 := cpuTime(), time.Now()
				if err != nil {
					b.Fatal(err)
				}
				h, err := decodeHist(rep.Histograms.Lateness)
				if err != nil {
					b.Fatal(err)
				}
				all.Merge(h)
				if h, err = decodeHist(rep.Histograms.Service); err != nil {
					b.Fatal(err)
				}
				svc.Merge(h)
				worst = max(worst, rep.Lateness.P99)
				acked += 100 * float64(rep.Acknowledged) / float64(max(rep.Events, 1))
				cpu += (c1 - c0).Seconds() / t1.Sub(t0).Seconds()
			}
			n := float64(b.N)
			b.ReportMetric(float64(all.ValueAtQuantile(50)), "lateness-p50-µs")
			b.ReportMetric(float64(all.ValueAtQuantile(99)), "lateness-p99-µs")
			b.ReportMetric(float64(worst)/float64(time.Microsecond), "worst-run-p99-µs")
			b.ReportMetric(float64(svc.ValueAtQuantile(50)), "service-p50-µs")
			b.ReportMetric(cpu/n, "cpu-s/s")
			b.ReportMetric(acked/n, "acked-%")
		})
	}
}

// BenchmarkPacingTail sends 1 s at 10,000 events/s to a minimal loopback
// receiver in a process of its own, with a journal (into memory sized
// for it up front), and says where the
// events more than 1 ms late fall: in the first 100 ms of the run
// (start-late-%, of all events: connections, workers and a small heap
// still growing), after it (steady-late-%), and, of the late ones after
// it, the share whose send time falls in the 15 ms before the end of a
// garbage collection's pause (gc-late-%: a collection's mark phase is
// running around then). The journal's writing adds to the load. The
// process runs in ShortSlices, as a paced vodsim send does.
func BenchmarkPacingTail(b *testing.B) {
	ShortSlices()
	const rate, startup, gcWindow = 10000, 100 * time.Millisecond, 15 * time.Millisecond
	target, stop := pacingReceiver(b)
	defer stop()
	var startLate, steadyLate, gcLate, events float64
	var buf bytes.Buffer
	for range b.N {
		buf.Reset()
		buf.Grow(4 << 20) // some 300 bytes a line
		var gs0, gs debug.GCStats
		debug.ReadGCStats(&gs0)
		start := time.Now()
		rep, err := Run(context.Background(), Config{Target: target, Duration: time.Second, Journal: &buf,
			Profile: pace.Profile{{Duration: time.Second, From: rate}}})
		if err != nil {
			b.Fatal(err)
		}
		debug.ReadGCStats(&gs)
		ends := gs.PauseEnd[:min(int(gs.NumGC-gs0.NumGC), len(gs.PauseEnd))]
		events += float64(rep.Events)
		err = ReadJournal(&buf, func(l *JournalLine) error {
			if l.Attempt != 1 || l.Start.Sub(l.Intended) <= time.Millisecond {
				return nil
			}
			if l.Intended.Sub(start) < startup {
				startLate++
				return nil
			}
			steadyLate++
			for _, e := range ends {
				if d := e.Sub(l.Intended); d >= 0 && d <= gcWindow {
					gcLate++
					break
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(100*startLate/events, "start-late-%")
	b.ReportMetric(100*steadyLate/events, "steady-late-%")
	b.ReportMetric(100*gcLate/max(steadyLate, 1), "gc-late-%")
}

// BenchmarkPacedAlloc reports the bytes a paced run allocates per event
// once it is under way (steady-B/event): the difference between a 1.1 s
// and a 0.1 s run at 10,000 events/s to a minimal loopback receiver in a
// process of its own, over the difference in their events, so that what
// every run allocates once (its set-up, its warm-up, its report) drops
// out.
func BenchmarkPacedAlloc(b *testing.B) {
	target, stop := pacingReceiver(b)
	defer stop()
	const rate = 10000
	alloc := func(d time.Duration) (bytes, events float64) {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		rep, err := Run(context.Background(), Config{Target: target, Duration: d,
			Profile: pace.Profile{{Duration: d, From: rate}}})
		runtime.ReadMemStats(&m1)
		if err != nil {
			b.Fatal(err)
		}
		return float64(m1.TotalAlloc - m0.TotalAlloc), float64(rep.Events)
	}
	var per float64
	for range b.N {
		sb, se := alloc(100 * time.Millisecond)
		lb, le := alloc(1100 * time.Millisecond)
		per += (lb - sb) / max(le-se, 1)
	}
	b.ReportMetric(per/float64(b.N), "steady-B/event")
}

// floorEnv, set to 1, makes TestPacingFloorProcess a floor sampler.
const floorEnv = "VODSIM_PACING_FLOOR"

// TestPacingFloorProcess is the floor sampler of BenchmarkPacingFloor when
// this test binary is run again by it (skipped otherwise): one thread, in
// ShortSlices, that sleeps in the kernel until each of 1,000 wake times a
// second and notes how late it woke. A line "reset" on stdin empties its
// histogram, "report" prints its p99 in microseconds and empties it; it
// exits when stdin closes.
func TestPacingFloorProcess(t *testing.T) {
	if os.Getenv(floorEnv) != "1" {
		t.Skip("the pacing floor sampler")
	}
	ShortSlices()
	var mu sync.Mutex
	h := newHist()
	go func() {
		runtime.LockOSThread()
		const gap = time.Millisecond
		next := time.Now()
		for {
			next = next.Add(gap)
			if d := time.Until(next); d > 0 {
				preciseSleep(d)
			}
			late := time.Since(next)
			mu.Lock()
			h.RecordValue(max(int64(late/time.Microsecond), 1))
			mu.Unlock()
			if late > 10*gap {
				next = time.Now() // stopped (a debugger, a frozen machine): start again
			}
		}
	}()
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		mu.Lock()
		if sc.Text() == "report" {
			fmt.Println(h.ValueAtQuantile(99))
		}
		h.Reset()
		mu.Unlock()
	}
	os.Exit(0)
}

// BenchmarkPacingFloor paces 1 s at 10,000 events/s as BenchmarkPacing
// does and, meanwhile, runs the floor sampler (TestPacingFloorProcess) in
// a process of its own: a thread that only sleeps until 1,000 wake times a
// second. It reports the run's lateness p99, the sampler's (floor-p99-µs:
// how late a woken thread ran on the machine at that moment, under the
// run's load and its receiver's) and their ratio, each over the b.N runs
// (the p99s merged for the runs, the sampler's the mean of its per-run
// p99s). The sampler's wakes add some 1 % of a processor.
func BenchmarkPacingFloor(b *testing.B) {
	ShortSlices()
	target, stop := pacingReceiver(b)
	defer stop()
	in, lines, stopFloor := childTest(b, "TestPacingFloorProcess", floorEnv)
	defer stopFloor()
	all := newHist()
	var floor float64
	for range b.N {
		io.WriteString(in, "reset\n")
		rep, err := Run(context.Background(), Config{Target: target, Duration: time.Second,
			Profile: pace.Profile{{Duration: time.Second, From: 10000}}})
		io.WriteString(in, "report\n")
		if err != nil {
			b.Fatal(err)
		}
		line, err := lines.ReadString('\n')
		if err != nil {
			b.Fatalf("floor sampler: %v", err)
		}
		var us float64
		if _, err := fmt.Sscan(line, &us); err != nil {
			b.Fatalf("floor sampler: %q: %v", line, err)
		}
		floor += us
		h, err := decodeHist(rep.Histograms.Lateness)
		if err != nil {
			b.Fatal(err)
		}
		all.Merge(h)
	}
	p99, fl := float64(all.ValueAtQuantile(99)), floor/float64(b.N)
	b.ReportMetric(p99, "lateness-p99-µs")
	b.ReportMetric(fl, "floor-p99-µs")
	b.ReportMetric(p99/max(fl, 1), "p99-vs-floor")
}
