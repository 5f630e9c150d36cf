//go:build linux

package generator

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// threadCPU is the CPU time this OS thread has used: unlike the wall
// clock, it does not grow while other processes hold the cores.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCatalogVsSprite makes and encodes (3.0) events of each catalog
// type, and of the mix of all ("all"), in blocks interleaved with blocks of
// the sprite event's default stream, on one locked thread. It reports
// each one's CPU time per event and its ratio to the sprite path's
// ("x-sprite": 1.5 means 1.5 times as long as a sprite event), so figures
// taken on a busy machine still compare.
func BenchmarkCatalogVsSprite(b *testing.B) {
	run := func(b *testing.B, outs []Outcome) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		sprite, err := New(Config{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		g, err := New(Config{Seed: 1, Outcomes: outs})
		if err != nil {
			b.Fatal(err)
		}
		enc := Encoding{Format: FormatV3}
		var e Event
		buf := make([]byte, 0, 16<<10)
		const block = 64
		var tSprite, tKind time.Duration
		b.ReportAllocs()
		for i := 0; i < b.N; i += block {
			n := min(block, b.N-i)
			t0 := threadCPU()
			for j := i; j < i+n; j++ {
				sprite.Fill(&e, uint64(j))
				buf = enc.Append(buf[:0], &e)
			}
			t1 := threadCPU()
			for j := i; j < i+n; j++ {
				g.Fill(&e, uint64(j))
				buf = enc.Append(buf[:0], &e)
			}
			t2 := threadCPU()
			tSprite += t1 - t0
			tKind += t2 - t1
		}
		if tKind > 0 && tSprite > 0 {
			b.ReportMetric(float64(tKind.Nanoseconds())/float64(b.N), "cpu-ns/event")
			b.ReportMetric(float64(b.N)/tKind.Seconds(), "events/cpu-s")
			b.ReportMetric(float64(tKind)/float64(tSprite), "x-sprite")
		}
	}
	b.Run("all", func(b *testing.B) { run(b, TypeMix(Kinds, DefaultFailureRatio)) })
	for _, k := range Kinds {
		b.Run(k.Name, func(b *testing.B) { run(b, TypeMix([]*Kind{k}, DefaultFailureRatio)) })
	}
}
