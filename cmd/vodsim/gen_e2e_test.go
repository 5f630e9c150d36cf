package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vodsim/vodsim/generator"
)

func TestGenE2E(t *testing.T) {
	t.Parallel()
	a := runBin(t, "gen", "--seed", "7", "--count", "500")
	b := runBin(t, "gen", "--seed", "7", "--count", "500")
	c := runBin(t, "gen", "--seed", "8", "--count", "500")
	if a.code != 0 || len(a.stderr) != 0 {
		t.Fatalf("exit %d, stderr %s", a.code, a.stderr)
	}
	if !bytes.Equal(a.stdout, b.stdout) {
		t.Fatal("the same seed gave different output")
	}
	if bytes.Equal(a.stdout, c.stdout) {
		t.Fatal("seeds 7 and 8 gave the same output")
	}
	lines := strings.Split(strings.TrimSuffix(string(a.stdout), "\n"), "\n")
	if len(lines) != 500 {
		t.Fatalf("%d lines, want 500", len(lines))
	}
	successKeys := []string{"status", "message", "vodTaskId", "fileId", "definition", "totalCount", "imageSpriteUrl"}
	failureKeys := successKeys[:4]
	for n, line := range lines {
		ev, _, _, err := generator.Decode([]byte(line))
		if err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if !strings.HasPrefix(line, `{"version":"4.0","eventType":"CreateImageSpriteComplete","data":{`) {
			t.Fatalf("line %d: envelope %.80s", n+1, line)
		}
		want := successKeys
		if !ev.Success() {
			want = failureKeys
			if _, ok := generator.LookupCode(ev.Status); !ok {
				t.Fatalf("line %d: undocumented code %d", n+1, ev.Status)
			}
		} else if len(ev.SpriteURLs) != (ev.TotalCount+99)/100 {
			t.Fatalf("line %d: %d sheets for %d tiles", n+1, len(ev.SpriteURLs), ev.TotalCount)
		}
		if got := dataKeys(t, line); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("line %d: data fields %v, want %v in that order", n+1, got, want)
		}
	}
}

// dataKeys returns the keys of the "data" object in the order they appear.
func dataKeys(t *testing.T, line string) []string {
	t.Helper()
	var env struct{ Data json.RawMessage }
	if err := json.Unmarshal([]byte(line), &env); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(env.Data))
	dec.Token() // {
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	return keys
}

func TestGenV3E2E(t *testing.T) {
	t.Parallel()
	r := runBin(t, "gen", "--format", "v3", "--count", "50", "--failure-ratio", "0.5")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for n, line := range strings.Split(strings.TrimSpace(string(r.stdout)), "\n") {
		var c struct {
			EventType string
			Event     *struct {
				TaskId            string
				ErrCode           *int
				Message           *string
				FileId            string
				Definition        *int
				TotalCount        *int
				ImageSpriteUrlSet []string
				WebVttUrl         *string
			} `json:"CreateImageSpriteCompleteEvent"`
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		e := c.Event
		if c.EventType != "CreateImageSpriteComplete" || e == nil || e.ErrCode == nil || e.Message == nil ||
			e.Definition == nil || e.TotalCount == nil || e.WebVttUrl == nil || !strings.HasPrefix(e.TaskId, "CreateImageSprite-") || e.FileId == "" {
			t.Fatalf("line %d: not the 3.0 shape: %s", n+1, line)
		}
	}
}

// TestGenFormatOfReplay: --format over a scenario that replays a fixture
// of another type than the sprite, in the other format, is refused: that
// type is replayed only in the form given.
func TestGenFormatOfReplay(t *testing.T) {
	t.Parallel()
	r := runBinStdin(t, []byte("name: r\nevents: 1\nreplay: [v4-NewFileUpload-success]\n"), "gen", "--scenario", "-", "--format", "v3")
	if r.code != 2 || !strings.Contains(string(r.stderr), `scenario "r" replays a v4 NewFileUpload (replay 1), which goes only in its own format, and the format is v3`) || len(r.stdout) != 0 {
		t.Errorf("--format v3 over a v4 replay: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// A v3 fixture with no format given: refused with the flag to give;
	// with it, its body as it is.
	v3 := []byte("name: r\nevents: 1\nreplay: [v3-PullComplete-success]\n")
	if r := runBinStdin(t, v3, "gen", "--scenario", "-"); r.code != 2 || !strings.Contains(string(r.stderr), "give --format v3") {
		t.Errorf("a v3 replay in the default v4: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runBinStdin(t, v3, "gen", "--scenario", "-", "--format", "v3"); r.code != 0 || !strings.Contains(string(r.stdout), `"EventType":"PullComplete"`) {
		t.Errorf("a v3 replay with --format v3: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestGenBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"gen", "--format", "v9"}, `unknown format "v9"`},
		{[]string{"gen", "--count", "-3"}, "--count"},
		{[]string{"gen", "--count", "0"}, "--count 0: must be at least 1"},
		{[]string{"gen", "--webvtt", "--event-type", "PullComplete"}, "--webvtt adds webVttUrl to CreateImageSpriteComplete's"},
		{[]string{"gen", "--failure-ratio", "1.5"}, "--failure-ratio 1.5: share 1.5 is outside 0..1"},
		{[]string{"gen", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"gen", "extra"}, `unexpected argument "extra"`},
		{[]string{"nosuch"}, `unknown subcommand "nosuch"`},
		{nil, "no subcommand"},
	} {
		r := runBin(t, tc.args...)
		if r.code != 2 || !strings.Contains(string(r.stderr), tc.want) || len(r.stdout) != 0 && tc.args != nil {
			t.Errorf("vodsim %q: exit %d, stderr %q, stdout %d bytes; want exit 2 mentioning %q and no output", tc.args, r.code, r.stderr, len(r.stdout), tc.want)
		}
	}
}

func TestHelpE2E(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"help", "gen"}, {"gen", "--help"}, {"version", "--help"}} {
		r := runBin(t, args...)
		if r.code != 0 || !strings.Contains(string(r.stdout), "vodsim") {
			t.Errorf("vodsim %q: exit %d, stdout %.100q", args, r.code, r.stdout)
		}
	}
	r := runBin(t, "gen", "--help")
	for _, flag := range []string{"--seed", "--count", "--format", "--failure-ratio", "Examples:"} {
		if !strings.Contains(string(r.stdout), flag) {
			t.Errorf("gen --help lacks %s", flag)
		}
	}
}
