package pace

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// schedule turns a Profile into send times: event k is due when the
// profile's cumulative event count reaches k (event 0 at time 0). It is
// read-only after newSchedule and safe for concurrent use.
type schedule struct {
	segs  []segment
	total float64 // events in all phases
	end   float64 // seconds, end of the last phase
	final float64 // rate after the last phase
}

// segment is a stretch of constant rate, or a linear ramp.
type segment struct {
	start, dur float64 // seconds
	from, to   float64 // events per second at start and end
	n0, n      float64 // cumulative events at start, events in segment
}

func newSchedule(p Profile) (*schedule, error) {
	s := &schedule{}
	t, n := 0.0, 0.0
	add := func(dur, from, to float64) {
		cnt := (from + to) / 2 * dur
		s.segs = append(s.segs, segment{start: t, dur: dur, from: from, to: to, n0: n, n: cnt})
		t += dur
		n += cnt
		s.final = to
	}
	for i, ph := range p {
		switch {
		case ph.Duration <= 0:
			return nil, profileErr("profile phase %d: duration %v must be > 0", i+1, ph.Duration)
		case !(ph.From > 0) || math.IsInf(ph.From, 0):
			return nil, profileErr("profile phase %d: rate %v must be > 0", i+1, ph.From)
		case ph.To < 0 || math.IsNaN(ph.To) || math.IsInf(ph.To, 0):
			return nil, profileErr("profile phase %d: end rate %v must be >= 0", i+1, ph.To)
		case ph.Steps < 0:
			return nil, profileErr("profile phase %d: steps %d is negative", i+1, ph.Steps)
		}
		dur := ph.Duration.Seconds()
		to := ph.To
		if to == 0 {
			to = ph.From
		}
		switch {
		case to == ph.From:
			add(dur, ph.From, ph.From)
		case ph.Steps > 0:
			step := dur / float64(ph.Steps)
			for k := range ph.Steps {
				r := ph.From
				if ph.Steps > 1 {
					r = ph.From + (to-ph.From)*float64(k)/float64(ph.Steps-1)
				}
				add(step, r, r)
			}
		default:
			add(dur, ph.From, to)
		}
	}
	s.total, s.end = n, t
	return s, nil
}

// at returns the send time of event k, as an offset from the run's start.
func (s *schedule) at(k uint64) time.Duration {
	x := float64(k)
	if x >= s.total {
		return durationSeconds(s.end + (x-s.total)/s.final)
	}
	// Binary search for the segment holding x.
	lo, hi := 0, len(s.segs)-1
	for lo < hi {
		m := (lo + hi + 1) / 2
		if s.segs[m].n0 <= x {
			lo = m
		} else {
			hi = m - 1
		}
	}
	g := &s.segs[lo]
	y := x - g.n0
	if g.from == g.to {
		return durationSeconds(g.start + y/g.from)
	}
	// count(t) = from*t + a*t^2 with a = (to-from)/(2*dur); solve count = y.
	a := (g.to - g.from) / (2 * g.dur)
	disc := g.from*g.from + 4*a*y
	if disc < 0 {
		disc = 0
	}
	// The numerically stable root of a*t^2 + from*t - y = 0.
	t := 2 * y / (g.from + math.Sqrt(disc))
	return durationSeconds(g.start + t)
}

// countBefore is how many events fall strictly before d.
func (s *schedule) countBefore(d time.Duration) uint64 {
	t := d.Seconds()
	var n float64
	if t >= s.end {
		n = s.total + (t-s.end)*s.final
	} else {
		for i := range s.segs {
			g := &s.segs[i]
			if t >= g.start+g.dur {
				continue
			}
			u := t - g.start
			n = g.n0 + g.from*u + (g.to-g.from)/(2*g.dur)*u*u
			break
		}
	}
	// Events 0..ceil(n)-1 have at(k) < d (event k is due when count reaches k).
	c := math.Ceil(n - 1e-9)
	if c < 0 {
		return 0
	}
	// Guard against float edges: make sure at(c-1) < d <= at(c).
	k := uint64(c)
	for k > 0 && s.at(k-1) >= d {
		k--
	}
	for s.at(k) < d {
		k++
	}
	return k
}

// Schedule gives the times at which a Profile's events fall due, as
// sender.Run paces them: event k at At(k) after the start. Build one with
// NewSchedule; it is read-only and safe for concurrent use. The zero
// value is not usable.
type Schedule struct{ s *schedule }

// NewSchedule returns p's schedule, or an error wrapping ErrProfile when a
// phase is invalid or p is empty.
func NewSchedule(p Profile) (*Schedule, error) {
	if len(p) == 0 {
		return nil, profileErr("empty profile: no rate to schedule")
	}
	s, err := newSchedule(p)
	if err != nil {
		return nil, err
	}
	return &Schedule{s}, nil
}

// At is when event k (from 0) falls due, as an offset from the start.
func (s *Schedule) At(k uint64) time.Duration { return s.s.at(k) }

// Due is how many events have fallen due by d: those with At(k) <= d.
func (s *Schedule) Due(d time.Duration) uint64 {
	if d == math.MaxInt64 {
		return math.MaxUint64
	}
	return s.s.countBefore(d + 1)
}

// ErrProfile is wrapped by every error NewSchedule returns for a bad
// Profile; the message names the phase and what is wrong with it.
var ErrProfile = errors.New("invalid rate profile")

// profileError is a bad Profile: its message is the reason alone, and it
// matches ErrProfile under errors.Is.
type profileError struct{ msg string }

func (e *profileError) Error() string        { return e.msg }
func (e *profileError) Is(target error) bool { return target == ErrProfile }

func profileErr(format string, a ...any) error {
	return &profileError{fmt.Sprintf(format, a...)}
}

// durationSeconds converts a float number of seconds to a Duration,
// saturating instead of overflowing.
func durationSeconds(s float64) time.Duration {
	if s >= float64(math.MaxInt64)/1e9 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * 1e9)
}
