package main

import (
	"os"
	"runtime/debug"
)

// receiveGCPercent is the GOGC vodsim receive runs with (unless GOGC or
// GOMEMLIMIT is set). A receiver's live heap is some 2 MB until its window
// fills, and at Go's default 100 it collected every 4 MB of requests (30
// times a second at 25,000 requests/s), each time also shrinking the
// stacks of its connections' goroutines, to grow them again on the next
// request: about 8 % of its CPU in a profile. At 400 it collects a quarter
// as often.
const receiveGCPercent = 400

// windowIDBytes is about what one remembered task id costs (see
// receiver.DefaultWindow).
const windowIDBytes = 45

// receiveMemoryLimit is the soft memory limit receive runs with beside
// receiveGCPercent: twice a full window plus 64 MB, so that once the
// window fills the heap grows no more than at GOGC 100.
func receiveMemoryLimit(window int) int64 {
	return 64<<20 + 2*windowIDBytes*int64(window)
}

// setReceiveGC sets receive's GOGC and memory limit for a window of
// window ids, unless the environment sets either.
func setReceiveGC(window int) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(receiveGCPercent)
	debug.SetMemoryLimit(receiveMemoryLimit(window))
}
