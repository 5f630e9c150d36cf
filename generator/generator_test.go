package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func mustNew(t testing.TB, cfg Config) *Generator {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return g
}

func encodeAll(g *Generator, enc Encoding, n int) []byte {
	var out []byte
	var ev Event
	for i := 0; i < n; i++ {
		g.Fill(&ev, uint64(i))
		out = append(enc.Append(out, &ev), '\n')
	}
	return out
}

// TestGolden pins the exact bytes of a fixed seed in both formats, so any
// drift (a gofakeit upgrade, a changed draw order) fails loudly. Regenerate
// with: go test ./generator -run TestGolden -update
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		cfg  Config
		enc  Encoding
	}{
		{"seed42-v4.ndjson", Config{Seed: 42, Outcomes: Mix(0.3)}, Encoding{}},
		{"seed42-v4-webvtt.ndjson", Config{Seed: 42, Outcomes: Mix(0.3)}, Encoding{WebVTT: true, NumericVersion: true}},
		{"seed42-v3.ndjson", Config{Seed: 42, Outcomes: Mix(0.3)}, Encoding{Format: FormatV3}},
		{"seed5-custom.ndjson", Config{Seed: 5, Outcomes: []Outcome{{Weight: 1, Success: &Success{
			Template:    Template{Definition: 10001, Rows: 5, Columns: 4, Width: 160, Height: 128, Interval: 2 * time.Second, Format: "webp"},
			MinDuration: time.Minute, MaxDuration: 10 * time.Minute}}}}, Encoding{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := encodeAll(mustNew(t, tc.cfg), tc.enc, 25)
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s; if the change is intended, rerun with -update\ngot first line:  %.200s\nwant first line: %.200s", path, got, want)
			}
		})
	}
}

func TestDeterministicAcrossConcurrency(t *testing.T) {
	g := mustNew(t, Config{Seed: 7})
	const n = 2000
	want := make([][]byte, n)
	for i := range want {
		ev := g.Event(uint64(i))
		want[i] = Encoding{}.Marshal(&ev)
	}
	// The same generator, filled concurrently in reverse and interleaved order.
	got := make([][]byte, n)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var ev Event
			for i := n - 1 - w; i >= 0; i -= 8 {
				g.Fill(&ev, uint64(i))
				got[i] = Encoding{}.Marshal(&ev)
			}
		}(w)
	}
	wg.Wait()
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("event %d differs under concurrency:\n%s\n%s", i, got[i], want[i])
		}
	}
	// A fresh generator with the same config agrees; another seed does not.
	if ev := mustNew(t, Config{Seed: 7}).Event(1234); !bytes.Equal(Encoding{}.Marshal(&ev), want[1234]) {
		t.Error("a second generator with the same seed gave a different event 1234")
	}
	same := 0
	g8 := mustNew(t, Config{Seed: 8})
	for i := range want {
		ev := g8.Event(uint64(i))
		if bytes.Equal(Encoding{}.Marshal(&ev), want[i]) {
			same++
		}
	}
	if same != 0 {
		t.Errorf("seeds 7 and 8 share %d of %d events", same, n)
	}
}

func TestRandomAccess(t *testing.T) {
	g := mustNew(t, Config{Seed: 3})
	a := g.Event(1_000_000)
	g2 := mustNew(t, Config{Seed: 3})
	for i := uint64(0); i < 10; i++ {
		g2.Event(i)
	}
	b := g2.Event(1_000_000)
	if !bytes.Equal(Encoding{}.Marshal(&a), Encoding{}.Marshal(&b)) {
		t.Error("event 1,000,000 depends on which events were made before it")
	}
	if a.Index != 1_000_000 {
		t.Errorf("Index = %d", a.Index)
	}
}

var (
	taskIDRe = regexp.MustCompile(`^CreateImageSprite-[0-9a-f]{32}$`)
	fileIDRe = regexp.MustCompile(`^[1-9][0-9]{16,19}$`)
)

