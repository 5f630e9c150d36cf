// Package sender delivers events to a callback receiver over HTTP as
// Tencent Cloud VOD does: one POST per event, at a rate, with VOD's retry
// behaviour, optional faults on the wire, and an exact report of what
// happened to every event.
package sender

import "time"

// Defaults, as the real service behaves; reused as flag defaults.
const (
	// DefaultTimeout is the per-attempt timeout of VOD's callbacks.
	DefaultTimeout = 5 * time.Second
	// DefaultAttempts is VOD's at most three attempts (one try, two retries).
	DefaultAttempts = 3
)

// Phase is one stretch of a rate profile, in events per second. It is a
// plain value; the zero value is not a valid phase (it has no duration).
type Phase struct {
	// Duration is how long the phase lasts; must be > 0.
	Duration time.Duration
	// From is the rate at the start of the phase; must be > 0.
	From float64
	// To is the rate at the end of the phase. To == From (or 0) is a
	// constant rate; otherwise the rate ramps from From to To.
	To float64
	// Steps, when > 0, makes the ramp a staircase of that many equal
	// steps instead of a straight line.
	Steps int
}

// Profile is a sequence of phases; after the last one its final rate holds.
// An empty Profile (the zero value) means "as fast as the receiver allows".
// Run and NewSchedule only read it.
type Profile []Phase

// Retry is a set of conditions under which an attempt is retried; the
// zero value, in a RetryPolicy, means RetryTimeout.
type Retry uint8

// Conditions to retry on. The real service retries on a timeout only.
const (
	RetryTimeout     Retry = 1 << iota // the attempt timed out
	RetryServerError                   // the receiver answered 5xx
	RetryTooMany                       // the receiver answered 429
	RetryConnError                     // connecting failed or the connection broke
)

// RetryPolicy says how often and when an event is sent again. The zero
// value is VOD's documented behaviour: 5 s timeout, 3 attempts, retry on
// timeouts only, no wait between attempts.
type RetryPolicy struct {
	// Timeout is the per-attempt timeout; 0 means DefaultTimeout.
	Timeout time.Duration
	// Attempts is the most attempts per event; 0 means DefaultAttempts.
	Attempts int
	// On is what is retried; 0 means RetryTimeout.
	On Retry
	// Backoff is the base of an exponential backoff with full jitter
	// between attempts; 0 means none. A Retry-After header on a 429 or
	// 503 answer is honoured instead when present.
	Backoff time.Duration
	// MaxBackoff caps one wait; 0 means 30 s.
	MaxBackoff time.Duration
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
