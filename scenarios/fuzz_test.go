package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, and that every failure is a
// *ValidationError whose problems all have a position and a message.
func FuzzParse(f *testing.F) {
	for _, in := range builtinOrder {
		data, _ := BuiltinFile(in)
		f.Add(data)
	}
	for _, s := range []string{
		"", "{}", "[]", "null", "name: x\n---\nname: y\n", "a: &a [*a]\n",
		"x: &x {a: 1}\noutcomes: [*x, *x]\n",
		"{\"events\": 3, \"rate\": \"5/s\"}",
		"phases: [{duration: 1s, rate: 1/s -> }]\n",
		"outcomes: [{weight: 1e400, success: {}}]\n",
		"delivery: {reorder: {share: 1%, window: 99999999999}}\n",
		"outcomes: [{success: {template: {definition: 10001, grid: 0x0}}}]\n",
		"fields: {fileIds: [1, \"2\", [3]]}\n",
		"replay: [\"\", seed-success]\n",
		"rate: \"1/s->2/s->3/s\"\n",
		"\tname: x",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parse("fuzz.yaml", data, "") // fixtures only: no file reads
		if err == nil {
			if s == nil {
				t.Fatal("nil scenario and nil error")
			}
			if _, err := s.Source(); err != nil {
				t.Fatalf("valid scenario has no source: %v", err)
			}
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			t.Fatalf("error %v is not a *ValidationError with problems", err)
		}
		for _, p := range ve.Problems {
			if p.Line < 1 || p.Column < 1 || strings.TrimSpace(p.Message) == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}
