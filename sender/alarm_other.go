//go:build !linux

package sender

import "time"

// alarm is Linux's timerfd (alarm_linux.go); elsewhere there is none and
// the dispatcher waits on Go's timers.
type alarm struct{}

func newAlarm() *alarm                    { return nil }
func (a *alarm) sleep(time.Duration) bool { return false }
func (a *alarm) close()                   {}
