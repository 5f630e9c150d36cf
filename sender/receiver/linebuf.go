package receiver

import (
	"io"
	"sync"
	"time"
)

// DefaultFlushEvery is how often a LineBuffer made with an interval of 0
// writes out the lines it holds.
const DefaultFlushEvery = 100 * time.Millisecond

// lineBufferCap is how many bytes a LineBuffer holds before it writes
// them out without waiting for its interval.
const lineBufferCap = 64 << 10

// LineBuffer is an io.Writer that holds whole lines and writes them to
// its destination in one write at least every interval, when it holds
// 64 KB, and on Flush and Close: a receiver's line per request then
// costs a copy, not a write(2) of its own. Each Write is kept whole (give
// it whole lines) and in order; the write to the destination happens
// apart from the lock Write takes, so a slow destination does not hold
// up the requests being logged, only the next flush.
//
// A LineBuffer is safe for concurrent use. Close it to write out what it
// holds and stop its timer.
type LineBuffer struct {
	mu   sync.Mutex
	buf  []byte // lines not yet handed to the destination
	err  error  // the destination's first error
	outM sync.Mutex
	out  io.Writer
	full []byte // the buffer being written out, kept for reuse; under outM

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// NewLineBuffer returns a LineBuffer writing to w at least every
// interval (0: DefaultFlushEvery).
func NewLineBuffer(w io.Writer, every time.Duration) *LineBuffer {
	if every <= 0 {
		every = DefaultFlushEvery
	}
	l := &LineBuffer{out: w, buf: make([]byte, 0, 4096), stop: make(chan struct{}), done: make(chan struct{})}
	go l.run(every)
	return l
}

func (l *LineBuffer) run(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.Flush()
		}
	}
}

// Write appends p to the lines held. It reports the destination's first
// error, if a flush met one.
func (l *LineBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf = append(l.buf, p...)
	full, err := len(l.buf) >= lineBufferCap, l.err
	l.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if full {
		l.Flush()
	}
	return len(p), nil
}

// Flush writes out every line held so far.
func (l *LineBuffer) Flush() error {
	l.outM.Lock()
	defer l.outM.Unlock()
	l.mu.Lock()
	b := l.buf
	l.buf = l.full[:0]
	l.mu.Unlock()
	var err error
	if len(b) > 0 {
		_, err = l.out.Write(b)
	}
	l.full = b
	l.mu.Lock()
	if err != nil && l.err == nil {
		l.err = err
	}
	err = l.err
	l.mu.Unlock()
	return err
}

// Close stops the timer and writes out every line held. Lines written
// after Close are held until the next Flush.
func (l *LineBuffer) Close() error {
	l.once.Do(func() { close(l.stop) })
	<-l.done
	return l.Flush()
}
