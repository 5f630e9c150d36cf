//go:build !linux

package sender

import "time"

// coarseBelow is 0 where Go's timers need no help: waitUntil then sleeps
// on its timer alone.
const coarseBelow = 0

func preciseSleep(d time.Duration) { time.Sleep(d) }
