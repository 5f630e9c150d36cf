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

func TestCatalogDecodeRoundTrip(t *testing.T) {
	for _, k := range Kinds {
		if k.Name == EventType {
			continue
		}
		outs := []Outcome{{Weight: 1, EventType: k.Name, Success: &Success{}}}
		if k.CanFail {
			outs = append(outs, Outcome{Weight: 1, EventType: k.Name, Failure: &Failure{}})
		}
		g, err := New(Config{Seed: 9, Outcomes: outs})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range k.Formats() {
			enc := Encoding{Format: f}
			for i := uint64(0); i < 10; i++ {
				e := g.Event(i)
				b := enc.Marshal(&e)
				d, denc, _, err := Decode(b)
				if err != nil {
					t.Fatalf("%s %s: %v\n%s", k.Name, f, err, b)
				}
				if d.Kind != k || d.TaskID != e.TaskID || (d.FileID != e.FileID && d.FileID != "") || d.Status != e.Status || denc.Format != f {
					t.Fatalf("%s %s: decoded %+v, want kind, ids and status of %+v", k.Name, f, d, e)
				}
				if again := denc.Marshal(&d); string(again) != string(b) {
					t.Fatalf("%s %s: re-encoded\n%s\nwant\n%s", k.Name, f, again, b)
				}
			}
		}
	}
}

// BenchmarkCatalog generates and encodes (3.0) events of every type in
// equal shares ("all"), and of each type alone.
func BenchmarkCatalog(b *testing.B) {
	run := func(b *testing.B, outs []Outcome) {
		g, err := New(Config{Seed: 1, Outcomes: outs})
		if err != nil {
			b.Fatal(err)
		}
		enc := Encoding{Format: FormatV3}
		var e Event
		buf := make([]byte, 0, 16<<10)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			g.Fill(&e, uint64(i))
			buf = enc.Append(buf[:0], &e)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	}
	b.Run("all", func(b *testing.B) { run(b, TypeMix(Kinds, DefaultFailureRatio)) })
	for _, k := range Kinds {
		b.Run(k.Name, func(b *testing.B) { run(b, TypeMix([]*Kind{k}, DefaultFailureRatio)) })
	}
}
