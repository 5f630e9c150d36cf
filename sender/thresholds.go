package sender

import (
	"fmt"
	"time"
)

// Thresholds are what a run must meet, for CI. The zero value demands
// that every event is acknowledged and checks nothing else.
type Thresholds struct {
	// MaxFailed is how many events may end unacknowledged (other
	// status, failed, interrupted or not sent).
	MaxFailed uint64 `json:"maxFailed"`
	// MaxP99 bounds the latency's 99th percentile; 0 means no bound.
	MaxP99 time.Duration `json:"maxP99Ns"`
	// MinRate is the least achieved rate as a fraction (0..1) of the
	// target rate; 0 means no bound. It is judged over the schedule's
	// span (ScheduleSpan): a run whose span is under MinRateSpan is too
	// short to measure and passes, as does an unlimited-rate run.
	MinRate float64 `json:"minRate"`
}

// MinRateSpan is the shortest ScheduleSpan over which Thresholds.MinRate
// is judged: over a shorter one, a few milliseconds of a busy machine's
// scheduling would decide the rate (3 events at 200/s span 10 ms).
const MinRateSpan = time.Second

// Breach is one threshold a run did not meet: a plain value.
type Breach struct {
	// Name is the threshold: "max-failed", "max-p99" or "min-rate".
	Name string `json:"name"`
	// Message says what was wanted and what was measured.
	Message string `json:"message"`
}

// Check is one threshold's verdict: a plain value.
type Check struct {
	// Name is the threshold, as in Breach.
	Name string `json:"name"`
	// Pass is whether the run met it.
	Pass bool `json:"pass"`
	// Message says what was wanted and what was measured.
	Message string `json:"message"`
}

// String gives the breach as "name: message".
func (b Breach) String() string { return b.Name + ": " + b.Message }

// Check returns the thresholds rep breaches, none when it meets them all.
func (rep *Report) Check(th Thresholds) []Breach {
	var out []Breach
	for _, c := range rep.checks(th) {
		if !c.Pass {
			out = append(out, Breach{c.Name, c.Message})
		}
	}
	return out
}

// Judge checks rep against th, adds the caller's own breaches (extra),
// and records in rep the thresholds, every check with its verdict, and
// the run's Verdict: "fail" if anything was breached, else "pass". It
// returns the breaches, as Check does, extra included.
func (rep *Report) Judge(th Thresholds, extra ...Breach) []Breach {
	rep.Thresholds = &th
	rep.Checks = rep.checks(th)
	for _, b := range extra {
		rep.Checks = append(rep.Checks, Check{Name: b.Name, Message: b.Message})
	}
	rep.Verdict = "pass"
	var out []Breach
	for _, c := range rep.Checks {
		if !c.Pass {
			rep.Verdict = "fail"
			out = append(out, Breach{c.Name, c.Message})
		}
	}
	return out
}

// checks gives the verdict of each threshold th sets: max-failed always,
// max-p99 and min-rate when above 0.
func (rep *Report) checks(th Thresholds) []Check {
	n := rep.Events - rep.Acknowledged
	out := []Check{{Name: "max-failed", Pass: n <= th.MaxFailed,
		Message: fmt.Sprintf("%d of %s not acknowledged (%d other status, %d failed, %d interrupted, %d not sent); at most %d allowed",
			n, plural(rep.Events, "event"), rep.OtherStatus, rep.Failed, rep.InterruptedEvents, rep.NotSent, th.MaxFailed)}}
	if th.MaxP99 > 0 {
		c := Check{Name: "max-p99", Pass: rep.Latency.P99 <= th.MaxP99}
		if rep.Latency.Count == 0 && rep.Latency.P99 == 0 {
			// No event reached an answer: no p99 to judge (a p99 of 0
			// would pass anything); max-failed counts those events.
			c.Pass, c.Message = true, "not judged: no latency sample (no event was answered)"
		} else if c.Pass {
			c.Message = fmt.Sprintf("latency p99 %s is within %s", fmtDur(rep.Latency.P99), fmtDur(th.MaxP99))
		} else {
			c.Message = fmt.Sprintf("latency p99 %s is above %s", fmtDur(rep.Latency.P99), fmtDur(th.MaxP99))
		}
		out = append(out, c)
	}
	if th.MinRate > 0 {
		c := Check{Name: "min-rate", Pass: true}
		switch {
		case rep.TargetRate == 0:
			c.Message = "not judged: the run had no target rate"
		case rep.ScheduleSpan < MinRateSpan:
			c.Message = fmt.Sprintf("not judged: the schedule spans %s, under %s, too short to measure a rate", fmtDur(rep.ScheduleSpan), fmtDur(MinRateSpan))
		default:
			pct := 100 * rep.AchievedRate / rep.TargetRate
			c.Pass = rep.AchievedRate >= th.MinRate*rep.TargetRate
			c.Message = fmt.Sprintf("achieved %.1f/s is %.1f%% of the target %.1f/s; at least %.1f%% wanted", rep.AchievedRate, pct, rep.TargetRate, 100*th.MinRate)
		}
		out = append(out, c)
	}
	return out
}
