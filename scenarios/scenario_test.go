package scenarios

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/fixtures"
	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pace"
)

// problemsOf parses src and returns its problems as "LINE:COL: message".
func problemsOf(t *testing.T, src string) []string {
	t.Helper()
	_, err := Parse("t.yaml", []byte(src))
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Parse error is %T, want *ValidationError: %v", err, err)
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, fmt.Sprintf("%d:%d: %s", p.Line, p.Column, p.Message))
	}
	return out
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		src  string
		pos  string // LINE:COL of the problem
		msg  string // a part of its message
	}{
		{"misspelt top key", "evnets: 10\n", "1:1", `unknown key "evnets" (did you mean "events"?)`},
		{"swapped letters", "nmae: x\n", "1:1", `(did you mean "name"?)`},
		{"misspelt nested key", "outcomes:\n  - {wieght: 1, success: {}}\n", "2:6", `outcomes[0]: unknown key "wieght" (did you mean "weight"?)`},
		{"key in the wrong case", "fields: {appid: 1255566655}\n", "1:10", `(did you mean "appId"?)`},
		{"unknown key, no hint", "zzzzzz: 1\n", "1:1", `unknown key "zzzzzz"; known keys here: name,`},
		{"repeated key", "seed: 1\nseed: 2\n", "2:1", "seed: repeated key (first set on line 1)"},
		{"negative weight", "outcomes:\n  - {weight: -5, success: {}}\n  - {weight: 1, failure: {}}\n", "2:14", "outcomes[0].weight: -5 is negative"},
		{"weight not a number", "outcomes:\n  - {weight: lots, success: {}}\n", "2:14", `outcomes[0].weight: want a number, got the string "lots"`},
		{"share over 100%", "delivery: {duplicate: 150%}\n", "1:23", "delivery.duplicate: share 150% is outside 0%..100%"},
		{"negative share", "delivery:\n  reorder: {share: -1%}\n", "2:20", "delivery.reorder.share: share -1% is outside 0%..100%"},
		{"fraction over 1", "delivery: {malformed: 5}\n", "1:23", "delivery.malformed: share 5 is outside 0..1: write a fraction from 0 to 1, or a percentage like 5%"},
		{"share not a percentage", "delivery: {duplicate: often}\n", "1:23", `delivery.duplicate: "often" is not a share: write a percentage like 5% or a fraction like 0.05`},
		{"zero rate in a phase", "phases:\n  - {duration: 10s, rate: 0/s}\n", "2:27", `phases[0].rate: "0/s": a phase's rate must be more than 0`},
		{"ramp to zero", "phases:\n  - {duration: 10s, rate: 5/s -> 0}\n", "2:27", `phases[0].rate: "5/s -> 0": a phase's rate must be more than 0`},
		{"negative rate", "phases:\n  - {duration: 10s, rate: -5/s}\n", "2:27", `phases[0].rate: rate "-5/s" is negative`},
		{"negative numeric rate", "rate: -1\n", "1:7", `rate: rate "-1" is negative`},
		{"rate over the most", "rate: 20000000/s\n", "1:7", `rate: rate "20000000/s" is above the most, 10000000 a second`},
		{"rate unit", "rate: 10/day\n", "1:7", `unknown unit "/day"`},
		{"ramp with no end", "phases:\n  - {duration: 60s, rate: 10/s ->}\n", "2:27", `phases[0].rate: ramp "10/s ->" has no end rate`},
		{"ramp as plain rate", "rate: 10/s -> 20/s\n", "1:7", "rate: a ramp needs a duration"},
		{"rate and phases", "rate: 1/s\nphases: [{duration: 1s, rate: 1/s}]\n", "2:1", "give either rate or phases, not both"},
		{"steps without ramp", "phases:\n  - {duration: 60s, rate: 10/s, steps: 3}\n", "2:40", "phases[0].steps: steps need a ramp"},
		{"phase without duration", "phases:\n  - {rate: 10/s}\n", "2:5", "phases[0]: missing duration"},
		{"empty phases", "phases: []\n", "1:9", "phases: empty list"},
		{"bad duration", "duration: 10 minutes\n", "1:11", `duration: "10 minutes" is not a duration`},
		{"duration without unit", "retry: {timeout: 5}\n", "1:18", "retry.timeout: want a duration like 30s, got the number 5"},
		{"zero duration", "phases:\n  - {duration: 0s, rate: 1/s}\n", "2:16", "phases[0].duration: must be longer than 0"},
		{"backwards range", "delivery: {delay: 200ms..10ms}\n", "1:19", "delivery.delay: range 200ms..10ms is backwards"},
		{"bad range end", "delivery: {delay: 0..soon}\n", "1:19", `delivery.delay: range end "soon" is not a duration`},
		{"zero video duration", "outcomes:\n  - success: {videoDuration: 0..1h}\n", "2:30", "success.videoDuration: a video lasts longer than 0"},
		{"empty outcomes", "outcomes: []\n", "1:11", "outcomes: empty list"},
		{"all-zero weights", "outcomes:\n  - {weight: 0, success: {}}\n  - {weight: 0, failure: {}}\n", "2:3", "outcomes: every weight is 0"},
		{"outcome of neither kind", "outcomes:\n  - {weight: 1}\n", "2:5", "outcomes[0]: say what happens"},
		{"outcome of both kinds", "outcomes:\n  - {success: {}, failure: {}}\n", "2:19", "give either success or failure, not both"},
		{"YAML syntax error", "name: x\noutcomes:\n  - {weight: 1\n  success: {}\n", "3:1", "YAML syntax error"},
		{"tab indentation", "name: x\n\tseed: 1\n", "2:1", "YAML syntax error"},
		{"broken JSON", "{\"name\": \"x\",\n \"seed\": 1,,\n}", "2:1", "YAML syntax error"},
		{"empty file", "", "1:1", "the file is empty"},
		{"two documents", "name: a\n---\nname: b\n", "2:1", "a second YAML document"},
		{"not a mapping", "- a\n- b\n", "1:1", "scenario: want a mapping"},
		{"unknown anchor", "name: a\nseed: 1\nretry: {timeout: *t}\nx-t: &t 5s\n", "3:18", "YAML syntax error: unknown anchor 't' referenced"},
		{"key not a name", "name: a\n? [a, b]\n: c\n", "2:3", "top level: a key must be a plain name, got a list"},
		{"merge of itself", "retry: &a {<<: *a}\n", "1:8", "retry.<<: merges (<<) nest deeper than 16"},
		{"merges that multiply", "x-a: &a {timeout: 1s}\nx-b: &b {<<: [*a,*a,*a,*a,*a,*a,*a,*a]}\nx-c: &c {<<: [*b,*b,*b,*b,*b,*b,*b,*b]}\nx-d: &d {<<: [*c,*c,*c,*c,*c,*c,*c,*c]}\nx-e: &e {<<: [*d,*d,*d,*d,*d,*d,*d,*d]}\nretry: {<<: [*e,*e,*e,*e,*e,*e,*e,*e]}\n", "1:6", "or number more than 1000"},
		{"merge of a non-mapping", "retry: {<<: 5s}\n", "1:13", "retry.<<: want a mapping to merge"},
		{"unknown key in a merged mapping", "x-base: &b {attempts: 2, tries: 3}\nretry: {<<: *b}\n", "1:26", `retry: unknown key "tries"`},
		{"wrong type: seed", "seed: forty-two\n", "1:7", `seed: want a whole number, got the string "forty-two"`},
		{"wrong type: events", "events: [1]\n", "1:9", "events: want a whole number, got a list"},
		{"wrong type: outcomes", "outcomes: {weight: 1}\n", "1:11", "outcomes: want a list of outcomes"},
		{"wrong type: name", "name: 12\n", "1:7", "name: want a string, got the number 12"},
		{"wrong type: webVttUrl", "fields: {webVttUrl: yes please}\n", "1:21", "fields.webVttUrl: want true or false"},
		{"zero events", "events: 0\n", "1:9", "events: must be at least 1"},
		{"huge seed", "seed: 99999999999999999999\n", "1:7", "seed: 99999999999999999999 is out of range (-9223372036854775808 to 9223372036854775807)"},
		{"huge events", "events: 99999999999999999999\n", "1:9", "events: 99999999999999999999 is out of range"},
		{"unknown format", "format: v5\n", "1:9", `format: unknown format "v5"`},
		{"code 0", "outcomes:\n  - failure: {codes: [-43001, 0]}\n", "2:31", "outcomes[0].failure.codes[1]: 0 means success"},
		{"code not a number", "outcomes:\n  - failure: {codes: [E43001]}\n", "2:23", `codes[0]: want a whole number, got the string "E43001"`},
		{"code out of range", "outcomes:\n  - failure: {codes: [-9999999999]}\n", "2:23", "out of range for a status code"},
		{"empty codes", "outcomes:\n  - failure: {codes: []}\n", "2:22", "codes: empty list"},
		{"unknown family", "outcomes:\n  - failure: {family: screnshot}\n", "2:23", `unknown family "screnshot" (did you mean "screenshot"?)`},
		{"message not a string", "outcomes:\n  - failure: {message: [a]}\n", "2:24", "failure.message: want a string, got a list"},
		{"bad template id", "outcomes:\n  - success: {template: 11}\n", "2:25", "template: 11 is not the preset 10"},
		{"custom template id too low", "outcomes:\n  - success: {template: {definition: 500}}\n", "2:38", "template.definition: 500: must be 10 (the preset) or a custom id from 10000"},
		{"preset with a layout", "outcomes:\n  - success: {template: {definition: 10, grid: 5x5}}\n", "2:25", "template 10 is the fixed preset"},
		{"tile too small", "outcomes:\n  - success: {template: {definition: 10001, tile: 64x64}}\n", "2:25", "tile size 64x64: each side must be 0 or 128..4096"},
		{"bad grid", "outcomes:\n  - success: {template: {definition: 10001, grid: ten}}\n", "2:51", `template.grid: "ten" is not a size`},
		{"grid with 0 rows", "outcomes:\n  - success: {template: {definition: 10001, grid: 3x0}}\n", "2:51", `template.grid: "3x0": columns and rows must be at least 1`},
		{"grid read as hex", "outcomes:\n  - success: {template: {definition: 10001, grid: 0x10}}\n", "2:51", `template.grid: "0x10": columns and rows must be at least 1`},
		{"ramp with two arrows", "phases:\n  - {duration: 1s, rate: 10/s -> 20/s -> 30/s}\n", "2:26", "phases[0].rate: a ramp goes from one rate to one other: write one phase per leg, like 10/s -> 20/s"},
		{"bad image format", "outcomes:\n  - success: {template: {definition: 10001, format: gif}}\n", "2:25", `format "gif" must be jpg, png or webp`},
		{"sub-second interval", "outcomes:\n  - success: {template: {definition: 10001, interval: 1ns}}\n", "2:55", "template.interval: 1ns: must be a whole number of seconds, at least 1s"},
		{"fractional interval", "outcomes:\n  - success: {template: {definition: 10001, interval: 2500ms}}\n", "2:55", "template.interval: 2.5s: must be a whole number of seconds"},
		{"video over 7 days", "outcomes:\n  - success: {videoDuration: 1h..2000000h}\n", "2:30", "success.videoDuration: 2000000h0m0s is over 604800s (7 days)"},
		{"template without definition", "outcomes:\n  - success: {template: {grid: 5x5}}\n", "2:25", "template: missing definition"},
		{"bad scheme", "fields: {scheme: ftp}\n", "1:18", `fields.scheme: "ftp": want http or https`},
		{"bad host", "fields: {host: \"a/b\"}\n", "1:16", `fields.host: "a/b" is not a host name`},
		{"host with a bad port", "fields: {host: \"cdn.example.com:99999\"}\n", "1:16", `fields.host: "cdn.example.com:99999": port 99999 is not 1 to 65535`},
		{"bad file id", "fields: {fileId: abc}\n", "1:18", `fields.fileId: "abc" is not a file id`},
		{"fileId and fileIds", "fields: {fileId: \"1\", fileIds: [\"2\"]}\n", "1:23", "give either fileId or fileIds"},
		{"bad version", "fields: {version: 5}\n", "1:19", `fields.version: want "4.0"`},
		{"numeric version in v3", "format: v3\nfields: {version: 4}\n", "2:19", "fields.version: the number 4 is a quirk of the 4.0 format"},
		{"signKey in v4", "delivery: {signKey: abc123}\n", "1:21", "delivery.signKey: signing is part of the 3.0 format"},
		{"bad signKey", "format: v3\ndelivery: {signKey: \"not ok!\"}\n", "2:21", "delivery.signKey: sign key: character ' ' at 4: only letters and digits are allowed"},
		{"bad malformation", "delivery:\n  malformed: {share: 1%, kinds: [truncatd]}\n", "2:34", `unknown kind "truncatd" (did you mean "truncated"?)`},
		{"reorder window 0", "delivery:\n  reorder: {share: 1%, window: 0}\n", "2:32", "delivery.reorder.window: must be 1 to 1000000"},
		{"bad retry condition", "retry: {on: [timeot, 500]}\n", "1:14", `retry.on: unknown condition "timeot" (did you mean "timeout"?)`},
		{"retry condition, no hint", "retry: {on: [timeout, 500]}\n", "1:23", `retry.on: unknown condition "500"; conditions: timeout, 5xx, 429, conn, connection`},
		{"zero attempts", "retry: {attempts: 0}\n", "1:19", "retry.attempts: must be 1 to 100"},
		{"maxBackoff below backoff", "retry: {backoff: 2s, maxBackoff: 1s}\n", "1:34", "retry.maxBackoff: 1s is shorter than backoff 2s"},
		{"unknown fixture", "replay: [seed-sucess]\n", "1:10", `(did you mean "seed-success"?)`},
		{"replay with outcomes", "outcomes: [{success: {}}]\nreplay: [seed-success]\n", "2:1", "replay: replayed fixtures cannot be mixed with outcomes"},
		{"empty replay", "replay: []\n", "1:9", "replay: empty list"},
		{"JSON input", "{\n  \"name\": \"j\",\n  \"events\": -3\n}\n", "3:13", "events: must be at least 1"},
		// ReviewAudioVideoComplete tells a failure by ErrCodeExt alone: a
		// code it has no name for would make a success-looking event.
		{"code a type cannot carry", "format: v3\noutcomes:\n  - {eventType: ReviewAudioVideoComplete, failure: {codes: [-43001]}}\n", "3:17",
			"outcomes[0].eventType: ReviewAudioVideoComplete tells a failure only by its ErrCodeExt"},
		{"family a type cannot carry", "format: v3\noutcomes:\n  - eventType: QualityInspectComplete\n    failure: {family: source}\n", "3:16",
			"-47100 would read as a success"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			probs := problemsOf(t, tc.src)
			want := tc.pos + ": "
			for _, p := range probs {
				if strings.HasPrefix(p, want) && strings.Contains(p, tc.msg) {
					return
				}
			}
			t.Errorf("no problem %q at %s; got:\n  %s", tc.msg, tc.pos, strings.Join(probs, "\n  "))
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := "nmae: x\nevents: 0\noutcomes:\n  - {weight: -1, success: {}}\ndelivery: {duplicate: 200%}\nretry: {attempts: 0}\n"
	_, err := Parse("many.yaml", []byte(src))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	want := []string{"many.yaml:1:1: ", "many.yaml:2:9: ", "many.yaml:4:14: ", "many.yaml:5:23: ", "many.yaml:6:19: "}
	lines := ve.Lines()
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(lines), len(want), ve)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("problem %d = %q, want prefix %q", i, lines[i], w)
		}
	}
	if got := strings.Count(ve.Error(), "\n") + 1; got != len(want) {
		t.Errorf("Error() has %d lines, want %d", got, len(want))
	}
}

