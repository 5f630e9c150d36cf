package receiver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/fixtures"
	"github.com/vodsim/vodsim/generator"
)

func TestCheckPayload(t *testing.T) {
	g, _ := generator.New(generator.Config{Seed: 1})
	e := g.Event(0)
	v3 := generator.Encoding{Format: generator.FormatV3}
	now := time.Unix(1_800_000_000, 0)
	signed := generator.AppendSignature(v3.Marshal(&e), "key1", now.Unix()+600)
	tests := []struct {
		name      string
		body      []byte
		key       string
		signed    bool
		err       error // nil for well-formed
		errSubstr string
	}{
		{"4.0", (generator.Encoding{}).Marshal(&e), "", false, nil, ""},
		{"3.0", v3.Marshal(&e), "", false, nil, ""},
		{"3.0 signed, key checked", signed, "key1", true, nil, ""},
		{"3.0 signed, key not checked", signed, "", true, nil, ""},
		{"3.0 unsigned, key expected", v3.Marshal(&e), "key1", false, ErrSignature, "unsigned"},
		{"4.0 with a key: 4.0 carries no signature", (generator.Encoding{}).Marshal(&e), "key1", false, nil, ""},
		{"3.0 signed, wrong key", signed, "key2", true, ErrSignature, "md5"},
		{"3.0 signed, expired", generator.AppendSignature(v3.Marshal(&e), "key1", now.Unix()-1), "key1", true, ErrSignature, "expired"},
		{"4.0 with a signature", generator.AppendSignature((generator.Encoding{}).Marshal(&e), "k", now.Unix()), "", true, generator.ErrPayload, "4.0"},
		{"truncated", signed[:40], "", false, generator.ErrPayload, ""},
		{"not JSON", []byte("eventType=x"), "", false, generator.ErrPayload, ""},
		{"bad T", []byte(`{"T":"x","Sign":"y"}`), "", true, generator.ErrPayload, "T"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := CheckPayload(tc.body, tc.key, now)
			if p.Signed != tc.signed {
				t.Errorf("signed = %v, want %v", p.Signed, tc.signed)
			}
			switch {
			case tc.err == nil && p.Err != nil:
				t.Fatalf("error %v, want well-formed", p.Err)
			case tc.err != nil && !errors.Is(p.Err, tc.err):
				t.Fatalf("error %v, want %v", p.Err, tc.err)
			case tc.err != nil && !strings.Contains(p.Err.Error(), tc.errSubstr):
				t.Errorf("error %q does not mention %q", p.Err, tc.errSubstr)
			}
			if tc.err == nil && p.Event.TaskID != e.TaskID {
				t.Errorf("task id %q, want %q", p.Event.TaskID, e.TaskID)
			}
		})
	}
}

