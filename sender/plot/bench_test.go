package plot

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkPlot1M reads a journal of 1,000,000 lines (909,091 events at
// 10,000/s, a retry for every 10th) and writes the page; it reports the
// page's size.
func BenchmarkPlot1M(b *testing.B) {
	j := journal(909_091, 10000)
	if n := bytes.Count(j, []byte("\n")); n < 1_000_000 {
		b.Fatalf("%d lines", n)
	}
	b.ResetTimer()
	for b.Loop() {
		var d Data
		if err := d.Read(bytes.NewReader(j)); err != nil {
			b.Fatal(err)
		}
		var cw countWriter
		if err := d.WriteHTML(&cw, "1M"); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(cw)/1e6, "MB/page")
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
