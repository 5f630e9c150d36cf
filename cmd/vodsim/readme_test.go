package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// readmeBlock is one fenced code block of README.md.
type readmeBlock struct {
	lang string
	text string
	line int // of the opening fence
}

// readmeBlocks returns README.md's fenced code blocks in order.
func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []readmeBlock
	var cur *readmeBlock
	for i, l := range strings.Split(string(raw), "\n") {
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			cur = &readmeBlock{lang: strings.TrimPrefix(l, "```"), line: i + 1}
		case cur != nil && l == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += l + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("README.md:%d: code block never closed", cur.line)
	}
	return blocks
}

// shellLines splits a sh block into commands, joining lines continued
// with a backslash.
func shellLines(text string) []string {
	var out []string
	var cur string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if strings.HasSuffix(l, "\\") {
			cur += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		out = append(out, cur+l)
		cur = ""
	}
	return out
}

// startReadmeServer starts a README line `bin/vodsim serve|receive ...` with
// its --listen replaced by 127.0.0.1:0, and returns it running; at the end
// of the test it must stop on Ctrl-C with exit 0.
func startReadmeServer(t *testing.T, dir, line string) *proc {
	t.Helper()
	args := strings.Fields(strings.TrimSpace(strings.SplitN(line, "#", 2)[0]))[1:]
	replaced := false
	for i := range args {
		if args[i] == "--listen" && i+1 < len(args) {
			args[i+1] = "127.0.0.1:0"
			replaced = true
		}
	}
	if !replaced {
		args = append(args, "--listen", "127.0.0.1:0")
	}
	s := startBin(t, dir, args...)
	t.Cleanup(func() {
		if code := s.stop(t); code != 0 {
			t.Errorf("README line %q: exit %d after Ctrl-C, want 0\n%s%s", line, code, s.stdout(), s.stderr())
		}
	})
	return s
}

// wallClockFlags are the thresholds measured on the wall clock, with the
// value the README test runs them with: one that a correct run meets on any
// machine, however busy.
var wallClockFlags = map[string]string{"--max-p99": "1h", "--min-rate": "0.001"}

// relaxWallClock gives every wall-clock threshold in a script its
// wallClockFlags value, in both the "--flag value" and "--flag=value" forms.
func relaxWallClock(script string) string {
	for flag, lenient := range wallClockFlags {
		re := regexp.MustCompile(regexp.QuoteMeta(flag) + `(=|\s+)\S+`)
		script = re.ReplaceAllString(script, flag+"${1}"+lenient)
	}
	return script
}

// TestReadmeCommands runs README.md's shell commands as written, with
// bin/vodsim the binary under test: servers (serve, receive) are started on
// free ports and the commands that call them are pointed there; a command
// followed by a block of its output must print exactly that output. A
// README whose examples no longer work fails here.
//
// The examples are checked for what they do, not for how fast the machine
// running the test is: a threshold measured on the wall clock (--max-p99,
// --min-rate) is run with a value no machine misses (see wallClockFlags),
// so a README may show a CI gate with real numbers.
//
// Blocks run in the README's order, each after the one before, so a block
// may use what an earlier one wrote; a block of sends that write nothing
// (see standsAlone) runs beside the others.
func TestReadmeCommands(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs every README command, about 30 s")
	}
	for _, tool := range []string{"bash", "curl", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's commands need %s: %v", tool, err)
		}
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(vodsimBin, filepath.Join(dir, "bin", "vodsim")); err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(t)

	// Start every server line first: later blocks call the first server
	// started on each address the README names.
	addrs := map[string]string{}
	var mu sync.Mutex
	for _, b := range blocks {
		if b.lang != "sh" {
			continue
		}
		for _, l := range shellLines(b.text) {
			f := strings.Fields(l)
			if len(f) < 2 || f[0] != "bin/vodsim" || (f[1] != "serve" && f[1] != "receive") {
				continue
			}
			named := DefaultServeListen
			if f[1] == "receive" {
				named = DefaultReceiveListen
			}
			for i := range f {
				if f[i] == "--listen" && i+1 < len(f) {
					named = f[i+1]
				}
			}
			s := startReadmeServer(t, dir, l)
			mu.Lock()
			if _, ok := addrs[named]; !ok {
				addrs[named] = s.addr
			}
			mu.Unlock()
		}
	}
	if len(addrs) == 0 {
		t.Fatal("README.md starts no server: the serve and receive examples are gone")
	}

	ran := 0
	var wg sync.WaitGroup
	for i, b := range blocks {
		if b.lang != "sh" {
			continue
		}
		var script []string
		for _, l := range shellLines(b.text) {
			f := strings.Fields(l)
			switch {
			case len(f) == 0:
			case f[0] == "make", f[0] == "go" && len(f) > 1 && f[1] == "install",
				f[0] == "sudo", f[0] == "apt-get":
				// The set-up commands: make test is this run, go
				// install fetches the published module, and the
				// system packages are this machine's business.
			case f[0] == "bin/vodsim" && len(f) > 1 && (f[1] == "serve" || f[1] == "receive"):
				// Started above.
			default:
				script = append(script, l)
			}
		}
		if len(script) == 0 {
			continue
		}
		text := relaxWallClock(strings.Join(script, "\n"))
		for named, real := range addrs {
			text = strings.ReplaceAll(text, named, real)
		}
		want := 0
		if strings.Contains(text, "validate bad.yaml") {
			want = 2 // the example of an invalid file
		}
		ran++
		if standsAlone(script) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runReadmeBlock(t, dir, blocks, i, text, want)
			}()
			continue
		}
		runReadmeBlock(t, dir, blocks, i, text, want)
	}
	wg.Wait()
	if ran < 8 {
		t.Errorf("ran %d README shell blocks; the README's examples seem to be gone", ran)
	}
}