func TestReceiverFixturesAndLog(t *testing.T) {
	var log bytes.Buffer
	rc := &Receiver{Log: &log, NDJSON: true}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	post := func(body string) int {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		if resp.StatusCode == 200 && b.String() != "{}" {
			t.Errorf("answer %q, want {}", b.String())
		}
		return resp.StatusCode
	}
	for _, f := range []string{"seed-success.json", "seed-failure.json"} {
		b, err := fixtures.Read(f)
		if err != nil {
			t.Fatal(err)
		}
		post(string(b))
	}
	post(`{"version":"4.0"`)
	if code := post(string(must(fixtures.Read("seed-success.json")))); code != 200 {
		t.Errorf("status %d", code)
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET answered %d, want 405", resp.StatusCode)
	}
	st := rc.Stats()
	// The seed's two examples share one task id: the second is a duplicate.
	want(t, "requests", st.Requests, 5)
	want(t, "well-formed", st.WellFormed, 3)
	want(t, "malformed", st.Malformed, 1)
	want(t, "distinct", st.Distinct, 1)
	want(t, "duplicates", st.Duplicates, 2)
	if lines := strings.Count(log.String(), "\n"); lines != 4 {
		t.Errorf("%d log lines, want one per POST (4):\n%s", lines, log.String())
	}
	if !strings.Contains(log.String(), `"wellFormed":false`) || !strings.Contains(log.String(), `"duplicate":true`) {
		t.Errorf("log lacks the malformed or duplicate mark:\n%s", log.String())
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzCheckPayload: any body is either well-formed or an error wrapping
// ErrPayload or ErrSignature; nothing panics.
func FuzzCheckPayload(f *testing.F) {
	g, _ := generator.New(generator.Config{Seed: 2})
	e := g.Event(3)
	f.Add((generator.Encoding{}).Marshal(&e))
	f.Add(generator.AppendSignature((generator.Encoding{Format: generator.FormatV3}).Marshal(&e), "k", 1))
	f.Add([]byte(`{"T":1,"Sign":"x","EventType":"CreateImageSpriteComplete"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p := CheckPayload(body, "k", time.Unix(0, 0))
		if p.Err != nil && !errors.Is(p.Err, generator.ErrPayload) && !errors.Is(p.Err, ErrSignature) {
			t.Fatalf("error %v wraps neither ErrPayload nor ErrSignature", p.Err)
		}
	})
}

// TestReceiverWindowEvicts: the receiver remembers the last Window
// distinct task ids; one that comes back after it was forgotten counts as
// new, one still remembered as a duplicate.
func TestReceiverWindowEvicts(t *testing.T) {
	rc := &Receiver{Window: 2}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	g, err := generator.New(generator.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	post := func(i uint64) {
		t.Helper()
		e := g.Event(i)
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader((generator.Encoding{}).Marshal(&e)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// a, b, a (duplicate), c (a forgotten), a (new again, b forgotten),
	// c (duplicate), b (new again).
	for _, i := range []uint64{0, 1, 0, 2, 0, 2, 1} {
		post(i)
	}
	st := rc.Stats()
	want(t, "requests", st.Requests, 7)
	want(t, "distinct", st.Distinct, 5)
	want(t, "duplicates", st.Duplicates, 2)
}

// TestReceiverWindowBoundsMemory: however many distinct task ids come,
// the receiver holds at most Window of them, and its heap stops growing
// once the window is full.
func TestReceiverWindowBoundsMemory(t *testing.T) {
	const window = 1 << 16
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	rc := &Receiver{Window: window}
	h0 := heap()
	var k uint64
	feed := func(n int) {
		for range n {
			k++
			if rc.remember(k * 0x9e3779b97f4a7c15) {
				t.Fatalf("key %d reported as seen", k)
			}
		}
	}
	feed(window)
	full := heap()
	feed(8 * window)
	after := heap()
	if len(rc.seen) != window || len(rc.ring) != window || cap(rc.ring) > 2*window {
		t.Fatalf("holds %d keys in the map, %d in the ring (cap %d); want %d", len(rc.seen), len(rc.ring), cap(rc.ring), window)
	}
	// The last window's keys are remembered, the ones before forgotten.
	if !rc.remember(k*0x9e3779b97f4a7c15) || rc.remember((k-window)*0x9e3779b97f4a7c15) {
		t.Error("the window does not hold exactly the last keys")
	}
	used, grown := int64(full)-int64(h0), int64(after)-int64(full)
	t.Logf("heap: %d bytes at the full window, %+d after 8 windows more", used, grown)
	// Unbounded, 8 windows more would add some 8 times what the first took.
	if grown > used+1<<20 {
		t.Errorf("heap grew by %d bytes after the window was full (%d bytes to fill it): not bounded", grown, used)
	}
	runtime.KeepAlive(rc)
}

// BenchmarkReceiverWindow feeds distinct task ids, 4 windows' worth per
// run, to a receiver with the default window, and reports the heap it
// holds at the end (bytes per remembered id and in all).
func BenchmarkReceiverWindow(b *testing.B) {
	var heap uint64
	for range b.N {
		rc := &Receiver{}
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		for k := uint64(1); k <= 4*DefaultWindow; k++ {
			rc.remember(k * 0x9e3779b97f4a7c15)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		heap += m1.HeapAlloc - m0.HeapAlloc
		runtime.KeepAlive(rc)
	}
	b.ReportMetric(float64(heap)/float64(b.N)/(1<<20), "heap-MB")
	b.ReportMetric(float64(heap)/float64(b.N)/DefaultWindow, "bytes/id")
}

// TestReceiverBadSignLog: with a key, a 3.0 payload unsigned or signed with
// another key is logged BAD SIGN (not MALFORMED) and counted.
func TestReceiverBadSignLog(t *testing.T) {
	g, _ := generator.New(generator.Config{Seed: 3})
	v3 := generator.Encoding{Format: generator.FormatV3}
	exp := time.Now().Add(time.Hour).Unix()
	bodies := [][]byte{}
	for i, key := range []string{"abc123", "", "other"} {
		e := g.Event(uint64(i))
		b := v3.Marshal(&e)
		if key != "" {
			b = generator.AppendSignature(b, key, exp)
		}
		bodies = append(bodies, b)
	}
	for _, ndjson := range []bool{false, true} {
		var log bytes.Buffer
		rc := &Receiver{SignKey: "abc123", Log: &log, NDJSON: ndjson}
		for _, b := range bodies {
			rc.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b)))
		}
		st := rc.Stats()
		want(t, "bad signatures", st.BadSignature, 2)
		want(t, "well-formed", st.WellFormed, 1)
		want(t, "malformed", st.Malformed, 0)
		lines := strings.Split(strings.TrimSpace(log.String()), "\n")
		if len(lines) != 3 {
			t.Fatalf("ndjson=%v: %d lines, want 3:\n%s", ndjson, len(lines), log.String())
		}
		mark := "BAD SIGN"
		if ndjson {
			mark = `"badSign":true`
		}
		for i, l := range lines {
			if bad := i > 0; strings.Contains(l, mark) != bad || strings.Contains(l, "MALFORMED") {
				t.Errorf("ndjson=%v: line %d %q: want %q marked %v, never MALFORMED", ndjson, i, l, mark, bad)
			}
		}
	}
}

func TestReceiverCountsByType(t *testing.T) {
	var rc Receiver
	srv := httptest.NewServer(&rc)
	defer srv.Close()
	g, err := generator.New(generator.Config{Seed: 4, Outcomes: generator.TypeMix(generator.Kinds, 0.1)})
	if err != nil {
		t.Fatal(err)
	}
	sprites, err := generator.New(generator.Config{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{}
	for i := uint64(0); i < 230; i++ {
		e := g.Event(i)
		if i >= 200 {
			e = sprites.Event(i) // the sprite's type, counted apart
		}
		want[e.TypeName()]++
		body := generator.Encoding{Format: generator.FormatV3}.Marshal(&e)
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/json" || string(answer) != "{}" {
			t.Fatalf("answer %d %q %q, want 200 application/json {}", resp.StatusCode, ct, answer)
		}
	}
	st := rc.Stats()
	if st.Malformed != 0 || st.WellFormed != 230 || st.Distinct != 230 {
		t.Fatalf("stats %+v: want 230 well-formed distinct events", st)
	}
	if want[generator.EventType] < 30 || len(st.ByType) != len(want) {
		t.Errorf("ByType %v, want %v", st.ByType, want)
	}
	for k, n := range want {
		if st.ByType[k] != n {
			t.Errorf("ByType[%s] = %d, want %d", k, st.ByType[k], n)
		}
	}
}

func want(t *testing.T, what string, got, want uint64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", what, got, want)
	}
}

func TestReceiverServerLimits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rc := &Receiver{MaxConns: 7}
	hs, lln := rc.NewServer(ln)
	if hs.ReadHeaderTimeout != ReadHeaderTimeout || hs.ReadTimeout != ReadTimeout || hs.IdleTimeout != IdleTimeout || hs.ConnState == nil {
		t.Errorf("server limits: %+v", hs)
	}
	if lln == ln {
		t.Error("the listener is not capped")
	}
}

func TestStatsAdd(t *testing.T) {
	s := Stats{Requests: 1, Distinct: 1, ByType: map[string]uint64{"A": 1}}
	s.Add(Stats{Requests: 2, Malformed: 1, Distinct: 1, ByType: map[string]uint64{"A": 1, "B": 2}, FirstError: "bad"})
	s.Add(Stats{FirstError: "later"})
	if s.Requests != 3 || s.Malformed != 1 || s.Distinct != 2 || s.ByType["A"] != 2 || s.ByType["B"] != 2 || s.FirstError != "bad" {
		t.Errorf("sum %+v", s)
	}
}

// TestReceiverLogNamesType: the line per request of another type of the
// catalog names the type and says success or the failure's status, with
// no sprite tiles or sheets; a sprite event's line counts them; NDJSON
// lines carry eventType.
func TestReceiverLogNamesType(t *testing.T) {
	ok, fail := generator.Outcome{Weight: 1, EventType: "TranscodeComplete", Success: &generator.Success{}},
		generator.Outcome{Weight: 1, EventType: "TranscodeComplete", Failure: &generator.Failure{}}
	events := func(seed int64, outs ...generator.Outcome) []generator.Event {
		g, err := generator.New(generator.Config{Seed: seed, Outcomes: outs})
		if err != nil {
			t.Fatal(err)
		}
		return []generator.Event{g.Event(0)}
	}
	sprite := events(1, generator.Mix(0)...)[0]
	cases := []struct {
		e        generator.Event
		text     string
		notText  string
		jsonType string
	}{
		{events(2, ok)[0], " v3 TranscodeComplete Transcode-", "tiles", `"eventType":"TranscodeComplete"`},
		{events(3, fail)[0], " failed, status ", "tiles", `"eventType":"TranscodeComplete"`},
		{sprite, fmt.Sprintf(" success, %d tiles in %d sheet", sprite.TotalCount, len(sprite.SpriteURLs)), "CreateImageSpriteComplete", `"eventType":"CreateImageSpriteComplete"`},
		// No task id in this type: the line still says what came.
		{events(4, generator.Outcome{Weight: 1, EventType: "FileDeleted", Success: &generator.Success{}})[0],
			"ok         v3 FileDeleted file ", "  file", `"eventType":"FileDeleted"`},
	}
	for _, c := range cases {
		body := generator.Encoding{Format: generator.FormatV3}.Marshal(&c.e)
		for _, ndjson := range []bool{false, true} {
			var log bytes.Buffer
			rc := &Receiver{Log: &log, NDJSON: ndjson}
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			rc.ServeHTTP(httptest.NewRecorder(), req)
			line := log.String()
			switch {
			case ndjson && !strings.Contains(line, c.jsonType):
				t.Errorf("NDJSON line %q lacks %s", line, c.jsonType)
			case ndjson && strings.Contains(line, `"sheets"`) != (c.e.Kind == nil):
				t.Errorf("NDJSON line %q: sheets are a sprite event's only", line)
			case !ndjson && (!strings.Contains(line, c.text) || strings.Contains(line, c.notText)):
				t.Errorf("line %q: want %q in it and not %q", line, c.text, c.notText)
			}
		}
	}
}
