package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pace"
	"github.com/vodsim/vodsim/sender/receiver"
)

func readReport(t *testing.T, path string) sendReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep sendReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, b)
	}
	if sum := rep.Acknowledged + rep.OtherStatus + rep.Failed + rep.InterruptedEvents + rep.NotSent; sum != rep.Events {
		t.Errorf("report states add up to %d, events %d", sum, rep.Events)
	}
	return rep
}

// The tests that count deliveries exactly give each attempt a minute: a
// busy machine can hold an answer past the default 5 s, and the retry
// would be a second delivery.

func TestSendEmbeddedReceiver(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rj, jl := filepath.Join(dir, "report.json"), filepath.Join(dir, "journal.ndjson")
	r := runBin(t, "send", "--duration", "1s", "--rate", "300", "--timeout", "1m", "--report-json", rj, "--journal", jl)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if len(r.stderr) != 0 {
		t.Errorf("stderr is not a terminal, yet got %q", r.stderr)
	}
	rep := readReport(t, rj)
	if rep.Events != 300 || rep.Acknowledged != 300 {
		t.Errorf("events %d acknowledged %d, want 300 each", rep.Events, rep.Acknowledged)
	}
	if rep.Receiver == nil || rep.Receiver.Distinct != 300 || !rep.Receiver.AllWellFormed() {
		t.Errorf("receiver stats %+v, want 300 distinct well-formed", rep.Receiver)
	}
	// The text holds the JSON's numbers.
	for _, s := range []string{"300 events to http://127.0.0.1:", "300 acknowledged, 0 other status, 0 failed, 0 not sent",
		"200: 300", "300 payloads, 300 distinct events, 0 duplicates, 0 malformed: every payload well-formed"} {
		if !bytes.Contains(r.stdout, []byte(s)) {
			t.Errorf("report lacks %q:\n%s", s, r.stdout)
		}
	}
	// The payload mix adds up to the events sent, in the JSON and the text.
	if p := rep.Payloads; p.Success+p.Failure != 300 || p.Success == 0 {
		t.Errorf("payload mix %+v, want 300 payloads, mostly success", p)
	}
	mix := fmt.Sprintf("payloads      %d success, %d failure", rep.Payloads.Success, rep.Payloads.Failure)
	if !bytes.Contains(r.stdout, []byte(mix)) || !bytes.Contains(r.stdout, []byte("conn wait     p50")) {
		t.Errorf("report lacks %q or the conn wait line:\n%s", mix, r.stdout)
	}
	if rep.ConnWait.Count != int64(rep.Attempts) {
		t.Errorf("conn wait has %d samples, want one per attempt (%d)", rep.ConnWait.Count, rep.Attempts)
	}
	j, err := os.ReadFile(jl)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(j, []byte("\n")); uint64(n) != rep.Attempts {
		t.Errorf("journal has %d lines, report %d attempts", n, rep.Attempts)
	}
}

func TestSendDeliversExactlyToTarget(t *testing.T) {
	t.Parallel()
	rcv := &receiver.Receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	r := runBin(t, "send", "--target", srv.URL+"/callback", "--count", "1000", "--rate", "2000", "--timeout", "1m")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	st := rcv.Stats()
	if st.Distinct != 1000 || st.Duplicates != 0 || !st.AllWellFormed() {
		t.Errorf("receiver saw %+v, want 1000 distinct well-formed events, no duplicates", st)
	}
}