func TestRealism(t *testing.T) {
	g := mustNew(t, Config{Seed: 11, Outcomes: Mix(0.2)})
	const n = 20000
	tasks := make(map[string]bool, n)
	digits := map[int]int{}
	failures := 0
	var ev Event
	for i := uint64(0); i < n; i++ {
		g.Fill(&ev, i)
		if !taskIDRe.MatchString(ev.TaskID) {
			t.Fatalf("event %d: task id %q", i, ev.TaskID)
		}
		if tasks[ev.TaskID] {
			t.Fatalf("event %d: task id %q repeats", i, ev.TaskID)
		}
		tasks[ev.TaskID] = true
		if !fileIDRe.MatchString(ev.FileID) {
			t.Fatalf("event %d: file id %q", i, ev.FileID)
		}
		digits[len(ev.FileID)]++
		if ev.AppID < 1_000_000_000 || ev.AppID > 9_999_999_999 {
			t.Fatalf("app id %d is not 10 digits", ev.AppID)
		}
		if !ev.Success() {
			failures++
			if _, ok := LookupCode(ev.Status); !ok {
				t.Fatalf("event %d: status %d is not a documented code", i, ev.Status)
			}
			if ev.SpriteURLs != nil || ev.TotalCount != 0 || ev.WebVTTURL != "" {
				t.Fatalf("event %d: failure carries sprite fields", i)
			}
			continue
		}
		tmpl := ev.Template
		if tmpl != PresetTemplate {
			t.Fatalf("event %d: template %+v, want the preset", i, tmpl)
		}
		if ev.Duration < DefaultMinDuration || ev.Duration > DefaultMaxDuration+time.Second {
			t.Fatalf("event %d: duration %v out of range", i, ev.Duration)
		}
		if want := int(ev.Duration/(10*time.Second)) + 1; ev.TotalCount != want {
			t.Fatalf("event %d: totalCount %d for %v, want %d", i, ev.TotalCount, ev.Duration, want)
		}
		if want := (ev.TotalCount + 99) / 100; len(ev.SpriteURLs) != want {
			t.Fatalf("event %d: %d sheets for %d tiles, want %d", i, len(ev.SpriteURLs), ev.TotalCount, want)
		}
		prefix := fmt.Sprintf("http://%d.vod2.myqcloud.com/", ev.AppID)
		for _, u := range append(append([]string{}, ev.SpriteURLs...), ev.WebVTTURL) {
			if !strings.HasPrefix(u, prefix) || !strings.Contains(u, ev.FileID+"/imageSprite/") {
				t.Fatalf("event %d: URL %q does not follow the VOD path pattern", i, u)
			}
		}
		if !strings.HasSuffix(ev.SpriteURLs[0], ".jpg") || !strings.HasSuffix(ev.WebVTTURL, ".vtt") {
			t.Fatalf("event %d: URLs %q / %q", i, ev.SpriteURLs[0], ev.WebVTTURL)
		}
	}
	if share := float64(failures) / n; share < 0.18 || share > 0.22 {
		t.Errorf("failure share %.3f, want about 0.2", share)
	}
	if share := float64(digits[19]) / n; share < 0.7 {
		t.Errorf("19-digit file ids are %.2f of all, want most", share)
	}
	for _, d := range []int{17, 18, 20} {
		if digits[d] == 0 {
			t.Errorf("no %d-digit file ids in %d events", d, n)
		}
	}
}

func TestCustomTemplateSheets(t *testing.T) {
	tmpl := Template{Definition: 10002, Rows: 3, Columns: 4, Width: 0, Height: 200, Interval: 5 * time.Second, Format: "png"}
	g := mustNew(t, Config{Seed: 1, Scheme: "https", Host: "cdn.example.test", Outcomes: []Outcome{
		{Weight: 1, Success: &Success{Template: tmpl, MinDuration: 61 * time.Second, MaxDuration: 61 * time.Second}},
	}})
	ev := g.Event(0)
	// 61 s every 5 s: 13 tiles; 12 a sheet: 2 sheets.
	if ev.TotalCount != 13 || len(ev.SpriteURLs) != 2 {
		t.Fatalf("totalCount %d, %d sheets; want 13 and 2", ev.TotalCount, len(ev.SpriteURLs))
	}
	for _, u := range ev.SpriteURLs {
		if !strings.HasPrefix(u, "https://cdn.example.test/") || !strings.HasSuffix(u, ".png") {
			t.Errorf("URL %q", u)
		}
	}
	var got map[string]any
	if err := json.Unmarshal(Encoding{}.Marshal(&ev), &got); err != nil {
		t.Fatal(err)
	}
	if d := got["data"].(map[string]any)["definition"]; d != float64(10002) {
		t.Errorf("definition %v", d)
	}
}

