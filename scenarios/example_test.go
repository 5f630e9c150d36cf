package scenarios_test

import (
	"errors"
	"fmt"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/scenarios"
)

func ExampleParse() {
	s, err := scenarios.Parse("mixed.yaml", []byte(`
name: mixed
seed: 42
events: 1000
phases:
  - {duration: 30s, rate: 10/s}
  - {duration: 60s, rate: 10/s -> 200/s}
outcomes:
  - {weight: 95, success: {template: 10, videoDuration: 30s..2h}}
  - {weight: 5, failure: {codes: [-43001, -44001], message: ""}}
delivery: {duplicate: 2%, reorder: {share: 5%, window: 20}, delay: 0..200ms}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	src, _ := s.Source()
	var e generator.Event
	src.Fill(&e, 0)
	fmt.Println(s.Name, s.Events, len(s.Profile), s.Faults.Duplicate, s.Faults.ReorderWindow)
	// Output: mixed 1000 2 0.02 20
}

func ExampleValidationError() {
	_, err := scenarios.Parse("bad.yaml", []byte("evnets: 10\noutcomes:\n  - {weight: -1, success: {}}\n"))
	var ve *scenarios.ValidationError
	if errors.As(err, &ve) {
		for _, line := range ve.Lines() {
			fmt.Println(line)
		}
	}
	// Output:
	// bad.yaml:1:1: top level: unknown key "evnets" (did you mean "events"?)
	// bad.yaml:3:14: outcomes[0].weight: -1 is negative: a weight must be 0 or more
}

func ExampleBuiltins() {
	for _, in := range scenarios.Builtins() {
		fmt.Println(in.Name)
	}
	// Output:
	// default
	// success
	// failures
	// chaos
	// ramp
	// seed-examples
}
