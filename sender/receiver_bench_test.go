package sender

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vodsim/vodsim/generator"
)

// BenchmarkReceiverHandler serves recorded POSTs of distinct generated
// events straight to the handlers, no network: first a bare handler that
// reads the body and answers 200 {}, then the checking Receiver with every
// check on (duplicates, malformed, a 3.0 signature) and its line per
// request written to io.Discard. It reports the Receiver's requests/s as
// a share of the bare handler's (vs-bare).
func BenchmarkReceiverHandler(b *testing.B) {
	g, err := generator.New(generator.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	enc := generator.Encoding{Format: generator.FormatV3}
	const n = 4096
	bodies := make([][]byte, n)
	var ev generator.Event
	for i := range bodies {
		g.Fill(&ev, uint64(i))
		bodies[i] = appendSignature(enc.Append(nil, &ev), "key", 4102444800)
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}")
	})
	var bareNs float64
	serve := func(b *testing.B, h http.Handler) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(bodies[i%n]))
				h.ServeHTTP(httptest.NewRecorder(), req)
				i++
			}
		})
	}
	b.Run("bare", func(b *testing.B) {
		serve(b, bare)
		bareNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("receiver", func(b *testing.B) {
		rc := &Receiver{SignKey: "key", Log: io.Discard}
		serve(b, rc)
		if s := rc.Stats(); s.Malformed+s.BadSignature > 0 {
			b.Fatalf("%d malformed, %d bad signatures: %s", s.Malformed, s.BadSignature, s.FirstError)
		}
		if ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N); bareNs > 0 {
			b.ReportMetric(bareNs/ns, "vs-bare")
		}
	})
}
