package sender

// SmallRun is the most events a run may plan to count as small for
// GCPercent.
const SmallRun = 100_000

// GCPercent is the GOGC (debug.SetGCPercent) for a program that mostly
// runs cfg: Go's default, 100, for a run of at most SmallRun events (the
// default count, a count up to it, or a rate over a duration that makes
// no more), whose heap then stays within a few times what the run holds
// live, so a 10,000-event run stays small; SuggestedGCPercent for a
// longer or unbounded run, where fewer collections keep lateness low at
// tens of thousands of events per second and memory is bounded by
// MaxInFlight all the same. For a Config that Validate refuses it is
// SuggestedGCPercent.
func GCPercent(cfg Config) int {
	const small = 100
	switch {
	case cfg.Count > 0 && cfg.Count <= SmallRun:
		return small
	case cfg.Count == 0 && cfg.Duration == 0:
		return small // DefaultCount
	case cfg.Duration > 0 && len(cfg.Profile) > 0:
		s, err := newSchedule(cfg.Profile)
		if err == nil && s.countBefore(cfg.Duration) <= SmallRun {
			return small
		}
	}
	return SuggestedGCPercent
}