// standsAlone tells whether a block's commands are all sends that write
// no file and start nothing in the background: nothing later reads what
// they leave, so the block runs beside the others (the paced sends are
// most of the README's running time).
func standsAlone(script []string) bool {
	for _, l := range script {
		f := strings.Fields(strings.SplitN(l, "#", 2)[0])
		if len(f) < 2 || f[0] != "bin/vodsim" || f[1] != "send" || strings.ContainsAny(l, "<>&|;$`") {
			return false
		}
		for _, a := range f {
			if a == "--journal" || a == "--report-json" || strings.HasPrefix(a, "--journal=") || strings.HasPrefix(a, "--report-json=") {
				return false
			}
		}
	}
	return true
}

// runReadmeBlock runs the script of blocks[i] in dir with bash, and checks
// its exit code and, when the next block shows its output, that output.
func runReadmeBlock(t *testing.T, dir string, blocks []readmeBlock, i int, text string, want int) {
	b := blocks[i]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, "bash", "-c", "set -eo pipefail\n"+text)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(dir, "bin")+":"+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	cancel()
	code := 0
	if err != nil {
		code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	where := "README.md:" + strconv.Itoa(b.line)
	if code != want {
		t.Errorf("%s: exit %d, want %d\n%s\nstdout:\n%s\nstderr:\n%s", where, code, want, text, stdout.String(), stderr.String())
		return
	}
	out := stdout.String()
	if strings.Contains(text, "curl ") && (strings.Contains(out, `"Error"`) || regexp.MustCompile(`"code":-?[1-9]`).MatchString(out)) {
		t.Errorf("%s: a call answered with an error:\n%s\n%s", where, text, out)
	}
	// A block of exact output (plain or json) follows its command
	// directly; a "text" block is an illustration (timings vary).
	if i+1 < len(blocks) && (blocks[i+1].lang == "" || blocks[i+1].lang == "json") {
		got := out
		if want != 0 {
			got = stderr.String()
		}
		if got != blocks[i+1].text {
			t.Errorf("%s: output differs from README.md:%d\ngot:\n%s\nREADME shows:\n%s", where, blocks[i+1].line, got, blocks[i+1].text)
		}
	}
}

func TestRelaxWallClock(t *testing.T) {
	t.Parallel()
	got := relaxWallClock("bin/vodsim send --count 500 --max-p99 250ms --min-rate=0.95 --quiet\nbin/vodsim send --max-p99\t1s")
	want := "bin/vodsim send --count 500 --max-p99 1h --min-rate=0.001 --quiet\nbin/vodsim send --max-p99\t1h"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestStandsAlone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		script []string
		want   bool
	}{
		{[]string{"bin/vodsim send --duration 3s --rate 500"}, true},
		{[]string{"bin/vodsim send --scenario chaos --quiet   # faults (10 s)", "bin/vodsim send --count 5"}, true},
		{[]string{"bin/vodsim send --count 5 --quiet > report.txt"}, false},
		{[]string{"bin/vodsim send --count 5 &", "wait"}, false},
		{[]string{"bin/vodsim send --count 5 --report-json r.json"}, false},
		{[]string{"bin/vodsim send --count 5 --journal=j.ndjson"}, false},
		{[]string{"bin/vodsim gen --count 5"}, false},
		{[]string{"curl -s http://127.0.0.1:9090/_vodsim/stats"}, false},
	} {
		if got := standsAlone(tc.script); got != tc.want {
			t.Errorf("standsAlone(%q) = %v, want %v", tc.script, got, tc.want)
		}
	}
}

// TestReadmeLayoutListsEveryPackage: the README's Layout table names every
// folder that holds Go code (testdata aside), so that a new package cannot
// go unmentioned.
func TestReadmeLayoutListsEveryPackage(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, layout, ok := strings.Cut(string(raw), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no ## Layout section")
	}
	root := filepath.Join("..", "..")
	dirs := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "bin" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			dirs[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range dirs {
		if !strings.Contains(layout, "`"+dir+"`") {
			t.Errorf("README.md's Layout table does not name `%s`", dir)
		}
	}
}
