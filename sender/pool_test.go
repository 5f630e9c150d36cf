package sender

import (
	"context"
	"testing"
	"time"
)

// TestPoolFull: the pool is full while as many workers as connections
// hold an event awake; one that goes to sleep frees a place and wakes
// the dispatcher.
func TestPoolFull(t *testing.T) {
	p := newPool(2)
	p.handed()
	if p.full() {
		t.Fatal("full with 1 of 2 active")
	}
	p.handed()
	if !p.full() {
		t.Fatal("not full with 2 of 2 active")
	}
	p.asleep()
	if p.full() {
		t.Fatal("full with one of 2 asleep")
	}
	select {
	case <-p.wake:
	default:
		t.Fatal("a worker went to sleep and the dispatcher was not woken")
	}
	p.awake()
	p.done()
	p.done()
	if p.active.Load() != 0 {
		t.Fatalf("active %d after every event done", p.active.Load())
	}
}

// TestUnpacedDelaysUseTheInFlightRoom: without a rate, workers waiting
// out added delays leave their connections to new workers, so a run of
// delayed events with 2 connections and room for 64 in flight is
// delivered whole, each delay counted once.
func TestUnpacedDelaysUseTheInFlightRoom(t *testing.T) {
	t.Parallel()
	srv := minimalReceiver()
	defer srv.Close()
	rep, err := Run(context.Background(), Config{Target: srv.URL, Seed: 3, Count: 60, Connections: 2, MaxInFlight: 64,
		Faults: Faults{DelayMax: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Acknowledged != 60 || rep.Delayed == 0 {
		t.Fatalf("acknowledged %d of 60, delayed %d", rep.Acknowledged, rep.Delayed)
	}
}
