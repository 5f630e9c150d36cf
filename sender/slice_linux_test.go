package sender

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// TestShortSlices: the calling thread gets ShortSlice, and keeps its
// policy and nice value.
func TestShortSlices(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before, err := unix.SchedGetAttr(unix.Gettid(), 0)
	if err != nil {
		t.Skipf("sched_getattr: %v", err)
	}
	if err := ShortSlices(); err != nil {
		t.Skipf("ShortSlices: %v (not allowed here)", err)
	}
	after, err := unix.SchedGetAttr(unix.Gettid(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if after.Runtime == 0 {
		t.Skip("this kernel keeps no time slice for a normal thread (before 6.12)")
	}
	if after.Runtime != uint64(ShortSlice) {
		t.Errorf("slice %d ns, want %d", after.Runtime, ShortSlice)
	}
	if after.Policy != before.Policy || after.Nice != before.Nice {
		t.Errorf("policy, nice %d, %d; were %d, %d", after.Policy, after.Nice, before.Policy, before.Nice)
	}
}
