package sender

import (
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/receiver"
)

// TestMalformedEveryType: a body the sender counts as malformed is one a
// checking receiver rejects, whatever the kind of malformation, for every
// event type in each of its formats: the report's malformed count and the
// receiver's agree.
func TestMalformedEveryType(t *testing.T) {
	kinds := []Malformation{MalformTruncated, MalformWrongType, MalformMissingField, MalformUnknownField, MalformNotJSON}
	for _, k := range generator.Kinds {
		for _, f := range k.Formats() {
			enc := generator.Encoding{Format: f}
			for _, fail := range []bool{false, true} {
				if fail && !k.CanFail {
					continue
				}
				o := generator.Outcome{Weight: 1, EventType: k.Name, Success: &generator.Success{}}
				if fail {
					o = generator.Outcome{Weight: 1, EventType: k.Name, Failure: &generator.Failure{}}
				}
				g, err := generator.New(generator.Config{Seed: 5, Outcomes: []generator.Outcome{o}})
				if err != nil {
					t.Fatal(err)
				}
				for i := uint64(0); i < 3; i++ {
					e := g.Event(i)
					body := enc.Marshal(&e)
					if p := receiver.CheckPayload(body, "", time.Now()); p.Err != nil {
						t.Fatalf("%s %s: the body itself is rejected: %v", k.Name, f, p.Err)
					}
					for j, m := range kinds {
						out := malform(append([]byte(nil), body...), m, enc, i*7+uint64(j))
						if p := receiver.CheckPayload(out, "", time.Now()); p.Err == nil {
							t.Errorf("%s %s (failure %v) %s: the receiver takes it:\n%s", k.Name, f, fail, m, out)
						}
					}
				}
			}
		}
	}
}
