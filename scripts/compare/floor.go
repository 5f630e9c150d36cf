//go:build linux && ignore

// floor is the pacing floor of scripts/pacing-floor.sh: one thread, in
// the short time slices a paced vodsim send asks for, that does nothing
// but sleep in the kernel until each of RATE send times a second for
// SECONDS and note how late it woke. It sleeps straight to each time, so
// its median is the kernel's timer slack (about 50 µs), which a pacer
// that wakes early and spins, as vodsim's workers do, does not pay; its
// tail is how long a woken thread can wait to run, which such a pacer
// escapes only by spinning through it.
//
//	go run scripts/compare/floor.go [RATE [SECONDS]]   (default 10000 2)
package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	rate, secs := 10000, 2
	if len(os.Args) > 1 {
		rate, _ = strconv.Atoi(os.Args[1])
	}
	if len(os.Args) > 2 {
		secs, _ = strconv.Atoi(os.Args[2])
	}
	if rate <= 0 || secs <= 0 {
		fmt.Fprintln(os.Stderr, "usage: floor [RATE [SECONDS]]")
		os.Exit(2)
	}
	runtime.LockOSThread()
	if a, err := unix.SchedGetAttr(0, 0); err == nil {
		a.Size = unix.SizeofSchedAttr
		a.Runtime = uint64(100 * time.Microsecond) // as sender.ShortSlices
		unix.SchedSetAttr(0, a, 0)
	}
	n := rate * secs
	gap := time.Second / time.Duration(rate)
	late := make([]time.Duration, 0, n)
	start := time.Now().Add(time.Millisecond)
	for i := range n {
		when := start.Add(time.Duration(i) * gap)
		if d := time.Until(when); d > 0 {
			ts := unix.NsecToTimespec(int64(d))
			for unix.Nanosleep(&ts, &ts) == unix.EINTR {
			}
		}
		late = append(late, time.Since(when))
	}
	slices.Sort(late)
	q := func(p float64) time.Duration { return late[min(n-1, int(p*float64(n)))].Round(time.Microsecond) }
	fmt.Printf("floor %d/s: p50 %v  p99 %v  p99.9 %v  max %v\n", rate, q(0.5), q(0.99), q(0.999), late[n-1].Round(time.Microsecond))
}
