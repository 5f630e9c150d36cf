package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// heldServer holds every request until the client goes away, and counts
// the requests it got.
func heldServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n.Add(1)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// wholeJSONLines checks that every line of the file at path is a whole
// JSON object ending in a newline, and returns how many there are.
func wholeJSONLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("%s ends within a line: ...%q", path, b[max(0, len(b)-60):])
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Errorf("%s line %d is not whole JSON: %v: %q", path, n+1, err, sc.Text())
		}
		n++
	}
	return n
}

// TestSendKilledLeavesWholeFiles: send killed with SIGKILL in the middle
// of a run leaves a journal of whole lines (flushed while it ran) and no
// report at all: not the earlier run's, not half of one.
func TestSendKilledLeavesWholeFiles(t *testing.T) {
	t.Parallel()
	srv, seen := heldServer(t)
	dir := t.TempDir()
	rj, jl := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.ndjson")
	for _, p := range []string{rj, jl} {
		if err := os.WriteFile(p, []byte(`{"from":"an earlier run"}`), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	// Every attempt is held until its 20ms timeout: the journal gets
	// lines as they time out, while the run goes on.
	cmd := exec.Command(vodsimBin, "send", "--target", srv.URL, "--count", "100000", "--rate", "0",
		"--max-inflight", "4", "--timeout", "20ms", "--attempts", "1", "--report-json", rj, "--journal", jl, "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	defer func() { cmd.Process.Kill(); <-done }()
	// Kill once the journal holds some lines and requests are held.
	for i := 0; ; i++ {
		if fi, err := os.Stat(jl); err == nil && fi.Size() > 1000 && seen.Load() > 0 && !strings.Contains(string(must(os.ReadFile(jl))), "earlier run") {
			break
		}
		if i == 3000 {
			t.Fatal("the journal got no lines within 30s")
		}
		select {
		case <-done:
			t.Fatal("send ended before it was killed")
		case <-time.After(10 * time.Millisecond):
		}
	}
	cmd.Process.Kill()
	<-done
	if n := wholeJSONLines(t, jl); n == 0 {
		t.Error("the journal has no line")
	}
	if _, err := os.Stat(rj); !os.IsNotExist(err) {
		b, _ := os.ReadFile(rj)
		t.Errorf("report file after a kill: %v %q; want none (the earlier run's removed)", err, b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".r.json.*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		return nil
	}
	return b
}

// TestSendDrainBoundsTheRun: against a receiver that never answers, with
// a timeout of an hour, --drain ends the run: the events held are counted
// interrupted, those that could not start by the schedule's end not sent.
// The report replaces an earlier one whole.
func TestSendDrainBoundsTheRun(t *testing.T) {
	t.Parallel()
	srv, seen := heldServer(t)
	dir := t.TempDir()
	rj, jl := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.ndjson")
	if err := os.WriteFile(rj, []byte(`{"from":"an earlier run"}`), 0o666); err != nil {
		t.Fatal(err)
	}
	r := runBin(t, "send", "--target", srv.URL, "--count", "10", "--rate", "1000", "--max-inflight", "2",
		"--timeout", "1h", "--drain", "50ms", "--report-json", rj, "--journal", jl, "--quiet")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	rep := readReport(t, rj)
	if rep.Events != 10 || rep.NotSentReasons["schedule ended"] != 8 || rep.InterruptedEvents+rep.NotSentReasons["drain ended"] != 2 {
		t.Errorf("events %d, not sent %v, interrupted %d; want 8 not sent at the schedule's end, 2 cut by the drain",
			rep.Events, rep.NotSentReasons, rep.InterruptedEvents)
	}
	if uint64(seen.Load()) > rep.InterruptedEvents {
		t.Errorf("the receiver got %d events, %d are counted interrupted", seen.Load(), rep.InterruptedEvents)
	}
	if rep.Verdict != "fail" || rep.Interrupted {
		t.Errorf("verdict %q, interrupted %v; want a failed run that was not interrupted", rep.Verdict, rep.Interrupted)
	}
	for _, s := range []string{"8 not sent (schedule ended: 8)", "verdict       FAIL", "FAIL max-failed: 10 of 10 events not acknowledged"} {
		if !bytes.Contains(r.stdout, []byte(s)) {
			t.Errorf("report lacks %q:\n%s", s, r.stdout)
		}
	}
	if n := wholeJSONLines(t, jl); n == 0 {
		t.Error("the journal has no line")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".r.json.*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestSendDrainUsage: --drain takes a duration, 0 (no bound) or more.
func TestSendDrainUsage(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"-1s", "soon"} {
		r := runBin(t, "send", "--count", "1", "--drain", v)
		if r.code != 2 || !bytes.Contains(r.stderr, []byte("--drain")) {
			t.Errorf("--drain %s: exit %d, stderr %q; want 2 naming --drain", v, r.code, r.stderr)
		}
	}
}
