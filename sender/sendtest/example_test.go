package sendtest_test

import (
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/vodsim/vodsim/internal/exampletest"
	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pace"
	"github.com/vodsim/vodsim/sender/sendtest"
)

// Send delivers events to the application's own handler and returns the
// report. (In a test function, t is the test's *testing.T.)
func ExampleSend() {
	t := exampletest.New()
	defer t.Done()

	var got atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.Write([]byte("{}"))
	})
	rep := sendtest.Send(t, handler, sender.Config{Count: 50, Profile: pace.ConstantRate(2000)})
	fmt.Println(rep.Events, rep.Acknowledged, got.Load())
	// Output: 50 50 50
}

// NewReceiver starts vodsim's checking receiver; its Stats say what
// arrived, here from a send with duplicates and broken bodies.
func ExampleNewReceiver() {
	t := exampletest.New()
	defer t.Done()

	rcv := sendtest.NewReceiver(t, nil)
	rep, err := sender.Run(t.Context(), sender.Config{Target: rcv.URL, Count: 100, Seed: 3,
		Faults: sender.Faults{Duplicate: 0.1, Malformed: 0.05}})
	if err != nil {
		t.Fatal(err)
	}
	st := rcv.Stats()
	fmt.Println(rep.Acknowledged, st.Requests == 100+rep.Duplicates, st.Malformed == rep.Malformed, st.AllWellFormed())
	// Output: 100 true true false
}
