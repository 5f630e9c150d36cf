package sender

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// An alarm is a one-shot timer whose expiry makes a file descriptor
// readable (a timerfd) that Go's network poller watches. A goroutine
// that waits on it is woken by the poller within the kernel's timer
// precision, holding no processor meanwhile, even when the process is
// otherwise idle: a Go timer due in less than a millisecond then fires
// up to a millisecond late (the poller sleeps in whole milliseconds),
// and a thread in nanosleep keeps its processor from the workers until
// the runtime takes it back. The dispatcher waits on one between events
// at high rates (where nothing else would wake the process in time) and
// for the last part of a long wait. Not safe for concurrent use.
type alarm struct {
	f   *os.File
	fd  int
	buf [8]byte // the expiry count a read returns
}

// newAlarm returns a new alarm, or nil if the system has none to give
// (the caller then waits on Go's timers).
func newAlarm() *alarm {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	// A non-blocking descriptor: os.NewFile gives it to the poller.
	return &alarm{f: os.NewFile(uintptr(fd), "vodsim-alarm"), fd: fd}
}

// sleep returns d from now, never before (the timer and Go's clock are
// both the monotonic clock), or at once with false if the alarm could
// not be set or read.
func (a *alarm) sleep(d time.Duration) bool {
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(max(d, 1)))}
	if unix.TimerfdSettime(a.fd, 0, &spec, nil) != nil {
		return false
	}
	_, err := a.f.Read(a.buf[:])
	return err == nil
}

// close releases the alarm's descriptor.
func (a *alarm) close() { a.f.Close() }
