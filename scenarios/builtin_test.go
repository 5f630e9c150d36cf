package scenarios

import (
	"bytes"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/vodsim/vodsim/fixtures"
	"github.com/vodsim/vodsim/generator"
)

func TestBuiltinsAreValid(t *testing.T) {
	infos := Builtins()
	var names []string
	for _, in := range infos {
		names = append(names, in.Name)
	}
	want := []string{"default", "success", "failures", "chaos", "ramp", "seed-examples"}
	if !slices.Equal(names, want) {
		t.Fatalf("Builtins() names = %v, want %v", names, want)
	}
	// Every embedded file is listed, and every listed one is embedded.
	files, _ := fs.Glob(builtinFS, "builtin/*.yaml")
	if len(files) != len(want) {
		t.Errorf("embedded files %v, listed %v", files, want)
	}
	for _, in := range infos {
		t.Run(in.Name, func(t *testing.T) {
			data, err := BuiltinFile(in.Name)
			if err != nil {
				t.Fatal(err)
			}
			// builtin:NAME names it too, as --scenario takes it.
			if prefixed, err := BuiltinFile(BuiltinPrefix + in.Name); err != nil || !bytes.Equal(prefixed, data) {
				t.Errorf("BuiltinFile(%q): %v", BuiltinPrefix+in.Name, err)
			}
			s, err := Parse(in.Name+".yaml", data)
			if err != nil {
				t.Fatalf("built-in does not validate:\n%v", err)
			}
			if s.Name != in.Name {
				t.Errorf("name key %q differs from the file name %q", s.Name, in.Name)
			}
			if len(in.Description) < 20 || strings.HasPrefix(in.Description, "invalid") {
				t.Errorf("description %q: want a real sentence", in.Description)
			}
			if s.Events == 0 && s.Duration == 0 {
				t.Error("sets neither events nor duration")
			}
			src, err := s.Source()
			if err != nil {
				t.Fatal(err)
			}
			var e generator.Event
			for i := uint64(0); i < 200; i++ {
				src.Fill(&e, i)
				if _, _, _, err := generator.Decode(s.Encoding.Marshal(&e)); err != nil {
					t.Fatalf("event %d does not decode: %v", i, err)
				}
			}
		})
	}
}

// eventsOf returns the first n events of the named built-in.
func eventsOf(t *testing.T, name string, n uint64) []generator.Event {
	t.Helper()
	s, err := Load(name)
	if err != nil {
		t.Fatal(err)
	}
	src, err := s.Source()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]generator.Event, n)
	for i := range out {
		src.Fill(&out[i], uint64(i))
	}
	return out
}

func TestBuiltinContents(t *testing.T) {
	t.Run("success has only successes", func(t *testing.T) {
		custom := 0
		for _, e := range eventsOf(t, "success", 500) {
			if !e.Success() {
				t.Fatalf("event %d failed with %d", e.Index, e.Status)
			}
			if e.Template.Definition >= generator.MinCustomDefinition {
				custom++
			}
		}
		if custom == 0 {
			t.Error("no event used a custom template")
		}
	})
	t.Run("failures covers every family", func(t *testing.T) {
		seen := map[string]bool{}
		for _, e := range eventsOf(t, "failures", 2000) {
			if e.Success() {
				t.Fatalf("event %d succeeded", e.Index)
			}
			ec, ok := generator.LookupCode(e.Status)
			if !ok {
				t.Fatalf("event %d: undocumented code %d", e.Index, e.Status)
			}
			seen[ec.Family] = true
		}
		for _, f := range generator.Families {
			if !seen[f.Name] {
				t.Errorf("family %q never drawn", f.Name)
			}
		}
	})
	t.Run("chaos injects every fault", func(t *testing.T) {
		s, _ := Load("chaos")
		f := s.Faults
		if f.Duplicate == 0 || f.Reorder == 0 || f.ReorderWindow == 0 || f.Malformed == 0 || f.DelayMax == 0 || len(f.MalformedKinds) != 5 {
			t.Errorf("faults %+v: want every kind", f)
		}
	})
	t.Run("ramp ramps", func(t *testing.T) {
		s, _ := Load("ramp")
		if len(s.Profile) < 3 || s.Profile[1].To <= s.Profile[1].From {
			t.Errorf("profile %+v: want a rising ramp", s.Profile)
		}
	})
	t.Run("seed-examples replays the seed's payloads", func(t *testing.T) {
		s, _ := Load("seed-examples")
		for i, name := range []string{"seed-success", "seed-failure"} {
			data, _ := fixtures.Read(name)
			want, _, _, err := generator.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			got := s.Replay[i]
			if string(s.Encoding.Marshal(&got)) != string(s.Encoding.Marshal(&want)) {
				t.Errorf("replay %d differs from fixture %s", i, name)
			}
		}
		if s.Events != 2 {
			t.Errorf("events %d, want 2", s.Events)
		}
	})
}
