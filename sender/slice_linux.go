package sender

import (
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// ShortSlice is the time slice ShortSlices asks for: the shortest Linux
// grants.
const ShortSlice = 100 * time.Microsecond

// ShortSlices asks the kernel to run every thread of the process (and
// the threads they start) in time slices of ShortSlice, as a program
// whose threads sleep until a given time does: on Linux 6.12 and later
// (the EEVDF scheduler), a thread that wakes at an event's send time on
// processors busy with other programs then runs within a short slice of
// theirs instead of a default one (about 1 ms late at 1,000 events/s
// with three busy loops on two cores: scripts/busy-pacing.sh). The
// process's share of the processors is unchanged, and so is its nice
// value; a thread under another policy (a real-time one) is left as it
// is. Older kernels ignore the request, other systems have no such
// setting (see slice_other.go). It returns the first error, if any; the
// threads it could set keep the slice.
func ShortSlices() error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	var first error
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := shortSlice(tid); err != nil && err != unix.ESRCH && first == nil {
			first = err // ESRCH: the thread has exited since
		}
	}
	return first
}

func shortSlice(tid int) error {
	a, err := unix.SchedGetAttr(tid, 0)
	if err != nil {
		return err
	}
	if a.Policy != unix.SCHED_NORMAL && a.Policy != unix.SCHED_BATCH {
		return nil
	}
	a.Size = unix.SizeofSchedAttr
	a.Runtime = uint64(ShortSlice)
	return unix.SchedSetAttr(tid, a, 0)
}
