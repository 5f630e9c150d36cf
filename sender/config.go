package sender

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vodsim/vodsim/internal/value"
)

// Defaults, as the real service behaves; reused as flag defaults.
const (
	// DefaultTimeout is the per-attempt timeout of VOD's callbacks.
	DefaultTimeout = 5 * time.Second
	// DefaultAttempts is VOD's at most three attempts (one try, two retries).
	DefaultAttempts = 3
	// MaxAttempts is the most attempts per event a RetryPolicy may ask for.
	MaxAttempts = 100
	// MaxReorderWindow is the largest Faults.ReorderWindow.
	MaxReorderWindow = 1_000_000
)

// RetryOn is a set of conditions under which an attempt is retried; the
// zero value, in a RetryPolicy, means RetryTimeout.
type RetryOn uint8

// Conditions to retry on. The real service retries on a timeout only.
const (
	RetryTimeout     RetryOn = 1 << iota // the attempt timed out
	RetryServerError                     // the receiver answered 5xx
	RetryTooMany                         // the receiver answered 429
	RetryConnError                       // connecting failed or the connection broke
)

// retryNames are the conditions' names, in the order of the bits; the
// first is the one String writes, the others are aliases read as well.
var retryNames = []struct {
	r     RetryOn
	names []string
}{
	{RetryTimeout, []string{"timeout"}},
	{RetryServerError, []string{"5xx"}},
	{RetryTooMany, []string{"429"}},
	{RetryConnError, []string{"conn", "connection"}},
}

// RetryConditionNames lists the names ParseRetry reads, aliases included.
func RetryConditionNames() []string {
	var out []string
	for _, c := range retryNames {
		out = append(out, c.names...)
	}
	return out
}

// retryWant says what ParseRetry accepts.
const retryWant = "timeout, 5xx, 429 or conn (also written connection)"

// ParseRetryCondition reads the name of one condition, in any case:
// timeout, 5xx, 429, conn or connection.
func ParseRetryCondition(name string) (RetryOn, error) {
	t := strings.TrimSpace(name)
	for _, c := range retryNames {
		for _, n := range c.names {
			if strings.EqualFold(t, n) {
				return c.r, nil
			}
		}
	}
	return 0, fmt.Errorf("unknown retry condition %q: want %s", name, retryWant)
}

// ParseRetry reads a comma-separated list of conditions, such as
// "timeout,5xx,conn"; the list must name at least one.
func ParseRetry(list string) (RetryOn, error) {
	var on RetryOn
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		r, err := ParseRetryCondition(s)
		if err != nil {
			return 0, err
		}
		on |= r
	}
	if on == 0 {
		return 0, fmt.Errorf("no retry condition given: name at least one of %s (for no retries, make 1 attempt)", retryWant)
	}
	return on, nil
}

// String lists the conditions, comma-separated, e.g. "timeout,5xx".
func (r RetryOn) String() string {
	var names []string
	for _, c := range retryNames {
		if r&c.r != 0 {
			names = append(names, c.names[0])
		}
	}
	if rest := r &^ (RetryTimeout | RetryServerError | RetryTooMany | RetryConnError); rest != 0 {
		names = append(names, fmt.Sprintf("%#x", uint8(rest)))
	}
	return strings.Join(names, ",")
}

// UnmarshalText reads a list as ParseRetry does.
func (r *RetryOn) UnmarshalText(text []byte) error {
	on, err := ParseRetry(string(text))
	if err != nil {
		return err
	}
	*r = on
	return nil
}

// RetryPolicy says how often and when an event is sent again. The zero
// value is VOD's documented behaviour: 5 s timeout, 3 attempts, retry on
// timeouts only, no wait between attempts.
type RetryPolicy struct {
	// Timeout is the per-attempt timeout; 0 means DefaultTimeout.
	Timeout time.Duration
	// Attempts is the most attempts per event; 0 means DefaultAttempts.
	Attempts int
	// On is what is retried; 0 means RetryTimeout.
	On RetryOn
	// Backoff is the base of an exponential backoff with full jitter
	// between attempts; 0 means none. A Retry-After header on a 429 or
	// 503 answer is honoured instead when present.
	Backoff time.Duration
	// MaxBackoff caps one wait; 0 means 30 s.
	MaxBackoff time.Duration
}

// CheckAttempts says whether n attempts per event can be asked for: 1 (never
// retry) to MaxAttempts. A flag and a scenario file check it; in a
// RetryPolicy, 0 means DefaultAttempts.
func CheckAttempts(n int64) error {
	if n < 1 || n > MaxAttempts {
		return fmt.Errorf("must be 1 to %d (1 = never retry), got %d", MaxAttempts, n)
	}
	return nil
}

// CheckReorderWindow says whether n positions can be a reorder window: 1
// to MaxReorderWindow. A flag and a scenario file check it; in Faults, 0
// means DefaultReorderWindow.
func CheckReorderWindow(n int64) error {
	if n < 1 || n > MaxReorderWindow {
		return fmt.Errorf("must be 1 to %d positions, got %d", MaxReorderWindow, n)
	}
	return nil
}

