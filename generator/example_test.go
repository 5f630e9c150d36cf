package generator_test

import (
	"fmt"

	"github.com/vodsim/vodsim/generator"
)

// A generator makes event i of a seed on demand; the zero Config gives a
// realistic production mix.
func Example() {
	g, err := generator.New(generator.Config{Seed: 42})
	if err != nil {
		panic(err)
	}
	ev := g.Event(0)
	fmt.Println(ev.Success(), ev.TaskID[:18], len(ev.SpriteURLs) == ev.Template.SheetCount(ev.TotalCount))

	// The same event in the 3.0 shape, as PullEvents would return it.
	b := generator.AppendEventContent(nil, &ev, "")
	fmt.Println(string(b[:40]))
	// Output:
	// true CreateImageSprite- true
	// {"EventType":"CreateImageSpriteComplete"
}

// Failures draw documented error codes; a scenario can pin them.
func ExampleFailure() {
	g, _ := generator.New(generator.Config{Outcomes: []generator.Outcome{
		{Weight: 1, Failure: &generator.Failure{Codes: []int{-43001}}},
	}})
	ev := g.Event(0)
	fmt.Println(string(generator.Encoding{}.Marshal(&ev))[:70])
	// Output:
	// {"version":"4.0","eventType":"CreateImageSpriteComplete","data":{"stat
}