func TestFailureConfig(t *testing.T) {
	msg := "source broken"
	g := mustNew(t, Config{Seed: 2, FileIDs: []string{"5285890784246869452", "14508071098244929440"}, Outcomes: []Outcome{
		{Weight: 1, Failure: &Failure{Codes: []int{-44001}, Message: &msg}},
	}})
	for i := uint64(0); i < 50; i++ {
		ev := g.Event(i)
		if ev.Status != -44001 || ev.Message != msg {
			t.Fatalf("event %d: status %d message %q", i, ev.Status, ev.Message)
		}
		if want := []string{"5285890784246869452", "14508071098244929440"}[i%2]; ev.FileID != want {
			t.Fatalf("event %d: file id %q, want %q", i, ev.FileID, want)
		}
	}
	// Default messages: some "" as in the seed, some the documented text.
	g = mustNew(t, Config{Seed: 2, Outcomes: []Outcome{{Weight: 1, Failure: &Failure{}}}})
	empty, described := 0, 0
	for i := uint64(0); i < 400; i++ {
		ev := g.Event(i)
		ec, _ := LookupCode(ev.Status)
		switch ev.Message {
		case "":
			empty++
		case ec.Description:
			described++
		default:
			t.Fatalf("event %d: message %q for %d", i, ev.Message, ev.Status)
		}
		if !isSpriteFamily(ec.Family) {
			t.Fatalf("event %d: default failure from family %q", i, ec.Family)
		}
	}
	if empty == 0 || described == 0 {
		t.Errorf("messages: %d empty, %d described; want both", empty, described)
	}
}

func isSpriteFamily(name string) bool {
	for _, f := range Families {
		if f.Name == name {
			return f.Sprite
		}
	}
	return false
}

func TestNewRejects(t *testing.T) {
	neg := -1.0
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no outcomes", Config{Outcomes: []Outcome{}}, "no outcomes"},
		{"negative weight", Config{Outcomes: []Outcome{{Weight: neg}}}, "weight -1"},
		{"zero weights", Config{Outcomes: []Outcome{{Weight: 0}, {Weight: 0, Failure: &Failure{}}}}, "add up to 0"},
		{"both", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{}, Failure: &Failure{}}}}, "both success and failure"},
		{"empty codes", Config{Outcomes: []Outcome{{Weight: 1, Failure: &Failure{Codes: []int{}}}}}, "empty code list"},
		{"code 0", Config{Outcomes: []Outcome{{Weight: 1, Failure: &Failure{Codes: []int{0}}}}}, "code 0"},
		{"low definition", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{Template: Template{Definition: 20, Rows: 1, Columns: 1, Interval: time.Second, Format: "jpg"}}}}}, ">= 10000"},
		{"altered preset", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{Template: Template{Definition: 10, Rows: 2, Columns: 2, Interval: time.Second, Format: "jpg"}}}}}, "fixed preset"},
		{"tile too small", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{Template: Template{Definition: 10000, Rows: 1, Columns: 1, Width: 50, Interval: time.Second, Format: "jpg"}}}}}, "tile size"},
		{"sheet too wide", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{Template: Template{Definition: 10000, Rows: 1, Columns: 10, Width: 2000, Interval: time.Second, Format: "jpg"}}}}}, "exceeds 15000"},
		{"no rows", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{Template: Template{Definition: 10000, Rows: 0, Columns: 3, Interval: time.Second, Format: "jpg"}}}}}, "grid 3x0 (columns x rows)"},
		{"bad format", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{Template: Template{Definition: 10000, Rows: 1, Columns: 1, Interval: time.Second, Format: "gif"}}}}}, "format \"gif\""},
		{"no interval", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{Template: Template{Definition: 10000, Rows: 1, Columns: 1, Format: "jpg"}}}}}, "interval"},
		{"duration range", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{MinDuration: time.Hour, MaxDuration: time.Minute}}}}, "duration range"},
		// VOD samples by whole seconds (SampleInterval is in seconds) and
		// refuses sources over 604800 s (-47104): beyond those limits one
		// event would need gigabytes of sheet URLs.
		{"sub-second interval", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{Template: Template{Definition: 10000, Rows: 1, Columns: 1, Interval: time.Nanosecond, Format: "jpg"}}}}}, "whole number of seconds"},
		{"fractional interval", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{Template: Template{Definition: 10000, Rows: 1, Columns: 1, Interval: 1500 * time.Millisecond, Format: "jpg"}}}}}, "whole number of seconds"},
		{"video over 7 days", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{MinDuration: time.Hour, MaxDuration: 2000000 * time.Hour}}}}, "604800s"},
		{"video minimum over 7 days", Config{Outcomes: []Outcome{{Weight: 1, Success: &Success{MinDuration: 200 * time.Hour}}}}, "604800s"},
		{"file id", Config{FileIDs: []string{"12ab"}}, "file id 0"},
		{"scheme", Config{Scheme: "ftp"}, "scheme"},
		{"code without an ErrCodeExt", Config{Outcomes: []Outcome{{Weight: 1, EventType: "ReviewAudioVideoComplete", Failure: &Failure{Codes: []int{-43001}}}}}, "would read as a success"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v; want an ErrConfig mentioning %q", err, tc.want)
			}
		})
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	for _, enc := range []Encoding{{}, {WebVTT: true}, {NumericVersion: true}, {Format: FormatV3}} {
		g := mustNew(t, Config{Seed: 9, Outcomes: Mix(0.5)})
		for i := uint64(0); i < 200; i++ {
			ev := g.Event(i)
			b := enc.Marshal(&ev)
			got, genc, _, err := Decode(b)
			if err != nil {
				t.Fatalf("%+v event %d: Decode: %v\n%s", enc, i, err, b)
			}
			if wantF := cmpOr(enc.Format, FormatV4); genc.Format != wantF || genc.NumericVersion != enc.NumericVersion {
				t.Fatalf("Decode gave encoding %+v, want %+v", genc, enc)
			}
			if again := genc.Marshal(&got); !bytes.Equal(again, b) {
				t.Fatalf("round trip differs:\n%s\n%s", b, again)
			}
			var std any
			if err := json.Unmarshal(b, &std); err != nil {
				t.Fatalf("encoding/json rejects output: %v", err)
			}
		}
	}
}

