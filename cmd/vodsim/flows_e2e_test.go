package main

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"

	"github.com/vodsim/vodsim/sender/pullevent"
)

const flowsYAML = `format: v3
flows:
  - weight: 3
    steps:
      - NewFileUpload
      - {eventType: ProcedureStateChanged, after: 20s..90s, changes: 2}
      - {eventType: FileDeleted, after: 1m..3m}
  - steps: [PullComplete, {eventType: ProcedureStateChanged, after: 10s..1m}]
`

// flowKey is an event's type and file id (FileIdSet[0] for FileDeleted).
func flowKey(t *testing.T, raw []byte) (typ, file string) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	json.Unmarshal(m["EventType"], &typ)
	for k, v := range m {
		var member struct {
			FileId    string
			FileIdSet []string
		}
		if k == "EventType" || k == "EventHandle" || json.Unmarshal(v, &member) != nil {
			continue
		}
		if member.FileId != "" {
			return typ, member.FileId
		}
		if len(member.FileIdSet) > 0 {
			return typ, member.FileIdSet[0]
		}
	}
	t.Fatalf("no file id in %s", raw)
	return
}

// TestFlowsGenAndServe: a scenario's flows give each file's events in its
// flow's order, files interleaved; serve queues them in the same order.
func TestFlowsGenAndServe(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "flows.yaml")
	if err := os.WriteFile(file, []byte(flowsYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runBin(t, "gen", "--scenario", file, "--seed", "5", "--count", "300")
	if r.code != 0 {
		t.Fatalf("gen exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(r.stdout)), "\n")
	if len(lines) != 300 {
		t.Fatalf("%d lines", len(lines))
	}
	order := map[string]int{"NewFileUpload": 0, "PullComplete": 0, "ProcedureStateChanged": 1, "FileDeleted": 2}
	last := map[string]int{}
	var seq []string
	firstAt := map[string]int{}
	interleaved := false
	for _, l := range lines {
		typ, f := flowKey(t, []byte(l))
		seq = append(seq, typ+" "+f)
		step := order[typ]
		if p, ok := last[f]; ok && step < p {
			t.Errorf("file %s: %s after a later step", f, typ)
		} else if !ok && step != 0 && len(seq) > 100 {
			t.Errorf("file %s starts with %s", f, typ)
		}
		last[f] = step
		if at, ok := firstAt[f]; !ok {
			firstAt[f] = len(seq) - 1
		} else if at < len(seq)-2 {
			interleaved = true // another file's event came between
		}
	}
	if !interleaved {
		t.Error("no two files' events interleave")
	}
	done := 0
	for _, s := range last {
		if s == 2 {
			done++
		}
	}
	if done == 0 || len(last) < 20 {
		t.Errorf("%d files, %d of them deleted: want files gone through the whole flow", len(last), done)
	}

	p := startServe(t, "--scenario", file, "--seed", "5", "--fill", "60")
	c := sdk(p.addr, pullevent.DefaultSecretKey)
	var got []string
	for len(got) < 60 {
		resp := tchttp.NewCommonResponse()
		if err := c.Send(tchttp.NewCommonRequest("vod", "2018-07-17", "PullEvents"), resp); err != nil {
			t.Fatalf("PullEvents: %v", err)
		}
		var pr struct {
			Response struct{ EventSet []json.RawMessage }
		}
		if err := json.Unmarshal(resp.GetBody(), &pr); err != nil {
			t.Fatal(err)
		}
		if len(pr.Response.EventSet) == 0 {
			t.Fatalf("pulled %d of 60, then none", len(got))
		}
		for _, e := range pr.Response.EventSet {
			typ, f := flowKey(t, e)
			got = append(got, typ+" "+f)
		}
	}
	if strings.Join(got, "\n") != strings.Join(seq[:60], "\n") {
		t.Errorf("serve's order differs from gen's:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(seq[:60], "\n"))
	}
	p.stop(t)

	if r := runBin(t, "gen", "--scenario", file, "--event-type", "NewFileUpload"); r.code != 2 || !strings.Contains(string(r.stderr), "--event-type does not apply") {
		t.Errorf("--event-type with flows: exit %d, %s", r.code, r.stderr)
	}
}

// TestFlowsSendInOrder: send delivers each file's events in order at 64
// in flight, while the receiver answers 500 to the first attempt of a
// third of them and holds each file's first event a moment.
func TestFlowsSendInOrder(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "flows.yaml")
	if err := os.WriteFile(file, []byte(flowsYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	const count = "400"
	g := runBin(t, "gen", "--scenario", file, "--seed", "7", "--count", count)
	if g.code != 0 {
		t.Fatalf("gen exit %d: %s", g.code, g.stderr)
	}
	// Each body's file and position in it; alike bodies in a row (a
	// task's PROCESSING notifications can be) are one position.
	type place struct {
		file string
		pos  int
	}
	pos := map[string]place{}
	size := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(g.stdout)), "\n") {
		_, f := flowKey(t, []byte(l))
		if p, ok := pos[l]; ok {
			if p != (place{f, size[f] - 1}) {
				t.Fatalf("file %s: a body repeats out of a row: %s", f, l)
			}
			continue
		}
		pos[l] = place{f, size[f]}
		size[f]++
	}

	var mu sync.Mutex
	seen := map[string]int{}
	arrived := map[string][]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p, ok := pos[string(bytes.TrimSpace(body))]
		if !ok {
			t.Errorf("a body gen did not print: %s", body)
			http.Error(w, "unknown", http.StatusBadRequest)
			return
		}
		mu.Lock()
		seen[string(body)]++
		n := seen[string(body)]
		arrived[p.file] = append(arrived[p.file], p.pos)
		mu.Unlock()
		if n == 1 && p.pos == 0 {
			select { // what would overtake it, if anything could
			case <-time.After(20 * time.Millisecond):
			case <-r.Context().Done():
			}
		}
		h := fnv.New32a()
		h.Write(body)
		if n == 1 && h.Sum32()%3 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	rj := filepath.Join(t.TempDir(), "r.json")
	r := runBin(t, "send", "--scenario", file, "--seed", "7", "--count", count, "--target", srv.URL,
		"--max-inflight", "64", "--retry-on", "5xx", "--attempts", "3", "--backoff", "1ms", "--quiet", "--report-json", rj)
	if r.code != 0 {
		t.Fatalf("send exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep struct{ Acknowledged, Retries uint64 }
	if b, err := os.ReadFile(rj); err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("report: %v %s", err, b)
	}
	if rep.Acknowledged != 400 || rep.Retries == 0 {
		t.Errorf("acknowledged %d, retries %d: want 400 and some", rep.Acknowledged, rep.Retries)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(arrived) != len(size) {
		t.Errorf("%d files arrived of %d", len(arrived), len(size))
	}
	for f, got := range arrived {
		// Every arrival of a position (its retries) before any of the next.
		next := 0
		for k, p := range got {
			switch {
			case p == next:
				next++
			case p != next-1:
				t.Fatalf("file %s: arrivals %v: position %d at %d", f, got, p, k)
			}
		}
		if next != size[f] {
			t.Errorf("file %s: %d of %d positions arrived", f, next, size[f])
		}
	}
}
