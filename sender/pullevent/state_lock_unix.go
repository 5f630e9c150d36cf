//go:build unix

package pullevent

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on f for as long as it is open, or
// returns ErrStateInUse when another open file holds it. The lock goes
// with the process: a crash releases it.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return ErrStateInUse
		}
		return err
	}
}