func TestParseFullScenario(t *testing.T) {
	src := `
name: full
description: every key
seed: 42
format: v4
events: 1000
duration: 2m
phases:
  - {duration: 30s, rate: 10/s}
  - {duration: 60s, rate: 10/s -> 200/s}
  - {duration: 60s, rate: 600/m -> 6000/m, steps: 5}
outcomes:
  - {weight: 90, success: {template: 10, videoDuration: 30s..2h}}
  - {weight: 5, success: {template: {definition: 10005, grid: 4x3, tile: 0x180, interval: 2s, format: webp}, videoDuration: 45s}}
  - {weight: 5, failure: {codes: [-43001], family: source, message: "bad source"}}
fields:
  appId: 1255566655
  scheme: https
  host: cdn.example.com
  fileIds: ["14508071098244929440", 5285485487985271487]
  webVttUrl: true
  version: 4
delivery: {duplicate: 2%, reorder: {share: 5%, window: 20}, malformed: {share: 0.5%, kinds: [not-json]}, delay: 0..200ms}
retry: {timeout: 3s, attempts: 4, on: [timeout, 5xx, 429, connection], backoff: 100ms, maxBackoff: 1s}
`
	s, err := Parse("full.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	msg := "bad source"
	wantProfile := pace.Profile{
		{Duration: 30 * time.Second, From: 10, To: 10},
		{Duration: time.Minute, From: 10, To: 200},
		{Duration: time.Minute, From: 10, To: 100, Steps: 5},
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"name", s.Name, "full"},
		{"description", s.Description, "every key"},
		{"seed", [2]any{s.Seed, s.HasSeed}, [2]any{int64(42), true}},
		{"generator seed", s.Generator.Seed, int64(42)},
		{"events", s.Events, uint64(1000)},
		{"duration", s.Duration, 2 * time.Minute},
		{"profile", fmt.Sprint(s.Profile), fmt.Sprint(wantProfile)},
		{"outcomes", len(s.Generator.Outcomes), 3},
		{"preset", s.Generator.Outcomes[0].Success.Template, generator.PresetTemplate},
		{"video range", [2]time.Duration{s.Generator.Outcomes[0].Success.MinDuration, s.Generator.Outcomes[0].Success.MaxDuration}, [2]time.Duration{30 * time.Second, 2 * time.Hour}},
		{"custom", s.Generator.Outcomes[1].Success.Template, generator.Template{Definition: 10005, Columns: 4, Rows: 3, Width: 0, Height: 180, Interval: 2 * time.Second, Format: "webp"}},
		{"fixed video", s.Generator.Outcomes[1].Success.MaxDuration, 45 * time.Second},
		{"codes", len(s.Generator.Outcomes[2].Failure.Codes), 1 + len(generator.FamilyCodes("source"))},
		{"message", *s.Generator.Outcomes[2].Failure.Message, msg},
		{"appId", s.Generator.AppID, uint64(1255566655)},
		{"scheme+host", s.Generator.Scheme + "://" + s.Generator.Host, "https://cdn.example.com"},
		{"fileIds", fmt.Sprint(s.Generator.FileIDs), "[14508071098244929440 5285485487985271487]"},
		{"encoding", s.Encoding, generator.Encoding{Format: generator.FormatV4, WebVTT: true, NumericVersion: true}},
		{"faults", fmt.Sprint(s.Faults), fmt.Sprint(sender.Faults{Duplicate: 0.02, Reorder: 0.05, ReorderWindow: 20, Malformed: 0.005, MalformedKinds: []sender.Malformation{sender.MalformNotJSON}, DelayMax: 200 * time.Millisecond})},
		{"retry", s.Retry, sender.RetryPolicy{Timeout: 3 * time.Second, Attempts: 4, On: sender.RetryTimeout | sender.RetryServerError | sender.RetryTooMany | sender.RetryConnError, Backoff: 100 * time.Millisecond, MaxBackoff: time.Second}},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if _, err := s.Source(); err != nil {
		t.Errorf("Source: %v", err)
	}
}

func TestParseDefaults(t *testing.T) {
	tests := []struct {
		name, src string
		check     func(*Scenario) string
	}{
		{"name from file", "events: 5\n", func(s *Scenario) string {
			return cmp(s.Name, "mine")
		}},
		{"no seed", "events: 5\n", func(s *Scenario) string { return cmp(s.HasSeed, false) }},
		{"seed 0 is set", "seed: 0\n", func(s *Scenario) string { return cmp(s.HasSeed, true) }},
		{"no rate", "events: 5\n", func(s *Scenario) string { return cmp(s.HasRate, false) }},
		{"rate 0 is set", "rate: 0\n", func(s *Scenario) string { return cmp(s.HasRate, true) + cmp(len(s.Profile), 0) }},
		{"phases set a rate", "phases: [{duration: 1s, rate: 5/s}]\n", func(s *Scenario) string { return cmp(s.HasRate, true) }},
		{"SetSeed", "events: 1\n", func(s *Scenario) string {
			s.SetSeed(9)
			return cmp(s.Seed, int64(9)) + cmp(s.HasSeed, true) + cmp(s.Generator.Seed, int64(9))
		}},
		{"plain rate", "rate: 600/m\nduration: 1m\n", func(s *Scenario) string {
			return cmp(fmt.Sprint(s.Profile), fmt.Sprint(pace.Profile{{Duration: time.Minute, From: 10, To: 10}}))
		}},
		{"reorder default window", "delivery: {reorder: 5%}\n", func(s *Scenario) string {
			return cmp(s.Faults.ReorderWindow, sender.DefaultReorderWindow)
		}},
		{"fixed delay", "delivery: {delay: 50ms}\n", func(s *Scenario) string {
			return cmp([2]time.Duration{s.Faults.DelayMin, s.Faults.DelayMax}, [2]time.Duration{50 * time.Millisecond, 50 * time.Millisecond})
		}},
		{"share as fraction", "delivery: {duplicate: 0.25}\n", func(s *Scenario) string { return cmp(s.Faults.Duplicate, 0.25) }},
		{"weight defaults to 1", "outcomes: [{success: {}}, {failure: {}}]\n", func(s *Scenario) string {
			return cmp(s.Generator.Outcomes[0].Weight+s.Generator.Outcomes[1].Weight, 2.0)
		}},
		{"null success is the default", "outcomes:\n  - success:\n", func(s *Scenario) string {
			return cmp(s.Generator.Outcomes[0].Success != nil, true)
		}},
		{"format 3.0", "format: \"3.0\"\ndelivery: {signKey: abc}\n", func(s *Scenario) string {
			return cmp(s.Encoding.Format, generator.FormatV3) + cmp(s.SignKey, "abc")
		}},
		{"unknown key with an anchor", "x: &d 30s\n", nil},
		{"x- keys hold anchors", "x-retry: &r {attempts: 2}\nretry: *r\n", func(s *Scenario) string { return cmp(s.Retry.Attempts, 2) }},
		{"anchors, aliases and merge keys", "outcomes:\n  - &ok {weight: 3, success: {videoDuration: 1m}}\n  - {<<: *ok, weight: 1}\n  - *ok\n", func(s *Scenario) string {
			o := s.Generator.Outcomes
			return cmp(len(o), 3) + cmp(o[1].Weight, 1.0) + cmp(o[1].Success.MaxDuration, time.Minute) + cmp(o[2].Weight, 3.0)
		}},
		{"replay count", "replay: [seed-success, seed-failure, seed-success]\n", func(s *Scenario) string {
			return cmp(s.Events, uint64(3)) + cmp(s.Replay[1].Status, -43001)
		}},
		{"byte order mark", "\xef\xbb\xbfevents: 2\n", func(s *Scenario) string { return cmp(s.Events, uint64(2)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("dir/mine.yaml", []byte(tc.src))
			if tc.check == nil {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if msg := tc.check(s); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func cmp[T comparable](got, want T) string {
	if got != want {
		return fmt.Sprintf("got %v, want %v; ", got, want)
	}
	return ""
}

func TestReplayFile(t *testing.T) {
	dir := t.TempDir()
	good, _ := fixtures.Read("seed-failure")
	files := map[string]string{
		"ok.json":  string(good),
		"bad.json": `{"version": "4.0", "eventType": "Other", "data": {}}`,
		"s.yaml":   "replay:\n  - ok.json\n  - bad.json\n  - missing.json\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Load(filepath.Join(dir, "s.yaml"))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	lines := ve.Lines()
	if len(lines) != 2 || !strings.Contains(lines[0], ":3:5: replay[1]: \"bad.json\": ") ||
		!strings.Contains(lines[1], ":4:5: replay[2]: \"missing.json\" is neither a fixture nor a readable file: ") {
		t.Fatalf("problems:\n%s", ve)
	}
	// The reason comes first; the fixtures are named by pattern, not all
	// of them listed.
	if len(lines[1]) > 400 || strings.Contains(lines[1], "v3-ClipComplete") {
		t.Errorf("the missing file's problem is %d bytes: %s", len(lines[1]), lines[1])
	}
	if err := os.WriteFile(filepath.Join(dir, "s.yaml"), []byte("replay: [ok.json, seed-success]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := s.Source()
	if err != nil {
		t.Fatal(err)
	}
	var e generator.Event
	src.Fill(&e, 0)
	if e.Status != -43001 {
		t.Errorf("event 0 status %d, want -43001 (ok.json)", e.Status)
	}
	src.Fill(&e, 1)
	if e.Status != 0 || e.TotalCount != 106 {
		t.Errorf("event 1 = %+v, want the seed's success", e)
	}
}

func TestLoad(t *testing.T) {
	if _, err := Load("defualt"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `did you mean "default"?`) {
		t.Errorf("Load(defualt) = %v, want ErrNotFound with a hint", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.yaml")); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("Load(missing file) = %v, want a read error", err)
	}
	// A file wins over a built-in name when the argument is a path.
	dir := t.TempDir()
	path := filepath.Join(dir, "default.yaml")
	if err := os.WriteFile(path, []byte("name: mine\nevents: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil || s.Name != "mine" {
		t.Errorf("Load(%s) = %v, %v", path, s, err)
	}
}

// TestReorderWindowDefault: a reorder share without a window gets the
// sender's default window, so the two never disagree.
func TestReorderWindowDefault(t *testing.T) {
	s, err := Parse("r.yaml", []byte("delivery: {reorder: 5%}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Faults.ReorderWindow != sender.DefaultReorderWindow {
		t.Errorf("reorder window %d, want the sender's default %d", s.Faults.ReorderWindow, sender.DefaultReorderWindow)
	}
}
