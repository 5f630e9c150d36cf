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

// pacedGCPercent is the GOGC of a small run at a rate: its heap's goal is
// a quarter more than what is live, 0.2 to 0.5 MB less peak RSS at
// 10,000 events/s than smallGCPercent, for some 3 % more CPU, which a paced run
// has to spare (a run as fast as possible keeps smallGCPercent: its CPU
// per event is what it is measured by).
const pacedGCPercent = 25

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
