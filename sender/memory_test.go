package sender

import (
	"context"
	"net"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/receiver"
)

// TestRunAllocates: a run's allocations grow with its events, not with
// MaxInFlight or the sizes of its buffers: 2,000 events through a
// transport that answers at once allocate under 16 KB each, everything
// the run sets up included (the figure is about 4 KB).
func TestRunAllocates(t *testing.T) {
	const n = 2000
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	rep, err := Run(context.Background(), Config{Target: "http://127.0.0.1:1/", Count: n, Transport: nullTransport{}})
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Acknowledged != n {
		t.Fatalf("acknowledged %d of %d", rep.Acknowledged, n)
	}
	// Other tests run in parallel and allocate too: the bound is generous.
	if per := (m1.TotalAlloc - m0.TotalAlloc) / n; per > 16<<10 {
		t.Errorf("allocated %d bytes per event, want under 16 KB", per)
	}
}

// BenchmarkSmallRunMemory sends 10,000 events as fast as possible with
// the defaults to the checking Receiver in the same process, as vodsim
// send with no target does, under GOGC 50 (as vodsim send runs a run of
// that size), and reports the bytes allocated (alloc-MB, the
// receiver included), the peak heap in use sampled every millisecond
// (peak-heap-MB) and the process's peak RSS so far (peak-rss-MB, VmHWM:
// the test binary and every benchmark before this one included).
func BenchmarkSmallRunMemory(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(50)) // as vodsim send, for a run this small
	rc := &receiver.Receiver{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv, ln := rc.NewServer(ln)
	go srv.Serve(ln)
	defer srv.Close()
	target := "http://" + ln.Addr().String() + "/callback"
	var alloc, peak uint64
	for range b.N {
		runtime.GC()
		var m0 runtime.MemStats
		runtime.ReadMemStats(&m0)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk := time.NewTicker(time.Millisecond)
			defer tk.Stop()
			var ms runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-tk.C:
				}
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}()
		rep, err := Run(context.Background(), Config{Target: target, Count: 10000})
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Acknowledged != 10000 {
			b.Fatalf("acknowledged %d of 10000", rep.Acknowledged)
		}
		var m1 runtime.MemStats
		runtime.ReadMemStats(&m1)
		alloc += m1.TotalAlloc - m0.TotalAlloc
	}
	mb := func(v float64) float64 { return v / (1 << 20) }
	b.ReportMetric(mb(float64(alloc)/float64(b.N)), "alloc-MB")
	b.ReportMetric(mb(float64(peak)), "peak-heap-MB")
	b.ReportMetric(peakRSSMB(), "peak-rss-MB")
}

// TestRunHistSameAsFull: a run's histogram starts with a smaller bound and
// widens on the first sample beyond it; its summary and its encoding are
// those of a histogram that had the whole bound from the start, whether
// or not a sample widened it, and it starts in half the memory.
func TestRunHistSameAsFull(t *testing.T) {
	samples := []time.Duration{0, 3 * time.Microsecond, 150 * time.Microsecond, 2 * time.Millisecond, 999 * time.Millisecond}
	for _, beyond := range []time.Duration{0, 1500 * time.Millisecond, 3 * time.Hour} {
		full, run := newHist(), newRunHist()
		for i := range 1000 {
			d := samples[i%len(samples)] + time.Duration(i)*time.Microsecond
			record(&full, d)
			record(&run, d)
		}
		if beyond > 0 {
			record(&full, beyond)
			record(&run, beyond)
		}
		if got, want := summarise(run), summarise(full); got != want {
			t.Errorf("beyond %v: summary %+v, want %+v", beyond, got, want)
		}
		if got, want := encodeHist(widen(run)), encodeHist(full); got != want {
			t.Errorf("beyond %v: the encodings differ", beyond)
		}
		// Encoded as it is, not widened first: still the library's
		// encoding of the full histogram.
		if got, want := encodeHist(run), libEncode(t, full); got != want {
			t.Errorf("beyond %v: the encoding differs from hdrhistogram-go's", beyond)
		}
		if wide := run.HighestTrackableValue() >= histMax; wide != (beyond > 0) {
			t.Errorf("beyond %v: widened %v", beyond, wide)
		}
	}
	if run, full := newRunHist().ByteSize(), newHist().ByteSize(); 2*run > full+full/10 {
		t.Errorf("a run's histogram starts at %d bytes, a full one %d", run, full)
	}
}
