package main

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSendInput: gen's NDJSON piped into send --input - arrives byte for
// byte, in order with one in flight; --count sends the first N.
func TestSendInput(t *testing.T) {
	t.Parallel()
	gen := runBin(t, "gen", "--count", "20", "--seed", "9", "--format", "v3", "--event-type", "all")
	if gen.code != 0 {
		t.Fatalf("gen: exit %d %s", gen.code, gen.stderr)
	}
	rec := &bodyRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	r := runBinStdin(t, gen.stdout, "send", "--input", "-", "--target", srv.URL, "--rate", "0", "--max-inflight", "1", "--quiet")
	if r.code != 0 || !bytes.Contains(r.stdout, []byte("20 acknowledged")) {
		t.Fatalf("send: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := bytes.Split(bytes.TrimSpace(gen.stdout), []byte("\n"))
	got := rec.got()
	if len(got) != len(want) {
		t.Fatalf("receiver got %d bodies, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("body %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}

	// From a file, the first 3 only.
	file := filepath.Join(t.TempDir(), "in.ndjson")
	os.WriteFile(file, gen.stdout, 0o644)
	rec2 := &bodyRecorder{}
	srv2 := httptest.NewServer(rec2)
	defer srv2.Close()
	r = runBin(t, "send", "--input", file, "--count", "3", "--target", srv2.URL, "--rate", "0", "--quiet")
	if r.code != 0 || len(rec2.got()) != 3 {
		t.Errorf("--count 3: exit %d, %d bodies\n%s%s", r.code, len(rec2.got()), r.stdout, r.stderr)
	}
}

// TestSendInputBadInput: a line that is not JSON is named by its line
// number and nothing is sent; flags that choose events do not apply.
func TestSendInputBadInput(t *testing.T) {
	t.Parallel()
	rec := &bodyRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	good := `{"version":"4.0","eventType":"CreateImageSpriteComplete","data":{"status":0}}`
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{good + "\n\n" + good + "\n{not json\n", nil, "stdin:4: not JSON: {not json"},
		{"", nil, "stdin: no payload"},
		{good + "\n", []string{"--event-type", "NewFileUpload"}, "--event-type does not apply with --input"},
		{good + "\n", []string{"--count", "2"}, "--input has 1 payload"},
		{good + "\n", []string{"--scenario", "-"}, "both read standard input"},
	} {
		args := append([]string{"send", "--input", "-", "--target", srv.URL, "--quiet"}, c.args...)
		r := runBinStdin(t, []byte(c.stdin), args...)
		if r.code != 2 || !strings.Contains(string(r.stderr), c.want) {
			t.Errorf("%q %v: exit %d, stderr %q; want 2 and %q", c.stdin, c.args, r.code, r.stderr, c.want)
		}
	}
	if n := len(rec.got()); n != 0 {
		t.Errorf("bad input sent %d requests", n)
	}
}

// TestSendInputFormat: --input takes the payloads' format from the first
// one, 4.0 (eventType) or 3.0 (EventType), by the key's exact case: a
// 4.0 file is sent as 4.0 and refuses --sign-key, which only 3.0 carries;
// a 3.0 file takes it.
func TestSendInputFormat(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		format, want string
		signOK       bool
	}{{"v4", "format v4", false}, {"v3", "format v3", true}} {
		gen := runBin(t, "gen", "--count", "3", "--seed", "2", "--format", c.format)
		if gen.code != 0 {
			t.Fatalf("gen: exit %d %s", gen.code, gen.stderr)
		}
		file := filepath.Join(t.TempDir(), "in.ndjson")
		os.WriteFile(file, gen.stdout, 0o644)
		rec := &bodyRecorder{}
		srv := httptest.NewServer(rec)
		r := runBin(t, "send", "--input", file, "--target", srv.URL, "--rate", "0")
		if r.code != 0 || !strings.Contains(string(r.stdout), c.want) {
			t.Errorf("%s input: exit %d, want %q in\n%s%s", c.format, r.code, c.want, r.stdout, r.stderr)
		}
		r = runBin(t, "send", "--input", file, "--target", srv.URL, "--rate", "0", "--sign-key", "k", "--quiet")
		srv.Close()
		if got := r.code == 0; got != c.signOK {
			t.Errorf("%s input with --sign-key: exit %d, want success %v\n%s%s", c.format, r.code, c.signOK, r.stdout, r.stderr)
		}
	}
}

// TestSendInputIsNotAnOutput: --input naming the file --journal or
// --report-json would write is refused, and the payloads are left as
// they were.
func TestSendInputIsNotAnOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ndjson")
	payload := []byte(`{"version":"4.0","eventType":"CreateImageSpriteComplete","data":{"status":0}}` + "\n")
	if err := os.WriteFile(in, payload, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"--journal", "--report-json"} {
		r := runBin(t, "send", "--input", in, out, filepath.Join(dir, ".", "in.ndjson"), "--rate", "0", "--quiet")
		if r.code != 2 || !bytes.Contains(r.stderr, []byte("--input and "+out+" name the same file")) {
			t.Errorf("send --input F %s F: exit %d, stderr %q; want 2 naming both", out, r.code, r.stderr)
		}
		if b, _ := os.ReadFile(in); !bytes.Equal(b, payload) {
			t.Fatalf("send --input F %s F changed F: %q", out, b)
		}
	}
}

// TestStopWhileReadingStdin: a stop while a command waits for standard
// input that is not closed (a terminal, a pipe held open) ends it as
// interrupted; the signal does not end the process by itself.
func TestStopWhileReadingStdin(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"send", "--input", "-", "--target", "http://127.0.0.1:1/"},
		{"send", "--scenario", "-", "--target", "http://127.0.0.1:1/"},
		{"report", "-"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			pr, pw := io.Pipe()
			defer pw.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- run(ctx, args, stdio{in: pr, out: io.Discard, err: io.Discard}) }()
			// The write returns once the command has read it: it is
			// reading, and waits for more.
			if _, err := pw.Write([]byte("{}\n")); err != nil {
				t.Fatal(err)
			}
			cancel()
			select {
			case err := <-done:
				if code := exitCode(err, io.Discard); code != 130 {
					t.Errorf("exit %d (%v), want 130", code, err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("still reading standard input 30s after the stop")
			}
		})
	}
}
