package generator

import "testing"

// BenchmarkGenerateEncode measures making and encoding one event, the
// generator's hot path (target: >= 200,000 events/s on one core, i.e.
// <= 5,000 ns/op); v4-reuse fills one Event with ReuseRoom, as vodsim
// send's workers do.
func BenchmarkGenerateEncode(b *testing.B) {
	for _, tc := range []struct {
		name  string
		enc   Encoding
		reuse bool
	}{{"v4", Encoding{}, false}, {"v3", Encoding{Format: FormatV3}, false}, {"v4-reuse", Encoding{}, true}} {
		b.Run(tc.name, func(b *testing.B) {
			g, err := New(Config{Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			var ev Event
			if tc.reuse {
				ev.ReuseRoom()
			}
			buf := make([]byte, 0, 4096)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g.Fill(&ev, uint64(i))
				buf = tc.enc.Append(buf[:0], &ev)
			}
			b.SetBytes(int64(len(buf)))
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkParallel shows generation scales across cores: per-event sources
// share no lock.
func BenchmarkParallel(b *testing.B) {
	g, _ := New(Config{Seed: 1})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var ev Event
		buf := make([]byte, 0, 4096)
		i := uint64(0)
		for pb.Next() {
			g.Fill(&ev, i)
			buf = Encoding{}.Append(buf[:0], &ev)
			i++
		}
	})
}
