package receiver

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the flusher and the test at once,
// that counts the writes it gets.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLineBufferWholeLinesInOrder: lines written from many goroutines come
// out whole, each goroutine's in its order, in fewer writes than lines,
// every one of them by Close.
func TestLineBufferWholeLinesInOrder(t *testing.T) {
	var out lockedBuffer
	lb := NewLineBuffer(&out, time.Hour)
	const writers, each = 8, 2000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				fmt.Fprintf(lb, "w%d line %d %s\n", w, i, bytes.Repeat([]byte{'x'}, i%50+1))
			}
		}()
	}
	wg.Wait()
	if err := lb.Close(); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix([]byte(out.String()), []byte("\n")), []byte("\n"))
	if len(lines) != writers*each {
		t.Fatalf("%d lines, want %d", len(lines), writers*each)
	}
	next := make([]int, writers)
	for _, l := range lines {
		var w, i int
		var rest string
		if _, err := fmt.Sscanf(string(l), "w%d line %d %s", &w, &i, &rest); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if i != next[w] || len(rest) != i%50+1 {
			t.Fatalf("line %q: want line %d of w%d, whole", l, next[w], w)
		}
		next[w]++
	}
	if out.writes >= writers*each/10 {
		t.Errorf("%d writes for %d lines: not batched", out.writes, writers*each)
	}
}

// TestLineBufferFlushes: lines go out on Flush, and on the timer without
// one; nothing is written for an empty buffer.
func TestLineBufferFlushes(t *testing.T) {
	var out lockedBuffer
	lb := NewLineBuffer(&out, time.Hour)
	lb.Write([]byte("one\n"))
	if out.String() != "" {
		t.Fatalf("written before a flush: %q", out.String())
	}
	lb.Flush()
	lb.Flush()
	if out.String() != "one\n" || out.writes != 1 {
		t.Fatalf("after Flush: %q in %d writes, want one\\n in 1", out.String(), out.writes)
	}
	lb.Close()

	var ticked lockedBuffer
	lb = NewLineBuffer(&ticked, time.Millisecond)
	defer lb.Close()
	lb.Write([]byte("two\n"))
	for deadline := time.Now().Add(10 * time.Second); ticked.String() == ""; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the timer did not flush within 10s")
		}
	}
	if ticked.String() != "two\n" {
		t.Fatalf("timer flush: %q", ticked.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestLineBufferError: the destination's error comes back from Flush and
// from the writes after it.
func TestLineBufferError(t *testing.T) {
	lb := NewLineBuffer(failWriter{}, time.Hour)
	lb.Write([]byte("a\n"))
	if err := lb.Flush(); err == nil || err.Error() != "disk full" {
		t.Fatalf("Flush: %v, want disk full", err)
	}
	if _, err := lb.Write([]byte("b\n")); err == nil {
		t.Fatal("Write after a failed flush: no error")
	}
	lb.Close()
}

// TestAppendClock: appendClock writes what AppendFormat writes, whatever
// time came before.
func TestAppendClock(t *testing.T) {
	base := time.Date(2026, 3, 29, 0, 59, 58, 0, time.UTC)
	for i := range 400 {
		now := base.Add(time.Duration(i) * 7919 * time.Microsecond)
		if i%50 == 0 {
			now = now.Add(-3 * time.Second)
		}
		if got, want := string(appendClock([]byte("x"), now)), "x"+now.Local().Format("15:04:05.000"); got != want {
			t.Fatalf("%v: %q, want %q", now, got, want)
		}
	}
}
