package sender

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// BenchmarkMerge100 is what 'vodsim report' does with 100 shard reports:
// decode each JSON report (10,000 events each, latencies spread over 1 µs
// to 10 s) and merge them, histograms included.
func BenchmarkMerge100(b *testing.B) {
	var files [][]byte
	for k := range 100 {
		lat, svc, late, cw := newHist(), newHist(), newHist(), newHist()
		for i := range 10000 {
			d := time.Duration(1+(i*7919+k*104729)%10_000_000) * time.Microsecond
			record(&lat, d)
			record(&svc, d/2)
			record(&late, d/100)
			record(&cw, d/1000)
		}
		r := &Report{
			Shard: fmt.Sprintf("%d/100", k), Version: "dev", Format: "v4", Seed: 1, Start: time.Unix(1000, 0), Duration: time.Minute,
			Events: 10000, Acknowledged: 10000, Attempts: 10000, StatusCodes: map[int]uint64{200: 10000},
			Errors: map[string]uint64{}, NotSentReasons: map[string]uint64{}, Payloads: PayloadMix{FailureCodes: map[int]uint64{-43001: 5}},
			Latency: summarise(lat), Service: summarise(svc), Lateness: summarise(late), ConnWait: summarise(cw),
			Histograms: &Histograms{Latency: encodeHist(lat), Service: encodeHist(svc), Lateness: encodeHist(late), ConnWait: encodeHist(cw)},
		}
		var buf bytes.Buffer
		if err := r.WriteJSON(&buf); err != nil {
			b.Fatal(err)
		}
		files = append(files, buf.Bytes())
	}
	b.ResetTimer()
	for b.Loop() {
		reps := make([]*Report, len(files))
		for i, f := range files {
			reps[i] = &Report{}
			if err := json.Unmarshal(f, reps[i]); err != nil {
				b.Fatal(err)
			}
		}
		m, err := Merge(reps)
		if err != nil {
			b.Fatal(err)
		}
		if m.Latency.Count != 1_000_000 || len(m.Missing()) != 0 {
			b.Fatalf("merged %d samples, missing %v", m.Latency.Count, m.Missing())
		}
	}
}
