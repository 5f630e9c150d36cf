package scenarios_test

import (
	"fmt"

	"github.com/vodsim/vodsim/internal/exampletest"
	"github.com/vodsim/vodsim/scenarios"
	"github.com/vodsim/vodsim/sender/pace"
	"github.com/vodsim/vodsim/sender/sendtest"
)

// A scenario becomes a send config in one call; a test may shorten it
// before running it. (In a test function, t is the test's *testing.T.)
func ExampleScenario_SendConfig() {
	t := exampletest.New()
	defer t.Done()

	sc, err := scenarios.Parse("flaky.yaml", []byte(`
seed: 5
events: 200
rate: 50/s
delivery: {duplicate: 10%, malformed: 2%}
retry: {attempts: 5, on: [timeout, 5xx]}
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sc.SendConfig()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(cfg.Seed, cfg.Count, cfg.Profile[0].From, cfg.Faults.Duplicate, cfg.Retry.Attempts)

	cfg.Count, cfg.Profile = 40, pace.ConstantRate(2000)
	rcv := sendtest.NewReceiver(t, nil)
	rep := sendtest.Send(t, rcv, cfg)
	fmt.Println(rep.Acknowledged, rep.Duplicates > 0, rcv.Stats().Distinct <= 40)
	// Output:
	// 5 200 50 0.1 5
	// 40 true true
}
