package main

import (
	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pace"
)

// smallRun is the most events a run may plan to run with GOGC
// smallGCPercent (gcPercent).
const smallRun = 100_000

// smallGCPercent is the GOGC of a small run: the heap's goal is then half
// again what is live (some 3.5 MB in a 10,000-event run with the embedded
// receiver: the generator's tables, the run's four latency histograms,
// the connections' buffers), so such a run peaks at about 27 MB RSS, 12
// MB of it the binary's pages, for some 10 % more CPU than Go's default
// 100; with sendGCPercent the heap's goal never falls under 16 MB.
const smallGCPercent = 50

// pacedGCPercent is the GOGC of a small run at a rate: Go's default. Its
// live heap is small (1 to 2 MB at 10,000 events/s with the run's own
// client), so under GOGC 25 it collected every 60 to 150 ms, and a
// collection's stop of the world took up to 3 ms on the 2-core machine
// with the receiver on the same cores (GODEBUG=gctrace=1): at 10,000 events/s,
// vodsim send's lateness p99 was 1.7 to 2.8 ms under GOGC 25 and 1.0 to
// 1.5 ms under 100, for some 1 MB more peak RSS (24.5 to 25.3 MB with
// the embedded receiver, 10,000 events).
const pacedGCPercent = 100

// gcPercent is the GOGC vodsim send runs cfg with (unless GOGC is set):
// for a run of at most smallRun events (the default count, a count up to
// it, or a rate over a duration that makes no more), pacedGCPercent at a
// rate and smallGCPercent as fast as possible; sendGCPercent for a longer
// or unbounded run.
func gcPercent(cfg sender.Config) int {
	small := smallGCPercent
	if len(cfg.Profile) > 0 {
		small = pacedGCPercent
	}
	switch {
	case cfg.Count > 0 && cfg.Count <= smallRun:
		return small
	case cfg.Count == 0 && cfg.Duration == 0:
		return small // sender.DefaultCount
	case cfg.Duration > 0 && len(cfg.Profile) > 0:
		s, err := pace.NewSchedule(cfg.Profile)
		if err == nil && s.Due(cfg.Duration-1) <= smallRun {
			return small
		}
	}
	return sendGCPercent
}
