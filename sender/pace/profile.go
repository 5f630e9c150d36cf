package pace

import "time"

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
// sender.Run and NewSchedule only read it.
type Profile []Phase