// WithDefaults returns p with each zero field set to what zero means:
// DefaultTimeout, DefaultAttempts, RetryTimeout and DefaultMaxBackoff.
func (p RetryPolicy) WithDefaults() RetryPolicy {
	if p.Timeout == 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Attempts == 0 {
		p.Attempts = DefaultAttempts
	}
	if p.On == 0 {
		p.On = RetryTimeout
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	return p
}

// Validate says what is wrong with p, or nil: a negative duration, more
// than MaxAttempts attempts, an unknown condition, or a MaxBackoff below
// Backoff.
func (p RetryPolicy) Validate() error {
	switch {
	case p.Timeout < 0:
		return fmt.Errorf("retry timeout %v is negative", p.Timeout)
	case p.Attempts < 0 || p.Attempts > MaxAttempts:
		return fmt.Errorf("attempts %d: must be 1 to %d (1 = never retry; 0 = the default %d)", p.Attempts, MaxAttempts, DefaultAttempts)
	case p.Backoff < 0:
		return fmt.Errorf("backoff %v is negative", p.Backoff)
	case p.MaxBackoff < 0:
		return fmt.Errorf("max backoff %v is negative", p.MaxBackoff)
	case p.MaxBackoff > 0 && p.MaxBackoff < p.Backoff:
		return fmt.Errorf("max backoff %v is shorter than backoff %v", p.MaxBackoff, p.Backoff)
	case p.On&^(RetryTimeout|RetryServerError|RetryTooMany|RetryConnError) != 0:
		return fmt.Errorf("unknown retry conditions %#x", uint8(p.On))
	}
	return nil
}

// Malformation is a way of breaking an event's body on the wire; one of
// Malformations (the zero value "" means none).
type Malformation string

// The malformations a scenario can ask for.
const (
	MalformTruncated    Malformation = "truncated"     // the JSON cut short
	MalformWrongType    Malformation = "wrong-type"    // a field of the wrong JSON type
	MalformMissingField Malformation = "missing-field" // a required field removed
	MalformUnknownField Malformation = "unknown-field" // an unexpected extra field
	MalformNotJSON      Malformation = "not-json"      // a body that is not JSON at all
)

// Malformations lists every Malformation.
var Malformations = []Malformation{MalformTruncated, MalformWrongType, MalformMissingField, MalformUnknownField, MalformNotJSON}

// Faults are deliberate imperfections of delivery, each decided per event
// from the seed so a run is reproducible. The zero value injects none.
type Faults struct {
	// Duplicate is the share (0..1) of events delivered twice.
	Duplicate float64
	// Reorder is the share (0..1) of events held back and delivered up to
	// ReorderWindow positions later than their turn.
	Reorder       float64
	ReorderWindow int
	// Malformed is the share (0..1) of events whose body is broken, in one
	// of MalformedKinds (nil means all of Malformations).
	Malformed      float64
	MalformedKinds []Malformation
	// DelayMin and DelayMax bound a uniformly drawn delay added before an
	// event is sent; both 0 means none.
	DelayMin, DelayMax time.Duration
}

// Validate says what is wrong with f, or nil: a share outside 0..1, a
// reorder window outside 0..MaxReorderWindow, an unknown malformation, or
// a delay range that is negative or backwards.
func (f Faults) Validate() error {
	for _, s := range []struct {
		name string
		v    float64
	}{{"duplicate", f.Duplicate}, {"reorder", f.Reorder}, {"malformed", f.Malformed}} {
		if err := value.CheckShare(s.v); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	switch {
	case f.ReorderWindow < 0 || f.ReorderWindow > MaxReorderWindow:
		return fmt.Errorf("reorder window %d: must be 1 to %d positions (0 = the default %d)", f.ReorderWindow, MaxReorderWindow, DefaultReorderWindow)
	case f.DelayMin < 0 || f.DelayMax < 0:
		return fmt.Errorf("delay range %v..%v is negative", f.DelayMin, f.DelayMax)
	case f.DelayMax < f.DelayMin:
		return fmt.Errorf("delay range %v..%v: max is below min", f.DelayMin, f.DelayMax)
	}
	for _, k := range f.MalformedKinds {
		if !validMalformation(k) {
			return fmt.Errorf("unknown malformation %q (want one of %v)", k, Malformations)
		}
	}
	return nil
}

// ErrTarget is wrapped by ParseTarget's errors.
var ErrTarget = errors.New("bad target")

// ParseTarget reads a receiver's URL: http or https, a host, and a port
// (if any) from 1 to 65535. Its error wraps ErrTarget, says what is wrong
// and never repeats the URL (which may hold a password).
func ParseTarget(target string) (*url.URL, error) {
	bad := func(format string, a ...any) error {
		return &Error{Kind: ErrTarget, Reason: fmt.Sprintf(format, a...)}
	}
	if strings.TrimSpace(target) == "" {
		return nil, bad("empty: give the receiver's URL")
	}
	u, err := url.Parse(target)
	switch {
	case err != nil:
		// url.Error repeats the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, bad("not a URL (%v)", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, bad("the scheme must be http or https")
	case u.Hostname() == "":
		return nil, bad("no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, bad("port %s is out of range 1-65535", p)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, bad("empty port")
	}
	return u, nil
}
