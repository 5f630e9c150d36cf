package main

import (
	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pace"
)

// smallRun is the most events a run may plan to keep Go's default GC
// percent (gcPercent).
const smallRun = 100_000

// gcPercent is the GOGC vodsim send runs cfg with (unless GOGC is set):
// Go's default, 100, for a run of at most smallRun events (the default
// count, a count up to it, or a rate over a duration that makes no more),
// whose heap then stays within a few times what the run holds live, so a
// 10,000-event run stays under 30 MB RSS (with GOGC 400 the heap's goal
// never falls under 16 MB); sendGCPercent for a longer or unbounded run.
func gcPercent(cfg sender.Config) int {
	const small = 100
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
