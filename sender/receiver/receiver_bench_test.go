package receiver

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// BenchmarkReceiverHandler posts b.N distinct signed 3.0 events over 32
// keep-alive loopback connections, first to a bare net/http handler that
// reads the body and answers 200 {}, then to the checking Receiver with
// every check on (duplicates, malformed, the signature) and its line per
// request written to io.Discard, and reports the Receiver's requests/s as
// a share of the bare handler's (vs-bare). Client and servers share the
// process, so the share understates the gap a receiver alone would show
// (scripts/compare.sh measures that).
func BenchmarkReceiverHandler(b *testing.B) {
	g, err := generator.New(generator.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	enc := generator.Encoding{Format: generator.FormatV3}
	const n, conns = 4096, 32
	bodies := make([][]byte, n)
	var ev generator.Event
	for i := range bodies {
		g.Fill(&ev, uint64(i))
		bodies[i] = generator.AppendSignature(enc.Append(nil, &ev), "key", 4102444800)
	}
	post := func(b *testing.B, url string) float64 {
		tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1)
					if i > int64(b.N) {
						return
					}
					resp, err := client.Post(url, "application/json", bytes.NewReader(bodies[i%n]))
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
		rate := float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(rate, "requests/s")
		return rate
	}
	var bare float64
	b.Run("bare", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "{}")
		}))
		defer srv.Close()
		bare = post(b, srv.URL)
	})
	b.Run("receiver", func(b *testing.B) {
		rc := &Receiver{SignKey: "key", Log: io.Discard}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv, ln := rc.NewServer(ln)
		go srv.Serve(ln)
		defer srv.Close()
		rate := post(b, "http://"+ln.Addr().String()+"/")
		if s := rc.Stats(); s.Malformed+s.BadSignature > 0 {
			b.Fatalf("%d malformed, %d bad signatures: %s", s.Malformed, s.BadSignature, s.FirstError)
		}
		if bare > 0 {
			b.ReportMetric(rate/bare, "vs-bare")
		}
	})
}

// BenchmarkCheckPayload checks one signed 3.0 sprite event, as the
// Receiver does each body, with the key it was signed with.
func BenchmarkCheckPayload(b *testing.B) {
	g, err := generator.New(generator.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	var ev generator.Event
	g.Fill(&ev, 1)
	enc := generator.Encoding{Format: generator.FormatV3}
	body := generator.AppendSignature(enc.Append(nil, &ev), "key", 4102444800)
	now := time.Unix(1_800_000_000, 0)
	b.ReportAllocs()
	for b.Loop() {
		if p := CheckPayload(body, "key", now); p.Err != nil {
			b.Fatal(p.Err)
		}
	}
}
