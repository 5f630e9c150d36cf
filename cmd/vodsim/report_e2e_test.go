package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/receiver"
)

// runBinIn runs the built binary with stdin.
func runBinIn(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, vodsimBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(stdin), &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.Bytes(), errb.Bytes(), code}
}

func TestReportMergesShards(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := httptest.NewServer(&receiver.Receiver{})
	defer srv.Close()
	var stdout []byte // the shards' JSON printed on stdout, one after another
	for k := range 3 {
		p := func(s string) string { return filepath.Join(dir, fmt.Sprintf(s, k)) }
		r := runBin(t, "send", "--target", srv.URL, "--count", "300", "--rate", "600", "--duplicate", "0.1", "--seed", "3",
			"--shard", fmt.Sprintf("%d/3", k), "--report-json", p("r%d.json"), "--journal", p("j%d.ndjson"))
		if r.code != 0 {
			t.Fatalf("shard %d: exit %d\n%s%s", k, r.code, r.stdout, r.stderr)
		}
		r = runBin(t, "send", "--target", srv.URL, "--count", "30", "--rate", "0", "--seed", "3", "--shard", fmt.Sprintf("%d/3", k), "--report-json", "-")
		if r.code != 0 || !json.Valid(r.stdout) {
			t.Fatalf("shard %d with --report-json -: exit %d, stdout not JSON\n%s%s", k, r.code, r.stdout, r.stderr)
		}
		stdout = append(stdout, r.stdout...)
	}
	rs := []string{filepath.Join(dir, "r0.json"), filepath.Join(dir, "r1.json"), filepath.Join(dir, "r2.json")}

	r := runBin(t, append([]string{"report"}, rs...)...)
	if r.code != 0 {
		t.Fatalf("report: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, s := range []string{"vodsim report: 3 reports merged", "shard 0-2/3: 300 events", "300 acknowledged, 0 other status", "verdict       PASS"} {
		if !strings.Contains(string(r.stdout), s) {
			t.Errorf("merged report lacks %q:\n%s", s, r.stdout)
		}
	}

	r = runBin(t, append([]string{"report", "--json"}, rs...)...)
	var m sender.Report
	if err := json.Unmarshal(r.stdout, &m); err != nil || r.code != 0 {
		t.Fatalf("report --json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	dups := uint64(0)
	for _, f := range rs {
		dups += readReport(t, f).Duplicates
	}
	if m.Events != 300 || m.Acknowledged != 300 || m.Duplicates != dups || m.Histograms == nil || m.Latency.Count != 300 || m.Verdict != "pass" {
		t.Errorf("merged JSON: %d events, %d acknowledged, %d duplicates (want %d), latency %+v, verdict %q", m.Events, m.Acknowledged, m.Duplicates, dups, m.Latency, m.Verdict)
	}

	// Journals, by flag and by content.
	r = runBin(t, "report", "--journal", filepath.Join(dir, "j0.ndjson"), "--journal", filepath.Join(dir, "j1.ndjson"), filepath.Join(dir, "j2.ndjson"))
	if r.code != 0 || !strings.Contains(string(r.stdout), "shard 0-2/3: 300 events") || !strings.Contains(string(r.stdout), fmt.Sprintf("%d duplicates sent", dups)) {
		t.Errorf("report of journals: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The reports printed on stdout, gathered as kubectl logs does.
	r = runBinIn(t, stdout, "report", "-")
	if r.code != 0 || !strings.Contains(string(r.stdout), "3 reports merged") || !strings.Contains(string(r.stdout), "shard 0-2/3: 30 events") {
		t.Errorf("report - : exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Exit 1: a shard missing, a threshold breached.
	r = runBin(t, "report", rs[0], rs[2])
	if r.code != 1 || !strings.Contains(string(r.stdout), "FAIL shards: 1 of 3 shards missing: 1") {
		t.Errorf("two of three shards: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runBin(t, append([]string{"report", "--max-p99", "1us", "--max-failed", "0"}, rs...)...)
	if r.code != 1 || !strings.Contains(string(r.stderr), "max-p99: latency p99") {
		t.Errorf("--max-p99 1us: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Exit 2: bad input.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"hello": 1}`), 0o666)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{rs[0], rs[0]}, "shard 0/3 is in two reports"},
		{[]string{bad}, "bad.json: report 1: a JSON object, but not a vodsim send report"},
		{[]string{filepath.Join(dir, "nope.json")}, "no such file"},
		{nil, "name at least one report or journal FILE"},
		{[]string{"--journal", rs[0]}, "r0.json: line 1:"},
	} {
		r := runBin(t, append([]string{"report"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(string(r.stderr), tc.msg) {
			t.Errorf("report %q: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.msg)
		}
	}
}
