package sender_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pace"
	"github.com/vodsim/vodsim/sender/receiver"
)

// A test suite sends events to its own receiver and reads the report as
// a value. Here the receiver is vodsim's checking Receiver; any
// http.Handler of the application under test works the same way.
func ExampleRun() {
	rcv := &receiver.Receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()

	rep, err := sender.Run(context.Background(), sender.Config{
		Target:  srv.URL,
		Seed:    7,
		Count:   200,
		Profile: pace.Profile{{Duration: time.Second, From: 2000}}, // 2000 events/s
	})
	if err != nil {
		fmt.Println("send:", err)
		return
	}
	st := rcv.Stats()
	fmt.Println("events:", rep.Events, "acknowledged:", rep.Acknowledged, "failed:", rep.Failed)
	fmt.Println("received:", st.Distinct, "distinct, all well-formed:", st.AllWellFormed())
	fmt.Println("thresholds breached:", len(rep.Check(sender.Thresholds{})))
	// Output:
	// events: 200 acknowledged: 200 failed: 0
	// received: 200 distinct, all well-formed: true
	// thresholds breached: 0
}
