package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// receiveProc is a 'vodsim receive' left to end by itself.
type receiveProc struct {
	url    string
	stderr *bytes.Buffer
	done   chan struct{}
	cmd    *exec.Cmd
}

func startReceiveProc(t *testing.T, args ...string) *receiveProc {
	t.Helper()
	cmd := exec.Command(vodsimBin, append([]string{"receive", "--listen", "127.0.0.1:0"}, args...)...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &receiveProc{stderr: &bytes.Buffer{}, done: make(chan struct{}), cmd: cmd}
	br := bufio.NewReader(pipe)
	line, err := br.ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no listening line: %v", err)
	}
	p.url = regexp.MustCompile(`http://\S+/`).FindString(line)
	go func() {
		p.stderr.ReadFrom(br)
		cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for the receiver to end by itself and returns its exit code
// and stderr.
func (p *receiveProc) wait(t *testing.T) (int, string) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatal("receive did not end by itself within 60s")
	}
	return p.cmd.ProcessState.ExitCode(), p.stderr.String()
}

func (p *receiveProc) post(t *testing.T, body string) int {
	t.Helper()
	resp, err := http.Post(p.url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func twoEvents(t *testing.T) []string {
	r := runBin(t, "gen", "--count", "2", "--seed", "3")
	lines := strings.Split(strings.TrimSpace(string(r.stdout)), "\n")
	if len(lines) != 2 {
		t.Fatalf("gen: %q", r.stdout)
	}
	return lines
}

func readSummary(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("summary %s: %v", b, err)
	}
	return m
}

func TestReceiveCountAndSummary(t *testing.T) {
	t.Parallel()
	ev := twoEvents(t)
	path := filepath.Join(t.TempDir(), "summary.json")
	p := startReceiveProc(t, "--count", "2", "--timeout", "60s", "--summary-json", path)
	for _, b := range []string{ev[0], ev[0], "{", ev[1]} {
		p.post(t, b)
	}
	code, stderr := p.wait(t)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	m := readSummary(t, path)
	types, _ := m["eventTypes"].(map[string]any)
	if m["distinct"] != 2.0 || m["duplicates"] != 1.0 || m["malformed"] != 1.0 || m["count"] != 2.0 || m["timedOut"] != false ||
		types["CreateImageSpriteComplete"] != 3.0 || types[""] != 1.0 {
		t.Errorf("summary = %v", m)
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp"))
	if len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

func TestReceiveTimeout(t *testing.T) {
	t.Parallel()
	ev := twoEvents(t)
	path := filepath.Join(t.TempDir(), "summary.json")
	p := startReceiveProc(t, "--count", "5", "--timeout", "1s", "--summary-json", path)
	p.post(t, ev[0])
	code, stderr := p.wait(t)
	if code != 1 || !strings.Contains(stderr, "--timeout 1s: 1 of 5 distinct events arrived") {
		t.Errorf("exit %d, stderr %q; want 1 and the shortfall", code, stderr)
	}
	if m := readSummary(t, path); m["timedOut"] != true || m["distinct"] != 1.0 {
		t.Errorf("summary = %v", m)
	}
}

// TestReceiveSummaryOfAnEarlierRunGoes: the summary of an earlier run is
// removed once the receiver listens, so a receiver killed before it wrote
// its own leaves no file that a CI step would read as this run's.
func TestReceiveSummaryOfAnEarlierRunGoes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	if err := os.WriteFile(path, []byte(`{"distinct": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startBin(t, dir, "receive", "--listen", "127.0.0.1:0", "--summary-json", path)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the earlier summary is still there while receive runs (%v)", err)
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("exit %d after Ctrl-C\n%s", code, s.stderr())
	}
	if m := readSummary(t, path); m["distinct"] != 0.0 {
		t.Errorf("summary = %v", m)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left beside the summary: %v", entries)
	}
}

// TestReceiveZeroMeansNoLimit: --count 0 and --timeout 0 are what
// leaving them out is, as --help says: the receiver runs until stopped.
func TestReceiveZeroMeansNoLimit(t *testing.T) {
	t.Parallel()
	s := startBin(t, t.TempDir(), "receive", "--listen", "127.0.0.1:0", "--count", "0", "--timeout", "0")
	if code := s.stop(t); code != 0 {
		t.Errorf("receive --count 0 --timeout 0: exit %d after Ctrl-C, want 0\n%s", code, s.stderr())
	}
}

func TestReceiveStrict(t *testing.T) {
	t.Parallel()
	ev := twoEvents(t)
	p := startReceiveProc(t, "--count", "1", "--strict")
	p.post(t, `{"version":"4.0"}`)
	p.post(t, ev[0])
	code, stderr := p.wait(t)
	if code != 1 || !strings.Contains(stderr, "--strict: 1 malformed") {
		t.Errorf("exit %d, stderr %q; want 1 naming the malformed payload", code, stderr)
	}
}

func TestReceiveStatusShare(t *testing.T) {
	t.Parallel()
	ev := twoEvents(t)
	p := startReceiveProc(t, "--status", "503:50%", "--count", "2")
	var got []int
	for _, b := range []string{ev[0], ev[0], ev[0], ev[1]} {
		got = append(got, p.post(t, b))
	}
	if want := []int{200, 503, 200, 503}; !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if code, stderr := p.wait(t); code != 0 {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReceiveDelay: an answer held for an hour is not there when the
// client gives up, and the receiver still stops at once when told.
func TestReceiveDelay(t *testing.T) {
	t.Parallel()
	ev := twoEvents(t)
	url, _, stop := startReceive(t, "--delay", "1h")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(ev[0]))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("answered %d despite --delay 1h", resp.StatusCode)
	}
	if rest, code := stop(); code != 0 || !strings.Contains(rest, "1 request,") {
		t.Errorf("exit %d, stderr %q", code, rest)
	}
	url, _, stop = startReceive(t, "--delay", "1ms..3ms", "--status", "202")
	resp, err := http.Post(url, "application/json", strings.NewReader(ev[0]))
	if err != nil || resp.StatusCode != 202 {
		t.Fatalf("POST: %v %v", resp, err)
	}
	resp.Body.Close()
	stop()
}

func TestReceiveDoubleBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--status", "99"}, "--status"},
		// A 1xx is an interim answer: the client would get 200 after it.
		{[]string{"--status", "100"}, "interim (1xx) status"},
		{[]string{"--status", "103:50%"}, "interim (1xx) status"},
		{[]string{"--status", "101"}, "interim (1xx) status"},
		{[]string{"--status", "500:0%"}, "share"},
		{[]string{"--status", "500:150%"}, "share"},
		{[]string{"--status", "500:x"}, "share"},
		{[]string{"--status", "200:10%"}, "the others are answered 200 too"},
		{[]string{"--delay", "abc"}, "--delay"},
		{[]string{"--delay", "2s..1s"}, "LO <= HI"},
		{[]string{"--count", "-1"}, "--count -1"},
		{[]string{"--timeout", "-1s"}, `--timeout -1s: "-1s" is negative`},
		{[]string{"--summary-json", filepath.Join(dir, "no", "such", "s.json")}, "--summary-json"},
		{[]string{"--summary-json", dir}, "is a directory"},
	} {
		r := runBin(t, append([]string{"receive", "--listen", "127.0.0.1:0"}, c.args...)...)
		if r.code != 2 || !bytes.Contains(r.stderr, []byte(c.want)) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("bad input left files: %v", entries)
	}
}
