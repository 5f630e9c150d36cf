package pace

import "time"

// ConstantRate returns a Profile of perSecond events a second for the whole
// run: one phase, whose rate holds after it. ConstantRate(0) is the empty
// Profile, as fast as the receiver allows; a negative rate gives a Profile
// that NewSchedule refuses with ErrProfile.
func ConstantRate(perSecond float64) Profile {
	if perSecond == 0 {
		return nil
	}
	return Profile{{Duration: time.Second, From: perSecond}}
}
