package sender

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/pace"
)

// minimalReceiver answers 200 {} after reading the body: the cheapest
// well-behaved receiver, so the benchmarks measure the sender.
func minimalReceiver() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "{}")
	}))
}

// BenchmarkSendUnlimited sends b.N events as fast as a minimal loopback
// receiver allows (--rate 0) and reports events/s. A bare net/http client
// posting one fixed body from as many goroutines as the sender has
// connections runs first against the same kind of receiver: the ratio of
// the two says what generating, pacing, accounting and the report cost
// over the HTTP round trips themselves, whatever the machine's speed.
// vodsim sends through the run's own client; vodsim-net-http through an
// http.Transport given as Config.Transport, as before that client. Where
// getrusage is, each also reports the CPU time of the whole process
// (sender and receiver) per event, and vodsim its ratio to the bare
// client's (cpu-vs-bare): the receiver's share is the same in both.
func BenchmarkSendUnlimited(b *testing.B) {
	const conns = 32
	defer debug.SetGCPercent(debug.SetGCPercent(400)) // as vodsim send
	var bare, bareCPU float64
	b.Run("bare-net-http", func(b *testing.B) {
		srv := minimalReceiver()
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
		defer client.CloseIdleConnections()
		body := []byte(`{"version":"4.0","eventType":"CreateImageSpriteComplete","data":{"status":0,"message":"","vodTaskId":"CreateImageSprite-00000000000000000000000000000000","fileId":"5285890799710670616","definition":10,"totalCount":100,"imageSpriteUrl":["http://1255566655.vod2.myqcloud.com/x/imageSprite/0.jpg"]}}`)
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		start, cpu0 := time.Now(), processCPU()
		var wg sync.WaitGroup
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(b.N) {
					resp, err := client.Post(srv.URL, "application/json", bytes.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		bare = float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(bare, "events/s")
		bareCPU = cpuPerEvent(cpu0, b.N)
		b.ReportMetric(bareCPU, "cpu-µs/event")
	})
	vodsim := func(tr func() *http.Transport) func(b *testing.B) {
		return func(b *testing.B) {
			srv := minimalReceiver()
			defer srv.Close()
			cfg := Config{Target: srv.URL, Count: uint64(b.N), Connections: conns, MaxInFlight: 2 * conns}
			if tr != nil {
				t := tr()
				defer t.CloseIdleConnections()
				cfg.Transport = t
			}
			b.ReportAllocs()
			b.ResetTimer()
			start, cpu0 := time.Now(), processCPU()
			rep, err := Run(context.Background(), cfg)
			el := time.Since(start)
			cpu := cpuPerEvent(cpu0, b.N)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if rep.Acknowledged != uint64(b.N) {
				b.Fatalf("acknowledged %d of %d", rep.Acknowledged, b.N)
			}
			rate := float64(b.N) / el.Seconds()
			b.ReportMetric(rate, "events/s")
			if bare > 0 {
				b.ReportMetric(rate/bare, "vs-bare")
			}
			if cpu > 0 {
				b.ReportMetric(cpu, "cpu-µs/event")
				if bareCPU > 0 {
					b.ReportMetric(cpu/bareCPU, "cpu-vs-bare")
				}
			}
		}
	}
	// The run's own client, then net/http's as a Config.Transport.
	b.Run("vodsim", vodsim(nil))
	b.Run("vodsim-net-http", vodsim(func() *http.Transport {
		return &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	}))
}

// processCPU is the process's CPU time so far (0 where unknown).
var processCPU = func() time.Duration { return 0 }

// cpuPerEvent is the process's CPU time since cpu0 per event, in µs; 0
// where unknown.
func cpuPerEvent(cpu0 time.Duration, n int) float64 {
	if cpu0 == 0 || n == 0 {
		return 0
	}
	return float64(processCPU()-cpu0) / float64(time.Microsecond) / float64(n)
}

// BenchmarkSendRate20k holds 20,000 events/s against a minimal loopback
// receiver and reports how close the achieved rate came (achieved-%) and
// the lateness p99. It runs for 1 s; set VODSIM_BENCH_FULL=1 for the
// 10 s run of the speed target.
func BenchmarkSendRate20k(b *testing.B) {
	d := time.Second
	if os.Getenv("VODSIM_BENCH_FULL") != "" {
		d = 10 * time.Second
	}
	defer debug.SetGCPercent(debug.SetGCPercent(400)) // as vodsim send
	srv := minimalReceiver()
	defer srv.Close()
	b.ReportAllocs()
	var achieved, p99, events float64
	for range b.N {
		rep, err := Run(context.Background(), Config{Target: srv.URL, Duration: d,
			Profile: pace.Profile{{Duration: d, From: 20000}}, Connections: 32})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Acknowledged != rep.Events {
			b.Fatalf("acknowledged %d of %d", rep.Acknowledged, rep.Events)
		}
		achieved += 100 * rep.AchievedRate / 20000
		p99 += float64(rep.Lateness.P99) / float64(time.Millisecond)
		events += float64(rep.Events)
	}
	n := float64(b.N)
	b.ReportMetric(achieved/n, "achieved-%")
	b.ReportMetric(p99/n, "lateness-p99-ms")
	b.ReportMetric(events/n, "events/run")
}

// BenchmarkSendRateWithDelays paces 201 events at 200/s, each postponed
// by an added delay of up to 300 ms (a fault), and reports the achieved
// rate as a share of the target (achieved-%): about 100 when the delays
// are kept out of the pacing, as they should be. Its tally is tested
// without a clock in TestDelayLeavesTheAchievedRateAlone.
func BenchmarkSendRateWithDelays(b *testing.B) {
	srv := minimalReceiver()
	defer srv.Close()
	var achieved float64
	for range b.N {
		rep, err := Run(context.Background(), Config{Target: srv.URL, Seed: 1, Count: 201, MaxInFlight: 512,
			Profile: pace.Profile{{Duration: time.Second, From: 200}}, Faults: Faults{DelayMax: 300 * time.Millisecond}})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Delayed == 0 || rep.Acknowledged != rep.Events {
			b.Fatalf("delayed %d, acknowledged %d of %d", rep.Delayed, rep.Acknowledged, rep.Events)
		}
		achieved += 100 * rep.AchievedRate / rep.TargetRate
	}
	b.ReportMetric(achieved/float64(b.N), "achieved-%")
}

// BenchmarkStalledReceiverMemory sends 2,000 events/s for 2 s to a
// receiver that never answers (every attempt times out after 200 ms),
// sampling the heap every 20 ms. It reports the peak heap, the heap's
// growth from the first to the second second (flat means bounded), and
// the process's peak RSS (VmHWM, receiver included).
func BenchmarkStalledReceiverMemory(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	defer srv.Close()
	b.ReportAllocs()
	var peak, mid, end uint64
	for range b.N {
		runtime.GC()
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk := time.NewTicker(20 * time.Millisecond)
			defer tk.Stop()
			start := time.Now()
			var ms runtime.MemStats
			for {
				select {
				case <-ctx.Done():
					return
				case <-tk.C:
				}
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
				if el := time.Since(start); el < time.Second {
					mid = max(mid, ms.HeapInuse)
				} else {
					end = max(end, ms.HeapInuse)
				}
			}
		}()
		rep, err := Run(context.Background(), Config{Target: srv.URL, Duration: 2 * time.Second,
			Profile: pace.Profile{{Duration: time.Second, From: 2000}},
			Retry:   RetryPolicy{Timeout: 200 * time.Millisecond}})
		cancel()
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Failed+rep.NotSent != rep.Events || rep.Late == 0 {
			b.Fatalf("events %d failed %d late %d: want all failed, some late", rep.Events, rep.Failed, rep.Late)
		}
	}
	mb := func(v uint64) float64 { return float64(v) / (1 << 20) }
	b.ReportMetric(mb(peak), "peak-heap-MB")
	b.ReportMetric(mb(end)-mb(mid), "heap-growth-MB")
	b.ReportMetric(peakRSSMB(), "peak-rss-MB")
}

// peakRSSMB reads the process's peak resident set (VmHWM) on Linux; 0
// elsewhere.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkSendRateLow sends 200 events at 200 events/s (one every 5 ms)
// to a minimal loopback receiver and reports the lateness p50 and p99 and
// the latency p50: at a low rate the sender is idle between events, so
// lateness is how precisely it wakes up on time.
func BenchmarkSendRateLow(b *testing.B) {
	srv := minimalReceiver()
	defer srv.Close()
	b.ReportAllocs()
	var p50, p99, lat float64
	for range b.N {
		rep, err := Run(context.Background(), Config{Target: srv.URL, Count: 200,
			Profile: pace.Profile{{Duration: time.Second, From: 200}}})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Acknowledged != rep.Events {
			b.Fatalf("acknowledged %d of %d", rep.Acknowledged, rep.Events)
		}
		us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
		p50 += us(rep.Lateness.P50)
		p99 += us(rep.Lateness.P99)
		lat += us(rep.Latency.P50)
	}
	n := float64(b.N)
	b.ReportMetric(p50/n, "lateness-p50-µs")
	b.ReportMetric(p99/n, "lateness-p99-µs")
	b.ReportMetric(lat/n, "latency-p50-µs")
}

// nullTransport answers every request 200 {} at once, after reading its
// body: no network, so BenchmarkSendOverhead measures only the sender's
// own per-event work (generating, encoding, the request, the worker
// handoffs, the accounting).
type nullTransport struct{}

func (nullTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	io.Copy(io.Discard, req.Body)
	req.Body.Close()
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), ContentLength: 2, Request: req}, nil
}

// BenchmarkSendOverhead sends b.N events as fast as possible through a
// transport that answers at once: ns/op is the sender's own cost per
// event, which the network hides in BenchmarkSendUnlimited's noise.
func BenchmarkSendOverhead(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(400)) // as vodsim send
	b.ReportAllocs()
	rep, err := Run(context.Background(), Config{Target: "http://127.0.0.1:1/", Count: uint64(b.N),
		Connections: 32, MaxInFlight: 64, Transport: nullTransport{}})
	if err != nil {
		b.Fatal(err)
	}
	if rep.Acknowledged != uint64(b.N) {
		b.Fatalf("acknowledged %d of %d", rep.Acknowledged, b.N)
	}
}
