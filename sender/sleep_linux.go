package sender

import (
	"syscall"
	"time"
)

// coarseBelow is the part of a wait left to preciseSleep: the
// resolution of Go's timers on Linux (1 ms), plus a margin.
const coarseBelow = 1200 * time.Microsecond

// preciseSleep blocks the calling thread in nanosleep for d (at most
// coarseBelow): the kernel's high-resolution timers wake it within tens
// of microseconds, where a Go timer could take a millisecond.
func preciseSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