func cmpOr(f, def Format) Format {
	if f == "" {
		return def
	}
	return f
}

func TestDecodeHandle(t *testing.T) {
	ev := mustNew(t, Config{}).Event(0)
	b := AppendEventContent(nil, &ev, "handle-1")
	_, enc, h, err := Decode(b)
	if err != nil || h != "handle-1" || enc.Format != FormatV3 {
		t.Fatalf("Decode: handle %q format %q err %v", h, enc.Format, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	ok := `{"version":"4.0","eventType":"CreateImageSpriteComplete","data":{"status":-43001,"message":"","vodTaskId":"CreateImageSprite-1edb7eb88a599d05abe451cfc541cfbd","fileId":"14508071098244929440"}}`
	if _, _, _, err := Decode([]byte(ok)); err != nil {
		t.Fatalf("valid payload rejected: %v", err)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"not json", `hello`, "not a JSON object"},
		{"truncated", ok[:60], "truncated"},
		{"wrong type", strings.Replace(ok, `"status":-43001`, `"status":"-43001"`, 1), "cannot unmarshal string"},
		{"missing field", strings.Replace(ok, `"vodTaskId":"CreateImageSprite-1edb7eb88a599d05abe451cfc541cfbd",`, ``, 1), "data.vodTaskId is missing"},
		{"unknown field", strings.Replace(ok, `"message":""`, `"message":"","extra":1`, 1), "unknown field"},
		{"other event", strings.Replace(ok, `CreateImageSpriteComplete`, `NewFileUpload`, 1), "eventType"},
		{"version", strings.Replace(ok, `"4.0"`, `"3.0"`, 1), "version"},
		{"sprite on failure", strings.Replace(ok, `"message":""`, `"message":"","definition":10`, 1), "carries sprite fields"},
		{"trailing", ok + `{}`, "after the JSON object"},
		{"v3 null type", `{"EventType":null}`, "EventType is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := Decode([]byte(tc.body))
			if err == nil || !errors.Is(err, ErrPayload) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode: %v; want ErrPayload mentioning %q", err, tc.want)
			}
		})
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\back`, "tab\tnl\n\r", "<html>&amp;", "\x01\x1f", "héllo 世界", "bad\xffutf8", "\u2028\u2029"} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestCodes(t *testing.T) {
	if c, ok := LookupCode(-43001); !ok || c.Family != "query" {
		t.Errorf("-43001: %+v %v", c, ok)
	}
	for _, f := range Families {
		if len(FamilyCodes(f.Name)) == 0 {
			t.Errorf("family %q has no codes", f.Name)
		}
	}
	if FamilyCodes("nope") != nil {
		t.Error("unknown family has codes")
	}
	for _, c := range SpriteCodes() {
		ec, _ := LookupCode(c)
		if !isSpriteFamily(ec.Family) {
			t.Errorf("sprite code %d from family %q", c, ec.Family)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"v4": FormatV4, "4.0": FormatV4, "V3": FormatV3, "3.0": FormatV3} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("v5"); err == nil || !strings.Contains(err.Error(), `"v5"`) {
		t.Errorf("ParseFormat(v5) err = %v", err)
	}
}

func TestReplay(t *testing.T) {
	evs := []Event{{TaskID: "a"}, {TaskID: "b", Status: -43001}}
	r := NewReplay(evs)
	var e Event
	for i, want := range []string{"a", "b", "a"} {
		r.Fill(&e, uint64(i))
		if e.TaskID != want || e.Index != uint64(i) {
			t.Fatalf("replay %d: %+v", i, e)
		}
	}
}

// TestReplayOwnURLs: an Event filled from a Replay has SpriteURLs of its
// own: clearing or reusing them (Clear, a Generator's Fill into the same
// Event) leaves the Replay's events as they were.
func TestReplayOwnURLs(t *testing.T) {
	g, _ := New(Config{Seed: 1, Outcomes: Mix(0)})
	ev := g.Event(0)
	want := Encoding{}.Marshal(&ev)
	r := NewReplay([]Event{ev})
	var e Event
	r.Fill(&e, 0)
	e.Clear()
	r.Fill(&e, 1)
	g.Fill(&e, 5)
	r.Fill(&e, 2)
	e.Index = 0
	if got := (Encoding{}).Marshal(&e); !bytes.Equal(got, want) {
		t.Errorf("after Clear and a Generator's Fill, the replayed event is\n%s\nwant\n%s", got, want)
	}
	if r.Fill(&e, 0); len(e.SpriteURLs) > 0 && &e.SpriteURLs[0] == &ev.SpriteURLs[0] {
		t.Error("the filled event's SpriteURLs share the Replay's array")
	}
}

func FuzzDecode(f *testing.F) {
	g, _ := New(Config{Seed: 1, Outcomes: Mix(0.5)})
	for i := uint64(0); i < 4; i++ {
		ev := g.Event(i)
		f.Add(Encoding{}.Marshal(&ev))
		f.Add(Encoding{Format: FormatV3}.Marshal(&ev))
	}
	f.Add([]byte(`{"EventType":null}`))
	f.Add([]byte(`{"version":4,"data":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, enc, _, err := Decode(data)
		if err != nil {
			return
		}
		// Whatever decodes must encode to valid JSON that decodes the same.
		b := enc.Marshal(&ev)
		ev2, _, _, err := Decode(b)
		if err != nil {
			t.Fatalf("re-encoded payload does not decode: %v\n%s", err, b)
		}
		if !bytes.Equal(enc.Marshal(&ev2), b) {
			t.Fatalf("second round trip differs")
		}
	})
}

// TestFailuresReadAsFailures: whatever code a Config may give a type's
// failure, the event decodes as a failure, in each format the type has:
// a code New takes never comes out as a success.
func TestFailuresReadAsFailures(t *testing.T) {
	for _, k := range Kinds {
		if !k.CanFail || k.Name == EventType {
			continue
		}
		for _, code := range []int{40000, 60000, 70000, -43001, -47100, 12345} {
			g, err := New(Config{Seed: 1, Outcomes: []Outcome{{Weight: 1, EventType: k.Name, Failure: &Failure{Codes: []int{code}}}}})
			if err != nil {
				if code >= 40000 { // Codes3: every type that can fail has them
					t.Errorf("%s, code %d: %v", k.Name, code, err)
				}
				continue
			}
			ev := g.Event(0)
			for _, f := range k.Formats() {
				body := Encoding{Format: f}.Marshal(&ev)
				got, _, _, err := Decode(body)
				if err != nil || got.Status == 0 {
					t.Errorf("%s %s, code %d: decodes with status %d (%v):\n%s", k.Name, f, code, got.Status, err, body)
				}
			}
		}
	}
}