// TestSendRetriesStalledFirstAttempts: first attempts that the target holds
// until the client gives up are timeouts, retried and then acknowledged. On
// a busy machine other attempts may time out too (waiting for a connection
// counts): the report's counts are checked against each other and against
// the events the target held, not against a fixed number of retries.
func TestSendRetriesStalledFirstAttempts(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	attempts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e, _, _, err := generator.Decode(body)
		if err != nil {
			t.Errorf("malformed body: %v", err)
		}
		mu.Lock()
		attempts[e.TaskID]++
		n := attempts[e.TaskID]
		mu.Unlock()
		// Every event whose task id ends in 0-1 has its first attempt
		// held until the client gives up on it.
		if n == 1 && strings.ContainsAny(e.TaskID[len(e.TaskID)-1:], "01") {
			<-r.Context().Done()
			return
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	dir := t.TempDir()
	rj := filepath.Join(dir, "r.json")
	const count = 50
	r := runBin(t, "send", "--target", srv.URL, "--count", strconv.Itoa(count), "--rate", "500", "--timeout", "3s", "--attempts", "10", "--report-json", rj)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	rep := readReport(t, rj)
	mu.Lock()
	defer mu.Unlock()
	var stalled uint64
	for id, n := range attempts {
		if strings.ContainsAny(id[len(id)-1:], "01") {
			stalled++
			if n < 2 {
				t.Errorf("event %s: the target saw %d attempts, want its held first one and a retry", id, n)
			}
		}
	}
	if stalled == 0 || len(attempts) != count {
		t.Fatalf("%d events seen, %d stalled; want %d and some", len(attempts), stalled, count)
	}
	if rep.Acknowledged != count || rep.Retries < stalled || rep.Errors["timeout"] != rep.Retries || rep.Attempts != count+rep.Retries {
		t.Errorf("acknowledged %d, attempts %d, retries %d, timeouts %d; want %d acknowledged, at least %d retries, each a timeout",
			rep.Acknowledged, rep.Attempts, rep.Retries, rep.Errors["timeout"], count, stalled)
	}
}

func TestSendUnreachableTarget(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rj := filepath.Join(t.TempDir(), "r.json")
	r := runBin(t, "send", "--target", "http://"+addr+"/", "--count", "50", "--rate", "0", "--report-json", rj)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	rep := readReport(t, rj)
	if rep.Failed != 50 || rep.Errors["refused"] != 50 {
		t.Errorf("failed %d, errors %v; want 50 refused", rep.Failed, rep.Errors)
	}
	if !bytes.Contains(r.stderr, []byte("max-failed: 50 of 50 events not acknowledged")) {
		t.Errorf("stderr does not name the breach: %s", r.stderr)
	}
}

func TestSendThresholdBreach(t *testing.T) {
	t.Parallel()
	r := runBin(t, "send", "--count", "20", "--rate", "0", "--max-p99", "1us")
	if r.code != 1 || !bytes.Contains(r.stderr, []byte("max-p99: latency p99")) {
		t.Errorf("exit %d, stderr %q; want 1 naming max-p99", r.code, r.stderr)
	}
}

func TestSendInterruptedExits130WithReport(t *testing.T) {
	t.Parallel()
	var seen atomic.Int64
	first := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if seen.Add(1) == 5 {
			close(first)
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	dir := t.TempDir()
	rj, jl := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.ndjson")
	cmd := exec.Command(vodsimBin, "send", "--target", srv.URL, "--count", "1000", "--rate", "200", "--report-json", rj, "--journal", jl)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once a few attempts are held: the run is well under way
	// and has events left to send (1000 at 200/s).
	select {
	case <-first:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no request reached the target within 30s")
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("send did not stop within 30s of Ctrl-C")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d, want 130\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "vodsim send (interrupted)") {
		t.Errorf("no report on stdout:\n%s", out.String())
	}
	rep := readReport(t, rj)
	if !rep.Interrupted || rep.Events != 1000 || rep.NotSent == 0 {
		t.Errorf("report interrupted %v, events %d, not sent %d", rep.Interrupted, rep.Events, rep.NotSent)
	}
	j, _ := os.ReadFile(jl)
	// Lines with "attempt":0 are events that ended without an attempt.
	if n := bytes.Count(j, []byte("\n")) - bytes.Count(j, []byte(`"attempt":0,`)); uint64(n) != rep.Attempts || n == 0 {
		t.Errorf("journal has %d attempt lines, report %d attempts", n, rep.Attempts)
	}
}

func TestSendUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	same, link := filepath.Join(dir, "out.json"), filepath.Join(dir, "link.json")
	if err := os.WriteFile(same, []byte("keep"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(same, link); err != nil {
		t.Fatal(err)
	}
	noRate := filepath.Join(dir, "norate.yaml")
	if err := os.WriteFile(noRate, []byte("name: norate\nevents: 10\nrate: 0\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the parallel cases
		if b, _ := os.ReadFile(same); string(b) != "keep" {
			t.Errorf("a usage error changed %s: %q", same, b)
		}
	})
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--rate", "-1"}, "--rate"},
		{[]string{"--journal", "-"}, "--journal -: the journal is written to a file"},
		{[]string{"--format", "v5"}, "--format"},
		{[]string{"--retry-on", "sometimes"}, "--retry-on"},
		{[]string{"--header", "novalue"}, "--header"},
		{[]string{"--header", "Content-Type: text/plain"}, `--header "Content-Type: text/plain": Content-Type is set by vodsim`},
		{[]string{"--header", "transfer-encoding: chunked"}, "Transfer-Encoding"},
		{[]string{"--header", "Trailer: X"}, "--header \"Trailer: X\""},
		{[]string{"--header", "Host: example.com"}, "Host"},
		{[]string{"--header", "Content-Length: 3"}, "Content-Length"},
		{[]string{"--header", "X Env: ci"}, `--header "X Env: ci"`},
		{[]string{"--header", "X-Env: a\x01b"}, "control character"},
		{[]string{"--sign-key", "abc"}, "3.0"},
		{[]string{"--format", "v3", "--sign-key", ""}, "--sign-key: sign key is empty"},
		{[]string{"--format", "v3", "--sign-key", strings.Repeat("k", 33)}, "--sign-key"},
		{[]string{"--format", "v3", "--sign-key", "a_b"}, "--sign-key"},
		{[]string{"--duplicate", "1.5"}, "--duplicate"},
		{[]string{"--malformed-kinds", "ugly"}, "--malformed-kinds"},
		{[]string{"--target", "ftp://x"}, "scheme"},
		{[]string{"--journal", "/nonexistent/dir/j"}, "--journal"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--rate", "0", "--min-rate", "0.5"}, "--min-rate 0.5 needs a rate"},
		{[]string{"--scenario", noRate, "--min-rate", "0.5"}, "--min-rate 0.5 needs a rate"},
		{[]string{"--journal", same, "--report-json", filepath.Join(filepath.Dir(same), ".", "out.json")}, "--journal and --report-json name the same file"},
		{[]string{"--journal", same, "--report-json", link}, "--journal and --report-json name the same file"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runBin(t, append([]string{"send"}, tc.args...)...)
			if r.code != 2 || !bytes.Contains(r.stderr, []byte(tc.msg)) {
				t.Errorf("send %q: exit %d, stderr %q; want 2 mentioning %q", tc.args, r.code, r.stderr, tc.msg)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, sub := range []string{"send", "receive"} {
		r := runBin(t, sub, "--help")
		if r.code != 0 || !bytes.Contains(r.stdout, []byte("Examples:")) {
			t.Errorf("%s --help: exit %d\n%s", sub, r.code, r.stdout)
		}
	}
}

func TestReceivePrintsALinePerEvent(t *testing.T) {
	t.Parallel()
	for _, ndjson := range []bool{false, true} {
		args := []string{"receive", "--listen", "127.0.0.1:0"}
		if ndjson {
			args = append(args, "--ndjson")
		}
		p := startBin(t, "", args...)
		r := runBin(t, "send", "--target", "http://"+p.addr+"/", "--count", "5", "--rate", "0", "--malformed", "0.5", "--timeout", "1m")
		if code := p.stop(t); code != 0 {
			t.Errorf("receive exit %d, want 0", code)
		}
		if r.code != 0 {
			t.Errorf("send exit %d: %s%s", r.code, r.stdout, r.stderr)
		}
		out := p.stdout()
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 5 {
			t.Errorf("ndjson=%v: %d lines, want 5:\n%s", ndjson, len(lines), out)
		}
		if ndjson {
			for _, l := range lines {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Errorf("line %q: %v", l, err)
				}
			}
		}
		if rest := p.stderr(); !strings.Contains(rest, "5 requests") {
			t.Errorf("summary %q lacks the request count", rest)
		}
	}
}

// TestSendFlagsOverrideOnlyWhatIsSet checks that send changes the base
// config only where a flag was given, so a scenario's settings survive.
func TestSendFlagsOverrideOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	base := sender.Config{
		Target: "http://base/", Seed: 9, Count: 77, Duration: time.Minute,
		Profile:  pace.Profile{{Duration: time.Second, From: 5, To: 50}},
		Retry:    sender.RetryPolicy{Timeout: time.Second, Attempts: 5, On: sender.RetryServerError},
		Faults:   sender.Faults{Duplicate: 0.5, MalformedKinds: []sender.Malformation{sender.MalformTruncated}},
		Encoding: generator.Encoding{Format: generator.FormatV3},
	}
	tests := []struct {
		args  []string
		check func(t *testing.T, c sender.Config)
	}{
		{nil, func(t *testing.T, c sender.Config) {
			if c.Target != base.Target || c.Count != 77 || c.Duration != time.Minute || len(c.Profile) != 1 ||
				c.Retry != base.Retry || c.Faults.Duplicate != 0.5 || c.Encoding.Format != generator.FormatV3 || c.Seed != 9 {
				t.Errorf("no flags changed the base: %+v", c)
			}
		}},
		{[]string{"--rate", "0"}, func(t *testing.T, c sender.Config) {
			if c.Profile != nil || c.Count != 77 {
				t.Errorf("--rate 0: profile %v count %d", c.Profile, c.Count)
			}
		}},
		{[]string{"--duration", "2s"}, func(t *testing.T, c sender.Config) {
			if c.Duration != 2*time.Second || c.Count != 0 {
				t.Errorf("--duration alone: duration %v count %d, want 2s and no count limit", c.Duration, c.Count)
			}
		}},
		{[]string{"--retry-on", "5xx,conn", "--timeout", "3s"}, func(t *testing.T, c sender.Config) {
			if c.Retry.On != sender.RetryServerError|sender.RetryConnError || c.Retry.Timeout != 3*time.Second || c.Retry.Attempts != 5 {
				t.Errorf("retry %+v", c.Retry)
			}
		}},
		{[]string{"--header", "X-A: 1", "--header", "X-A: 2"}, func(t *testing.T, c sender.Config) {
			if c.Seed != 9 || len(c.Headers["X-A"]) != 2 {
				t.Errorf("seed %d headers %v", c.Seed, c.Headers)
			}
		}},
	}
	for _, tc := range tests {
		var o sendOpts
		fs := newFlagSet(stdio{out: io.Discard, err: io.Discard}, "send", "", "")
		o.register(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		c := base
		if err := applySendFlags(&c, fs, &o); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		tc.check(t, c)
	}
}

// TestSendScenarioBase checks that --scenario gives send its events, rate,
// faults and retry policy, and that flags override only what they name.
func TestSendScenarioBase(t *testing.T) {
	t.Parallel()
	config := func(args ...string) sender.Config {
		t.Helper()
		var o sendOpts
		fs := newFlagSet(stdio{out: io.Discard, err: io.Discard}, "send", "", "")
		o.register(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		c, err := o.config(fs)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		return c
	}
	c := config("--scenario", "chaos")
	if c.Faults.Duplicate != 0.05 || c.Faults.Reorder != 0.10 || c.Faults.ReorderWindow != 20 || c.Faults.Malformed != 0.03 ||
		c.Retry.Attempts != 5 || c.Retry.On&sender.RetryServerError == 0 || c.Count != 500 || len(c.Profile) != 1 || c.Seed != 1 {
		t.Errorf("chaos: %+v", c)
	}
	c = config("--scenario", "chaos", "--seed", "4", "--duplicate", "0", "--format", "v3")
	if c.Seed != 4 || c.Faults.Duplicate != 0 || c.Faults.Reorder != 0.10 || c.Encoding.Format != generator.FormatV3 {
		t.Errorf("chaos with overrides: %+v", c)
	}
	c = config("--scenario", "ramp")
	if c.Duration != 3*time.Minute || len(c.Profile) != 4 {
		t.Errorf("ramp: duration %v, %d phases", c.Duration, len(c.Profile))
	}
	var ev generator.Event
	config("--scenario", "failures").Source.Fill(&ev, 0)
	if ev.Success() {
		t.Error("failures scenario made a success")
	}
	config("--scenario", "seed-examples").Source.Fill(&ev, 1)
	if ev.Status != -43001 {
		t.Errorf("seed-examples event 1: status %d, want -43001", ev.Status)
	}
}

func TestReceiveUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--window", "0"}, "--window"},
		{[]string{"--sign-key", ""}, "--sign-key: sign key is empty"},
		{[]string{"--sign-key", "a-b"}, "--sign-key"},
		{[]string{"--sign-key", strings.Repeat("k", 33)}, "--sign-key"},
	} {
		r := runBin(t, append([]string{"receive", "--listen", "127.0.0.1:0"}, tc.args...)...)
		if r.code != 2 || !bytes.Contains(r.stderr, []byte(tc.msg)) {
			t.Errorf("receive %q: exit %d, stderr %q; want 2 mentioning %q", tc.args, r.code, r.stderr, tc.msg)
		}
	}
}

// TestSendBasicAuth: a target with user:password sends Basic
// authorization, and no output shows the password.
func TestSendBasicAuth(t *testing.T) {
	t.Parallel()
	var ok, refused atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if u, p, good := r.BasicAuth(); good && u == "ci" && p == "pa55word" {
			ok.Add(1)
			io.WriteString(w, "{}")
			return
		}
		refused.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	dir := t.TempDir()
	jl, rj := filepath.Join(dir, "j.ndjson"), filepath.Join(dir, "r.json")
	target := strings.Replace(srv.URL, "http://", "http://ci:pa55word@", 1) + "/cb"
	r := runBin(t, "send", "--target", target, "--count", "20", "--rate", "0", "--timeout", "1m", "--journal", jl, "--report-json", rj, "--quiet")
	if r.code != 0 || ok.Load() != 20 || refused.Load() != 0 {
		t.Fatalf("exit %d, %d authorised, %d refused; want 0, 20, 0\n%s%s", r.code, ok.Load(), refused.Load(), r.stdout, r.stderr)
	}
	masked := strings.Replace(srv.URL, "http://", "http://ci:xxxxx@", 1) + "/cb"
	if !bytes.Contains(r.stdout, []byte(masked)) {
		t.Errorf("report does not show the target as %q:\n%s", masked, r.stdout)
	}
	if rep := readReport(t, rj); rep.Target != masked {
		t.Errorf("JSON report target %q, want %q", rep.Target, masked)
	}
	j, _ := os.ReadFile(jl)
	rjs, _ := os.ReadFile(rj)
	for name, out := range map[string][]byte{"stdout": r.stdout, "stderr": r.stderr, "journal": j, "report JSON": rjs} {
		if bytes.Contains(out, []byte("pa55word")) {
			t.Errorf("%s shows the password:\n%s", name, out)
		}
	}
	// No scheme (the password lands in the URL's opaque part) and a
	// target that does not parse: masked all the same, hint included.
	for _, bad := range []string{"ftp://ci:pa55word@127.0.0.1:9/", "ci:pa55word@127.0.0.1:9/", "http://ci:pa55word%zz@127.0.0.1:9/"} {
		r = runBin(t, "send", "--target", bad)
		if r.code != 2 || bytes.Contains(r.stderr, []byte("pa55word")) || !bytes.Contains(r.stderr, []byte("ci:xxxxx@")) {
			t.Errorf("bad target %q: exit %d, stderr %q; want 2 with the password masked", bad, r.code, r.stderr)
		}
	}
}

// TestReceiveBadSign: with --sign-key, 3.0 payloads unsigned or signed
// with another key are printed BAD SIGN and counted in the summary.
func TestReceiveBadSign(t *testing.T) {
	t.Parallel()
	p := startBin(t, "", "receive", "--listen", "127.0.0.1:0", "--sign-key", "abc123")
	url := "http://" + p.addr + "/"
	for _, args := range [][]string{
		{"--sign-key", "abc123"}, // good
		{},                       // unsigned
		{"--sign-key", "xyz789"}, // another key
	} {
		r := runBin(t, append([]string{"send", "--target", url, "--count", "2", "--rate", "0", "--timeout", "1m", "--format", "v3", "--quiet"}, args...)...)
		if r.code != 0 {
			t.Fatalf("send %q: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if code := p.stop(t); code != 0 {
		t.Errorf("receive exit %d", code)
	}
	summary, out := p.stderr(), p.stdout()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6:\n%s", len(lines), out)
	}
	for i, l := range lines {
		if bad := i >= 2; strings.Contains(l, "BAD SIGN") != bad || strings.Contains(l, "MALFORMED") {
			t.Errorf("line %d %q: want BAD SIGN %v, never MALFORMED", i, l, bad)
		}
	}
	// 4 signed (2 good, 2 with another key), 4 bad: 2 with another key
	// and 2 unsigned, which the summary says it counts.
	if !strings.Contains(summary, "4 signed, 4 bad signatures (wrong, expired or missing)") {
		t.Errorf("summary %q does not count 4 signed and 4 bad signatures, saying which", summary)
	}
}

// TestPacedProcs: a paced send gives the process one processor more than
// it had, once, however many runs it makes.
func TestPacedProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(before)
	pacedProcs()
	pacedProcs()
	if got := runtime.GOMAXPROCS(0); got != before+1 {
		t.Errorf("GOMAXPROCS %d after two paced runs, want %d", got, before+1)
	}
}

// TestSendScenarioWithoutRate: a scenario that says no rate runs at send's
// default rate, as any key left out keeps vodsim's default; --rate still
// overrides it.
func TestSendScenarioWithoutRate(t *testing.T) {
	t.Parallel()
	_, url := startRecorder(t, 0)
	file := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(file, []byte("name: s\nevents: 5\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	r := runBin(t, "send", "--scenario", file, "--target", url)
	if want := fmt.Sprintf("target %.1f/s", float64(DefaultSendRate)); r.code != 0 || !strings.Contains(string(r.stdout), want) {
		t.Errorf("exit %d, want %q in\n%s%s", r.code, want, r.stdout, r.stderr)
	}
	r = runBin(t, "send", "--scenario", file, "--target", url, "--rate", "0")
	if r.code != 0 || !strings.Contains(string(r.stdout), "as fast as possible") {
		t.Errorf("--rate 0: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestSendFaultDetailWithoutItsFault: --malformed-kinds and
// --reorder-window shape a fault; without the fault (from the flag or
// the scenario) they would do nothing, and are refused rather than
// ignored. With it, they are taken.
func TestSendFaultDetailWithoutItsFault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--malformed-kinds", "truncated"}, "--malformed-kinds does nothing without --malformed"},
		{[]string{"--reorder-window", "5"}, "--reorder-window does nothing without --reorder"},
		{[]string{"--malformed", "0", "--malformed-kinds", "truncated"}, "--malformed-kinds does nothing without --malformed"},
	} {
		r := runBin(t, append([]string{"send", "--count", "1"}, tc.args...)...)
		if r.code != 2 || !bytes.Contains(r.stderr, []byte(tc.msg)) {
			t.Errorf("send %q: exit %d, stderr %q; want 2 mentioning %q", tc.args, r.code, r.stderr, tc.msg)
		}
	}
	for _, args := range [][]string{
		{"--malformed", "1", "--malformed-kinds", "truncated"},
		{"--reorder", "0.5", "--reorder-window", "2"},
		{"--scenario", "chaos", "--malformed-kinds", "not-json", "--reorder-window", "3"},
	} {
		r := runBin(t, append([]string{"send", "--count", "4", "--rate", "0", "--quiet"}, args...)...)
		if r.code == 2 {
			t.Errorf("send %q: exit 2: %s", args, r.stderr)
		}
	}
}

// TestSendReportFileWhenStdoutFails: standard output that cannot be
// written (a full disk, a reader that has gone: | head, | true) fails the
// run, but --report-json and --journal are still written: the run's files
// do not depend on its text.
func TestSendReportFileWhenStdoutFails(t *testing.T) {
	t.Parallel()
	t.Run("full", func(t *testing.T) {
		t.Parallel()
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skip("no /dev/full:", err)
		}
		defer full.Close()
		sendToFailingStdout(t, full)
	})
	t.Run("closed", func(t *testing.T) {
		t.Parallel()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close() // no reader: a write gets EPIPE (SIGPIPE unless ignored)
		defer w.Close()
		sendToFailingStdout(t, w)
	})
}

func sendToFailingStdout(t *testing.T, stdout *os.File) {
	dir := t.TempDir()
	rj, jl := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.ndjson")
	cmd := exec.Command(vodsimBin, "send", "--count", "3", "--rate", "0", "--quiet", "--report-json", rj, "--journal", jl)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &errb
	cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(errb.String(), "write report") {
		t.Errorf("exit %d (%v), stderr %q; want 1 saying the report could not be written", code, cmd.ProcessState, errb.String())
	}
	if rep := readReport(t, rj); rep.Acknowledged != 3 {
		t.Errorf("report file: %d acknowledged, want 3", rep.Acknowledged)
	}
	if j, _ := os.ReadFile(jl); bytes.Count(j, []byte("\n")) != 3 {
		t.Errorf("journal:\n%s", j)
	}
}
