package pace_test

import (
	"fmt"

	"github.com/vodsim/vodsim/sender/pace"
)

// A constant rate in one call; the schedule it gives sends event k at k/rate.
func ExampleConstantRate() {
	p := pace.ConstantRate(2000)
	fmt.Println(len(p), p[0].From)
	fmt.Println(pace.ConstantRate(0) == nil) // as fast as the receiver allows
	// Output:
	// 1 2000
	// true
}
