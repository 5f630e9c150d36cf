package generator

import (
	"encoding/json"
	"testing"
)

func TestCatalogEveryKindIsJSON(t *testing.T) {
	for _, k := range Kinds {
		for _, fail := range []bool{false, true} {
			if fail && !k.CanFail {
				continue
			}
			o := Outcome{Weight: 1, EventType: k.Name, Success: &Success{}}
			if fail {
				o = Outcome{Weight: 1, EventType: k.Name, Failure: &Failure{}}
			}
			g, err := New(Config{Seed: 3, Outcomes: []Outcome{o}})
			if err != nil {
				t.Fatal(k.Name, err)
			}
			for _, f := range []Format{FormatV3, FormatV4} {
				for i := uint64(0); i < 20; i++ {
					e := g.Event(i)
					b := Encoding{Format: f}.Marshal(&e)
					if !json.Valid(b) {
						t.Fatalf("%s %s fail=%v: invalid JSON: %s", k.Name, f, fail, b)
					}
					if i == 0 && testing.Verbose() {
						t.Logf("%s %s fail=%v %d bytes: %s", k.Name, f, fail, len(b), b)
					}
				}
			}
		}
	}
}
