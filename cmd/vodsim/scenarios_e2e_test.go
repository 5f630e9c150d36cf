package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vodsim/vodsim/fixtures"
	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/scenarios"
)

// decodeLines decodes every NDJSON line of out.
func decodeLines(t *testing.T, out []byte) []generator.Event {
	t.Helper()
	var evs []generator.Event
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		e, _, _, err := generator.Decode(line)
		if err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, line)
		}
		evs = append(evs, e)
	}
	return evs
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestValidateE2E(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", "name: good\nevents: 5\nrate: 10/s\noutcomes:\n  - {weight: 9, success: {}}\n  - {weight: 1, failure: {family: query}}\n")
	goodJSON := writeFile(t, dir, "good.json", `{"name": "j", "events": 3, "outcomes": [{"failure": {"codes": [-43001]}}]}`)
	misspelt := writeFile(t, dir, "misspelt.yaml", "name: x\nevnets: 5\n")
	negative := writeFile(t, dir, "negative.yaml", "outcomes:\n  - {weight: -1, success: {}}\n")
	badRate := writeFile(t, dir, "rate.yaml", "name: r\nphases:\n  - {duration: 10s, rate: 0/s}\n")
	broken := writeFile(t, dir, "broken.yaml", "name: x\noutcomes: [\n")
	tests := []struct {
		name  string
		files []string
		code  int
		out   []string // lines of stdout
		err   []string // prefixes of stderr lines
	}{
		{"valid files", []string{good, goodJSON}, 0, []string{good + ": ok", goodJSON + ": ok"}, nil},
		{"built-in by name", []string{"chaos"}, 0, []string{"chaos: ok"}, nil},
		{"misspelt key", []string{misspelt}, 2, nil, []string{misspelt + `:2:1: top level: unknown key "evnets" (did you mean "events"?)`}},
		{"negative weight", []string{negative}, 2, nil, []string{negative + ":2:14: outcomes[0].weight: -1 is negative"}},
		{"bad rate", []string{badRate}, 2, nil, []string{badRate + ":3:27: phases[0].rate: \"0/s\": a phase's rate must be more than 0"}},
		{"broken YAML", []string{broken}, 2, nil, []string{broken + ":3:1: YAML syntax error"}},
		{"one bad among good", []string{good, misspelt}, 2, []string{good + ": ok"}, []string{misspelt + ":2:1: "}},
		{"missing file", []string{filepath.Join(dir, "none.yaml")}, 2, nil, []string{filepath.Join(dir, "none.yaml") + ": read scenario:"}},
		{"no arguments", nil, 2, nil, []string{"vodsim: validate: name at least one scenario file"}},
		// Standard input holds one scenario: a second - would read it empty.
		{"stdin twice", []string{"-", good, "-"}, 2, nil, []string{"vodsim: validate: - (standard input) is named more than once"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runBin(t, append([]string{"validate"}, tc.files...)...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			if got := strings.TrimSpace(string(r.stdout)); got != strings.Join(tc.out, "\n") {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, strings.Join(tc.out, "\n"))
			}
			for _, want := range tc.err {
				if !strings.Contains("\n"+string(r.stderr), "\n"+want) {
					t.Errorf("stderr lacks a line starting %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}

func TestScenariosListE2E(t *testing.T) {
	t.Parallel()
	r := runBin(t, "scenarios")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, in := range scenarios.Builtins() {
		if !strings.Contains(string(r.stdout), in.Name+" ") || !strings.Contains(string(r.stdout), in.Description) {
			t.Errorf("listing lacks %s: %q\n%s", in.Name, in.Description, r.stdout)
		}
	}
	for _, name := range []string{"default", "success", "failures", "chaos", "ramp", "seed-examples"} {
		if !strings.Contains(string(r.stdout), "\n"+name+" ") {
			t.Errorf("listing lacks %s", name)
		}
	}
	show := runBin(t, "scenarios", "--show", "chaos")
	want, _ := scenarios.BuiltinFile("chaos")
	if show.code != 0 || !bytes.Equal(show.stdout, want) {
		t.Errorf("--show chaos: exit %d, output differs from the built-in:\n%s", show.code, show.stdout)
	}
	if r := runBin(t, "scenarios", "--show", "chaoss"); r.code != 2 || !strings.Contains(string(r.stderr), `did you mean "chaos"?`) {
		t.Errorf("--show chaoss: exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestGenScenarioE2E(t *testing.T) {
	t.Parallel()
	t.Run("failures gives only failures", func(t *testing.T) {
		t.Parallel()
		r := runBin(t, "gen", "--scenario", "failures", "--count", "300")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		evs := decodeLines(t, r.stdout)
		if len(evs) != 300 {
			t.Fatalf("%d events, want 300", len(evs))
		}
		families := map[string]bool{}
		for _, e := range evs {
			if e.Success() {
				t.Fatalf("a success in --scenario failures: %+v", e)
			}
			ec, _ := generator.LookupCode(e.Status)
			families[ec.Family] = true
		}
		if len(families) != len(generator.Families) {
			t.Errorf("families %v, want all %d", families, len(generator.Families))
		}
	})
	t.Run("success gives only successes", func(t *testing.T) {
		t.Parallel()
		r := runBin(t, "gen", "--scenario", "success")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		evs := decodeLines(t, r.stdout)
		s, _ := scenarios.Load("success")
		if uint64(len(evs)) != s.Events {
			t.Errorf("%d events, want the scenario's %d", len(evs), s.Events)
		}
		for _, e := range evs {
			if !e.Success() {
				t.Fatalf("a failure in --scenario success: %+v", e)
			}
		}
		if !bytes.Contains(r.stdout, []byte(`"webVttUrl"`)) {
			t.Error("the scenario's webVttUrl: true did not reach the output")
		}
	})
	t.Run("same seed, same bytes", func(t *testing.T) {
		t.Parallel()
		a := runBin(t, "gen", "--scenario", "default", "--seed", "77", "--count", "200")
		b := runBin(t, "gen", "--scenario", "default", "--seed", "77", "--count", "200")
		c := runBin(t, "gen", "--scenario", "default", "--seed", "78", "--count", "200")
		if a.code != 0 || !bytes.Equal(a.stdout, b.stdout) {
			t.Error("two runs with the same seed differ")
		}
		if bytes.Equal(a.stdout, c.stdout) {
			t.Error("seeds 77 and 78 gave the same events")
		}
	})
	t.Run("flags override the scenario", func(t *testing.T) {
		t.Parallel()
		r := runBin(t, "gen", "--scenario", "success", "--failure-ratio", "1", "--count", "5", "--format", "v3")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		lines := bytes.Split(bytes.TrimSpace(r.stdout), []byte("\n"))
		if len(lines) != 5 {
			t.Fatalf("%d lines, want 5", len(lines))
		}
		for _, e := range decodeLines(t, r.stdout) {
			if e.Success() {
				t.Error("--failure-ratio 1 did not override the scenario's outcomes")
			}
		}
		if !bytes.HasPrefix(lines[0], []byte(`{"EventType"`)) {
			t.Errorf("--format v3 did not override: %s", lines[0])
		}
	})
	t.Run("scenario file", func(t *testing.T) {
		t.Parallel()
		path := writeFile(t, t.TempDir(), "mine.yaml", `
seed: 5
format: v3
events: 4
outcomes: [{failure: {codes: [-44001], message: "screenshot failed"}}]
fields: {fileId: "5285485487985271487"}
`)
		r := runBin(t, "gen", "--scenario", path)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		evs := decodeLines(t, r.stdout)
		if len(evs) != 4 {
			t.Fatalf("%d events, want 4", len(evs))
		}
		for _, e := range evs {
			if e.Status != -44001 || e.Message != "screenshot failed" || e.FileID != "5285485487985271487" {
				t.Errorf("event %+v does not follow the file", e)
			}
		}
	})
	t.Run("seed-examples replays the fixtures", func(t *testing.T) {
		t.Parallel()
		r := runBin(t, "gen", "--scenario", "seed-examples")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		evs := decodeLines(t, r.stdout)
		if len(evs) != 2 {
			t.Fatalf("%d events, want one pass over the 2 fixtures", len(evs))
		}
		for i, name := range []string{"seed-success", "seed-failure"} {
			data, _ := fixtures.Read(name)
			want, _, _, _ := generator.Decode(data)
			want.Index = uint64(i)
			if i >= len(evs) || string(generator.Encoding{}.Marshal(&evs[i])) != string(generator.Encoding{}.Marshal(&want)) {
				t.Errorf("event %d is not fixture %s", i, name)
			}
		}
	})
	t.Run("invalid scenario exits 2 with positions", func(t *testing.T) {
		t.Parallel()
		path := writeFile(t, t.TempDir(), "bad.yaml", "outcomes: []\n")
		r := runBin(t, "gen", "--scenario", path)
		if r.code != 2 || !strings.Contains(string(r.stderr), path+":1:11: outcomes: empty list") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if len(r.stdout) != 0 {
			t.Errorf("printed events for an invalid scenario")
		}
	})
	t.Run("unknown scenario exits 2", func(t *testing.T) {
		t.Parallel()
		r := runBin(t, "gen", "--scenario", "faliures")
		if r.code != 2 || !strings.Contains(string(r.stderr), `did you mean "failures"?`) {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
	})
}

func TestScenarioCommandsHelpE2E(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"validate", "scenarios", "gen"} {
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			r := runBin(t, cmd, "--help")
			if r.code != 0 || !strings.Contains(string(r.stdout), "Examples:") || !strings.Contains(string(r.stdout), "vodsim "+cmd) {
				t.Errorf("%s --help: exit %d\n%s%s", cmd, r.code, r.stdout, r.stderr)
			}
		})
	}
	if r := runBin(t, "gen", "--help"); !strings.Contains(string(r.stdout), "--scenario") {
		t.Error("gen --help does not document --scenario")
	}
}
