package value

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Share is a share of events, from 0 (none) to 1 (all). Its text is a
// percentage ("5%", "0.5%") or a fraction ("0.05").
type Share float64

// ParseShare reads a share: a percentage from 0% to 100% or a fraction
// from 0 to 1.
func ParseShare(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if num, pct := strings.CutSuffix(t, "%"); pct {
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%q is not a share: write a percentage like 5%% or a fraction like 0.05", s)
		}
		if v < 0 || v > 100 {
			return 0, fmt.Errorf("share %s is outside 0%%..100%%", t)
		}
		return v / 100, nil
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a share: write a percentage like 5%% or a fraction like 0.05", s)
	}
	if err := CheckShare(v); err != nil {
		return 0, err
	}
	return v, nil
}

// CheckShare says whether x is a share, 0 to 1.
func CheckShare(x float64) error {
	if !(x >= 0 && x <= 1) {
		if x > 1 && x <= 100 {
			return fmt.Errorf("share %v is outside 0..1: write a fraction from 0 to 1, or a percentage like %v%%", x, x)
		}
		return fmt.Errorf("share %v is outside 0..1: write a fraction from 0 to 1, or a percentage from 0%% to 100%%", x)
	}
	return nil
}

// Set parses s as ParseShare does.
func (v *Share) Set(s string) error {
	x, err := ParseShare(s)
	if err != nil {
		return err
	}
	*v = Share(x)
	return nil
}

// UnmarshalText parses text as ParseShare does.
func (v *Share) UnmarshalText(text []byte) error { return v.Set(string(text)) }

// String returns the share as a fraction, e.g. "0.05".
func (v Share) String() string { return strconv.FormatFloat(float64(v), 'g', -1, 64) }

// Type names the value in a flag's usage.
func (Share) Type() string { return "share" }

// MaxRate is the highest rate accepted, in events (or requests) a second.
const MaxRate = 1e7

// rateUnits are the units of a rate, with their length in seconds.
var rateUnits = []struct {
	suffix string
	per    float64
}{
	{"/s", 1}, {"/sec", 1}, {"/m", 60}, {"/min", 60}, {"/h", 3600},
}

// Rate is a number of events (or requests) a second, 0 to MaxRate. Its
// text is a count per unit ("50/s", "600/m", "10/h") or a bare number of
// events a second ("50"). What 0 means is the user's to say: a send
// rate's 0 is "as fast as possible", an arrival rate's 0 is "none".
type Rate float64

// ParseRate reads a rate in events a second: "50/s", "600/m", "10/h" or a
// bare number (a second), from 0 to MaxRate.
func ParseRate(s string) (float64, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	per := 1.0
	if i := strings.IndexByte(t, '/'); i >= 0 {
		unit := t[i:]
		found := false
		for _, u := range rateUnits {
			if unit == u.suffix {
				per, found = u.per, true
			}
		}
		if !found {
			return 0, fmt.Errorf("rate %q: unknown unit %q: use /s, /m or /h", s, unit)
		}
		t = t[:i]
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("rate %q: want a number a second like 50, or per unit like 50/s, 600/m or 10/h", s)
	}
	v /= per
	switch {
	case v < 0:
		return 0, fmt.Errorf("rate %q is negative: a rate is 0 or more", s)
	case v > MaxRate:
		return 0, fmt.Errorf("rate %q is above the most, %.0f a second", s, float64(MaxRate))
	}
	return v, nil
}

// Set parses s as ParseRate does.
func (v *Rate) Set(s string) error {
	x, err := ParseRate(s)
	if err != nil {
		return err
	}
	*v = Rate(x)
	return nil
}

// UnmarshalText parses text as ParseRate does.
func (v *Rate) UnmarshalText(text []byte) error { return v.Set(string(text)) }

// String returns the rate as a bare number a second, e.g. "50".
func (v Rate) String() string { return strconv.FormatFloat(float64(v), 'g', -1, 64) }

// Type names the value in a flag's usage.
func (Rate) Type() string { return "rate" }

// Duration is a length of time of 0 or more, written as Go writes it
// ("500ms", "30s", "1h30m") or "0". Negative durations are refused; what 0
// means, and whether it is allowed, is the user's to say.
type Duration time.Duration

// ParseDuration reads a duration of 0 or more: "500ms", "30s", "5m",
// "2h", "1h30m" or "0".
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write it like 500ms, 30s, 5m or 2h", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative: a duration is 0 or more", s)
	}
	return d, nil
}

// Set parses s as ParseDuration does.
func (v *Duration) Set(s string) error {
	d, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*v = Duration(d)
	return nil
}

// UnmarshalText parses text as ParseDuration does.
func (v *Duration) UnmarshalText(text []byte) error { return v.Set(string(text)) }

// String returns the duration as time.Duration writes it, e.g. "5s", and
// zero as "0".
func (v Duration) String() string {
	if v == 0 {
		return "0"
	}
	return time.Duration(v).String()
}

// Type names the value in a flag's usage.
func (Duration) Type() string { return "duration" }
