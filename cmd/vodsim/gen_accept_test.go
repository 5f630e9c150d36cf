package main

import (
	"strings"
	"testing"
)

// TestGenRejectsOddValues: values a user can type that have no meaning
// exit 2 with a message naming the flag or the file and line, and print
// nothing on stdout.
func TestGenRejectsOddValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tinyInterval := writeFile(t, dir, "tiny.yaml",
		"outcomes:\n  - success: {template: {definition: 10001, interval: 1ns}}\n")
	longVideo := writeFile(t, dir, "long.yaml",
		"outcomes:\n  - success: {videoDuration: 2000000h}\n")
	v3Outcome := writeFile(t, dir, "v3outcome.yaml",
		"format: v3\noutcomes:\n  - {eventType: EditMediaComplete, success: {}}\n")
	v3Flow := writeFile(t, dir, "v3flow.yaml",
		"format: v3\nflows:\n  - steps: [NewFileUpload, RestoreMediaComplete]\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"empty --scenario", []string{"gen", "--scenario", ""}, "--scenario: empty"},
		{"--app-id 0", []string{"gen", "--app-id", "0"}, "--app-id 0"},
		{"--numeric-version with v3", []string{"gen", "--format", "v3", "--numeric-version"}, "--numeric-version: the number 4 is a quirk of the 4.0 format"},
		{"sub-second sampling interval", []string{"gen", "--scenario", tinyInterval, "--count", "1"},
			tinyInterval + ":2:55: outcomes[0].success.template.interval: 1ns: must be a whole number of seconds"},
		{"video longer than VOD accepts", []string{"gen", "--scenario", longVideo, "--count", "1"},
			longVideo + ":2:30: outcomes[0].success.videoDuration: 2000000h0m0s is over 604800s"},
		// --format v4 over a v3 scenario: its 3.0-only types have no 4.0
		// body, and a 3.0 body in a 4.0 run is not what was asked for.
		{"--format v4 over a 3.0-only outcome", []string{"gen", "--scenario", v3Outcome, "--format", "v4", "--count", "1"},
			"makes EditMediaComplete, which VOD sends only in the 3.0 format"},
		{"--format v4 over a 3.0-only flow step", []string{"gen", "--scenario", v3Flow, "--format", "v4", "--count", "1"},
			"makes RestoreMediaComplete, which VOD sends only in the 3.0 format"},
		{"send --format v4 over a 3.0-only outcome", []string{"send", "--scenario", v3Outcome, "--format", "v4", "--count", "1"},
			"makes EditMediaComplete, which VOD sends only in the 3.0 format"},
		// A replayed payload keeps its own webVttUrl; the seed's success,
		// which has none, would get an empty one.
		{"--webvtt over a replay", []string{"gen", "--scenario", "seed-examples", "--webvtt"},
			`--webvtt does not apply to scenario "seed-examples": it replays fixed events`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runBin(t, tc.args...)
			if r.code != 2 || !strings.Contains(string(r.stderr), tc.want) || len(r.stdout) != 0 {
				t.Errorf("vodsim %q: exit %d, stderr %q, stdout %d bytes; want exit 2 mentioning %q and no output",
					tc.args, r.code, r.stderr, len(r.stdout), tc.want)
			}
		})
	}
}
