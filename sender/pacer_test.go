package sender

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/pace"
)

// TestPreciseWait: a worker's wait for its send time never returns
// before it, whatever its spin limit, and reports a stopped run.
func TestPreciseWait(t *testing.T) {
	var p preciseWait
	for _, d := range []time.Duration{-time.Millisecond, 0, 30 * time.Microsecond, 300 * time.Microsecond, earlyLead} {
		for _, limit := range []time.Duration{0, 25 * time.Microsecond, goTimerSpin, goTimerSpinOne, maxSpin} {
			when := time.Now().Add(d)
			if !p.until(context.Background(), when, limit) {
				t.Fatalf("wait %v: reported a stop", d)
			}
			if now := time.Now(); now.Before(when) {
				t.Errorf("wait %v (spin at most %v): returned %v early", d, limit, when.Sub(now))
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if p.until(ctx, time.Now().Add(time.Millisecond), maxSpin) {
		t.Error("wait in a stopped run reported the send time reached")
	}
}

// TestHandLead: events far apart go to their worker earlyLead before
// their time with the full spin allowed; close ones earlyLead before too
// but within ahead gaps and at least leadGaps gaps, spinning a quarter of
// the gap at most.
func TestHandLead(t *testing.T) {
	for _, c := range []struct {
		gap        time.Duration
		ahead      int
		lead, spin time.Duration
	}{
		{time.Second, 1, earlyLead, maxSpin},
		{earlyGap, 250, earlyLead, maxSpin},
		{100 * time.Microsecond, 250, earlyLead, 25 * time.Microsecond},
		{100 * time.Microsecond, 16, 1600 * time.Microsecond, 25 * time.Microsecond},
		{100 * time.Microsecond, 1, leadGaps * 100 * time.Microsecond, 25 * time.Microsecond},
		{time.Microsecond, 250, 250 * time.Microsecond, 250 * time.Nanosecond},
		{0, 250, 0, 0},
	} {
		lead, spin := handLead(c.gap, c.ahead)
		if lead != c.lead || spin != c.spin {
			t.Errorf("handLead(%v, %d) = %v, %v; want %v, %v", c.gap, c.ahead, lead, spin, c.lead, c.spin)
		}
	}
}

// TestKernelSleepersBounded: of the workers sleeping in the kernel for
// their send times, at most one per processor but one does so at a time
// for long; another waits, parked, and sleeps only the last sleepAlone
// if its turn has not come by then, so that a processor is left for
// reading answers (a sleeping thread holds one). With two processors and
// events 0.5 ms apart, handed 2 ms early, four workers would otherwise
// sleep at once.
func TestKernelSleepersBounded(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var mu sync.Mutex
	var now, most, sleeps int
	var alone time.Duration // the longest sleep without a token
	hook := func(delta int, token bool, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if !token {
			alone = max(alone, d)
		}
		if token {
			now += delta
			most = max(most, now)
			if delta > 0 {
				sleeps++
			}
		}
	}
	sleepHook.Store(&hook)
	defer sleepHook.Store(nil)
	rep, err := Run(context.Background(), Config{Target: "http://127.0.0.1:1/cb", Count: 60, Transport: nullTransport{},
		Profile: pace.Profile{{Duration: time.Second, From: 2000}}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Acknowledged != 60 {
		t.Fatalf("acknowledged %d of 60", rep.Acknowledged)
	}
	mu.Lock()
	defer mu.Unlock()
	if sleeps == 0 {
		t.Fatal("no worker slept in the kernel with a token")
	}
	if most > 1 {
		t.Errorf("%d workers slept in the kernel at once with a token on 2 processors, want at most 1", most)
	}
	if alone > sleepAlone {
		t.Errorf("a worker slept %v in the kernel without a token, want at most %v", alone, sleepAlone)
	}
}

// TestGoTimerBelow: a worker sleeps on a Go timer from over 5,000
// events/s when its run has two tokens or more, from over 3,125/s with
// one (or none: a lone preciseWait).
func TestGoTimerBelow(t *testing.T) {
	for _, c := range []struct {
		tokens int
		want   time.Duration
	}{{0, goTimerSpinOne}, {1, goTimerSpinOne}, {2, goTimerSpin}, {7, goTimerSpin}} {
		p := preciseWait{}
		if c.tokens > 0 {
			p.sleepers = make(chan struct{}, c.tokens)
		}
		if got := p.goTimerBelow(); got != c.want {
			t.Errorf("%d tokens: Go timer below a spin of %v, want %v", c.tokens, got, c.want)
		}
	}
}
