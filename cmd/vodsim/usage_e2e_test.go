package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// TestSendTargetErrors: a --target that cannot work is a usage error
// naming the flag and what is wrong, before anything is sent.
func TestSendTargetErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		target, msg string
	}{
		{"ftp://x", "the scheme must be http or https"},
		{"http://", "no host"},
		{"https://:80/", "no host"},
		{"not a url", "the scheme must be http or https"},
		{"127.0.0.1:9000", `did you mean "http://127.0.0.1:9000"?`},
		{"http://127.0.0.1:99999/", "port 99999 is out of range 1-65535"},
		{"http://127.0.0.1:0/", "port 0 is out of range"},
		{"http://127.0.0.1:/", "empty port"},
		{"http://[::1", "not a URL"},
		{"", "--target is empty"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			t.Parallel()
			r := runBin(t, "send", "--target", tc.target, "--count", "3")
			if r.code != 2 || !bytes.Contains(r.stderr, []byte(tc.msg)) || !bytes.Contains(r.stderr, []byte("--target")) || len(r.stdout) != 0 {
				t.Errorf("send --target %q: exit %d, stdout %q, stderr %q; want 2 naming --target and %q", tc.target, r.code, r.stdout, r.stderr, tc.msg)
			}
		})
	}
}

// TestSendUsageErrorLeavesFilesAlone: a usage error found after the
// output files were checked neither leaves an empty report or journal
// behind nor empties a file that was there.
func TestSendUsageErrorLeavesFilesAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	report, journal := filepath.Join(dir, "report.json"), filepath.Join(dir, "journal.ndjson")
	old := filepath.Join(dir, "old.json")
	if err := os.WriteFile(old, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--sign-key", "abc", "--report-json", report, "--journal", journal}, // found by the sender
		{"--header", "Content-Type: text/plain", "--report-json", report, "--journal", journal},
		{"--sign-key", "abc", "--report-json", old, "--journal", old},
	} {
		r := runBin(t, append([]string{"send", "--count", "3"}, args...)...)
		if r.code != 2 {
			t.Fatalf("send %q: exit %d, want 2; stderr %s", args, r.code, r.stderr)
		}
		if bytes.Contains(r.stderr, []byte("invalid send config")) {
			t.Errorf("send %q: stderr %q speaks of the config, not of the flag", args, r.stderr)
		}
		for _, p := range []string{report, journal} {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("send %q left %s behind", args, filepath.Base(p))
			}
		}
		if b, _ := os.ReadFile(old); string(b) != "keep me\n" {
			t.Errorf("send %q changed an existing file to %q", args, b)
		}
	}

	// A run that goes ahead replaces the old content.
	r := runBin(t, "send", "--count", "3", "--quiet", "--report-json", old, "--journal", journal)
	if r.code != 0 {
		t.Fatalf("send: exit %d; stderr %s", r.code, r.stderr)
	}
	if rep := readReport(t, old); rep.Acknowledged != 3 {
		t.Errorf("report: %d acknowledged, want 3", rep.Acknowledged)
	}
	if j, _ := os.ReadFile(journal); bytes.Count(j, []byte("\n")) != 3 {
		t.Errorf("journal:\n%s", j)
	}

	// A directory is refused up front.
	r = runBin(t, "send", "--count", "3", "--report-json", dir)
	if r.code != 2 || !bytes.Contains(r.stderr, []byte("--report-json")) || !bytes.Contains(r.stderr, []byte("is a directory")) {
		t.Errorf("send --report-json DIR: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestBadFilePaths: a directory where a file is read or written, or an
// output file in a folder that does not exist, is a usage error (exit 2)
// that names the flag or file and says what is wrong, and leaves nothing
// behind.
func TestBadFilePaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "nofolder", "out")
	journal := filepath.Join(dir, "journal.ndjson")
	if err := os.WriteFile(journal, []byte(`{"event":0,"attempt":1}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.ndjson")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	emptyOut := filepath.Join(dir, "empty.html")
	t.Cleanup(func() {
		if _, err := os.Stat(emptyOut); err == nil {
			t.Errorf("plot of an empty journal wrote %s", emptyOut)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"send input dir", []string{"send", "--input", dir}, []string{"--input", dir + " is a directory"}},
		{"report dir", []string{"report", dir}, []string{"report", dir + " is a directory"}},
		{"report journal dir", []string{"report", "--journal", dir}, []string{dir + " is a directory"}},
		{"plot dir", []string{"plot", dir}, []string{"plot", dir + " is a directory"}},
		{"serve state dir", []string{"serve", "--listen", "127.0.0.1:0", "--state", dir}, []string{"--state", dir + " is a directory"}},
		{"serve state no folder", []string{"serve", "--listen", "127.0.0.1:0", "--state", missing}, []string{"--state", "no folder"}},
		{"send report no folder", []string{"send", "--count", "1", "--report-json", missing}, []string{"--report-json", "no folder"}},
		{"plot output no folder", []string{"plot", "--output", missing, journal}, []string{"--output", "no folder"}},
		{"plot empty journal", []string{"plot", "--output", emptyOut, empty}, []string{"no journal line in " + empty}},
		{"receive summary no folder", []string{"receive", "--listen", "127.0.0.1:0", "--timeout", "1m", "--summary-json", missing}, []string{"--summary-json", "no folder"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runBin(t, tc.args...)
			if r.code != 2 || len(r.stdout) != 0 {
				t.Fatalf("%q: exit %d, stdout %q, stderr %q; want exit 2 and nothing on stdout", tc.args, r.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !bytes.Contains(r.stderr, []byte(w)) {
					t.Errorf("%q: stderr %q lacks %q", tc.args, r.stderr, w)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Dir(missing)); err == nil {
		t.Errorf("a run made the folder %s", filepath.Dir(missing))
	}
}

// TestListenInUse: serve and receive on a port another process holds exit
// 2, naming --listen and the cause.
func TestListenInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	for _, args := range [][]string{
		{"serve", "--listen", addr},
		{"receive", "--listen", addr},
		{"serve", "--listen", "127.0.0.1:99999"},
		{"receive", "--listen", "127.0.0.1:99999"},
	} {
		r := runBin(t, args...)
		want := "address already in use"
		if args[2] == "127.0.0.1:99999" {
			want = "invalid port"
		}
		if r.code != 2 || !bytes.Contains(r.stderr, []byte("--listen")) || !bytes.Contains(r.stderr, []byte(want)) {
			t.Errorf("%q: exit %d, stderr %q; want 2 naming --listen and %q", args, r.code, r.stderr, want)
		}
	}
}

// TestEveryHelp: every subcommand's --help exits 0 and shows its flags,
// --help itself included, and examples; none of the examples of send
// needs a placeholder filled in.
func TestEveryHelp(t *testing.T) {
	t.Parallel()
	for _, sub := range []string{"gen", "send", "serve", "receive", "trigger", "forward", "report", "plot", "events", "scenarios", "validate", "completion", "version"} {
		r := runBin(t, sub, "--help")
		for _, want := range []string{"Usage: vodsim " + sub, "Flags:", "-h, --help", "Examples:\n  vodsim "} {
			if r.code != 0 || !bytes.Contains(r.stdout, []byte(want)) {
				t.Errorf("%s --help: exit %d, lacks %q:\n%s", sub, r.code, want, r.stdout)
			}
		}
		_, examples, _ := bytes.Cut(r.stdout, []byte("Examples:"))
		if sub == "send" && bytes.Contains(examples, []byte("--target URL")) {
			t.Errorf("send --help: an example with a placeholder URL:\n%s", r.stdout)
		}
	}
}

// TestPlotOutputIsAJournal: --output naming one of the journals is refused
// before anything is written, rather than the page replacing the journal.
func TestPlotOutputIsAJournal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	journal := filepath.Join(dir, "attempts.ndjson")
	line := []byte(`{"index":0,"taskId":"t0","attempt":1,"intended":"2026-01-02T03:04:05Z","start":"2026-01-02T03:04:05Z","latencyNs":1000000,"status":200,"final":"acknowledged"}` + "\n")
	if err := os.WriteFile(journal, line, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{journal, filepath.Join(dir, ".", "attempts.ndjson")} {
		r := runBin(t, "plot", "--output", out, journal)
		if r.code != 2 || !bytes.Contains(r.stderr, []byte("name the same file")) {
			t.Errorf("plot --output %s %s: exit %d, stderr %q; want 2 and the same file refused", out, journal, r.code, r.stderr)
		}
		if got, _ := os.ReadFile(journal); !bytes.Equal(got, line) {
			t.Fatalf("the journal was changed:\n%.200s", got)
		}
	}
}
