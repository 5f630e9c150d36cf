package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/receiver"
)

// journalTaskIDs reads the task ids of a journal's first attempts (not
// duplicates), and checks every line names shard.
func journalTaskIDs(t *testing.T, path, shard string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l struct {
			TaskID    string `json:"taskId"`
			Attempt   int    `json:"attempt"`
			Duplicate bool   `json:"duplicate"`
			Shard     string `json:"shard"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if l.Shard != shard {
			t.Errorf("%s: line %s names shard %q, want %q", path, sc.Text(), l.Shard, shard)
		}
		if l.Attempt == 1 && !l.Duplicate {
			ids = append(ids, l.TaskID)
		}
	}
	return ids
}

// TestSendShardsDeliverTheWholeRun: 3 shards of a run with faults send the
// same task ids as the whole run, none twice, and name their shard.
func TestSendShardsDeliverTheWholeRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"--count", "300", "--rate", "600", "--seed", "9", "--duplicate", "0.05", "--reorder", "0.05", "--quiet"}
	rcv := &receiver.Receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	whole := filepath.Join(dir, "whole.ndjson")
	if r := runBin(t, append([]string{"send", "--target", srv.URL, "--journal", whole}, args...)...); r.code != 0 {
		t.Fatalf("whole run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := journalTaskIDs(t, whole, "")
	sort.Strings(want)

	var got []string
	for k := 0; k < 3; k++ {
		sh := fmt.Sprintf("%d/3", k)
		jl, rj := filepath.Join(dir, fmt.Sprintf("j%d", k)), filepath.Join(dir, fmt.Sprintf("r%d.json", k))
		r := runBin(t, append([]string{"send", "--target", srv.URL, "--shard", sh, "--journal", jl, "--report-json", rj}, args...)...)
		if r.code != 0 {
			t.Fatalf("shard %s: exit %d\n%s%s", sh, r.code, r.stdout, r.stderr)
		}
		if !bytes.Contains(r.stdout, []byte("vodsim send shard "+sh+": 100 events")) {
			t.Errorf("shard %s: the report does not name the shard and its 100 events:\n%s", sh, r.stdout)
		}
		if rep := readReport(t, rj); rep.Shard != sh || rep.Events != 100 {
			t.Errorf("shard %s: JSON report names shard %q with %d events", sh, rep.Shard, rep.Events)
		}
		got = append(got, journalTaskIDs(t, jl, sh)...)
	}
	sort.Strings(got)
	if len(want) != 300 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("the shards sent %d task ids, the whole run %d; they differ", len(got), len(want))
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Errorf("task id %s sent by two shards", got[i])
		}
	}
}

func TestSendShardAndStartAtErrors(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--shard", "3/3"}, "--shard: shard 3/3: K must be 0 to 2"},
		{[]string{"--shard", "/4"}, "--shard: \"/4\" is not K/N"},
		{[]string{"--shard", "0/0"}, "N must be 1 to"},
		{[]string{"--start-at", "tomorrow"}, "--start-at \"tomorrow\": not an RFC 3339 time"},
		{[]string{"--start-at", now.Add(48 * time.Hour).Format(time.RFC3339)}, "ahead: at most 24h0m0s"},
		{[]string{"--start-at", now.Add(-time.Hour).Format(time.RFC3339)}, "past: at most 1m0s"},
	} {
		r := runBin(t, append([]string{"send", "--count", "1"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(string(r.stderr), tc.msg) {
			t.Errorf("send %q: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.msg)
		}
	}
	// The run starts no earlier than --start-at.
	at := time.Now().Add(1500 * time.Millisecond).UTC()
	rj := filepath.Join(t.TempDir(), "r.json")
	if r := runBin(t, "send", "--count", "1", "--start-at", at.Format(time.RFC3339Nano), "--report-json", rj); r.code != 0 {
		t.Fatalf("--start-at: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if rep := readReport(t, rj); rep.Start.Before(at) {
		t.Errorf("--start-at %s: the run started at %s", at, rep.Start)
	}
	// A time just past starts at once.
	r := runBin(t, "send", "--count", "2", "--shard", "1/2", "--start-at", now.Add(-time.Second).Format(time.RFC3339Nano))
	if r.code != 0 || !bytes.Contains(r.stdout, []byte("shard 1/2: 1 event ")) {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
