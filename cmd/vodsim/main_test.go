package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// vodsimBin is the binary built once by TestMain for the end-to-end tests.
var vodsimBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vodsim-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	vodsimBin = filepath.Join(dir, "vodsim")
	build := exec.Command("go", "build", "-o", vodsimBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building vodsim:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the built binary did.
type result struct {
	stdout, stderr []byte
	code           int
}

// runBin runs the built binary with args and a 60 s limit, and returns its
// output and exit code.
func runBin(t *testing.T, args ...string) result {
	t.Helper()
	return runBinStdin(t, nil, args...)
}

// runBinStdin is runBin with stdin as the binary's standard input (nil:
// none).
func runBinStdin(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, vodsimBin, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run vodsim %q: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("vodsim %q did not finish within 60s", args)
	}
	return result{out.Bytes(), errb.Bytes(), code}
}

// listenRE finds the address in the line serve and receive print once they
// listen.
var listenRE = regexp.MustCompile(`listening on http://([0-9.]+:[0-9]+)`)

// proc is a long-running vodsim (serve, receive) started by startBin. Its
// output is gathered line by line as it comes; wait for a line with
// waitLine, read all of it after stop.
type proc struct {
	cmd  *exec.Cmd
	addr string // host:port it listens on

	mu     sync.Mutex
	out    []string // stdout lines so far
	errs   []string // stderr lines so far
	grew   chan struct{}
	done   chan struct{} // closed once it has exited and its output is read
	code   int
	stopMu sync.Mutex
}

// lineWriter passes whole lines to add, keeping a partial line until its
// end comes.
type lineWriter struct {
	add     func(string)
	partial []byte
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.partial = append(w.partial, b...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		w.add(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
}

// startBin starts the built binary with args in dir ("" for the test's
// own) and waits until it says where it listens. It is interrupted at the
// end of the test if still running.
func startBin(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(vodsimBin, args...), grew: make(chan struct{}), done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Stdout = &lineWriter{add: func(l string) { p.addLine(&p.out, l) }}
	p.cmd.Stderr = &lineWriter{add: func(l string) { p.addLine(&p.errs, l) }}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.mu.Lock()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
		p.mu.Unlock()
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.stop(t)
		}
	})
	line := p.waitLine(t, func(l string) bool { return listenRE.MatchString(l) })
	p.addr = listenRE.FindStringSubmatch(line)[1]
	return p
}

func (p *proc) addLine(to *[]string, l string) {
	p.mu.Lock()
	*to = append(*to, l)
	close(p.grew)
	p.grew = make(chan struct{})
	p.mu.Unlock()
}

// waitLine returns the first line of stdout or stderr that match accepts,
// waiting for it up to 30 s; it fails the test if the process exits or
// the time passes first.
func (p *proc) waitLine(t *testing.T, match func(string) bool) string {
	t.Helper()
	limit := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		for _, l := range append(append([]string(nil), p.out...), p.errs...) {
			if match(l) {
				p.mu.Unlock()
				return l
			}
		}
		grew := p.grew
		p.mu.Unlock()
		select {
		case <-grew:
		case <-p.done:
			if p.hasLine(match) {
				continue
			}
			t.Fatalf("vodsim %q exited %d before printing the line awaited\nstdout:\n%s\nstderr:\n%s", p.cmd.Args[1:], p.code, p.stdout(), p.stderr())
		case <-limit:
			t.Fatalf("vodsim %q did not print the line awaited within 30s\nstdout:\n%s\nstderr:\n%s", p.cmd.Args[1:], p.stdout(), p.stderr())
		}
	}
}

func (p *proc) hasLine(match func(string) bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range append(append([]string(nil), p.out...), p.errs...) {
		if match(l) {
			return true
		}
	}
	return false
}

// waitContains waits for a line containing s.
func (p *proc) waitContains(t *testing.T, s string) string {
	t.Helper()
	return p.waitLine(t, func(l string) bool { return strings.Contains(l, s) })
}

func (p *proc) stdout() string { return p.joined(&p.out) }
func (p *proc) stderr() string { return p.joined(&p.errs) }

func (p *proc) joined(lines *[]string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(*lines) == 0 {
		return ""
	}
	return strings.Join(*lines, "\n") + "\n"
}

// stop interrupts the process as Ctrl-C would and returns its exit code
// once it has exited; it fails the test if that takes over 30 s. Safe to
// call twice.
func (p *proc) stop(t *testing.T) int {
	t.Helper()
	p.stopMu.Lock()
	defer p.stopMu.Unlock()
	select {
	case <-p.done:
		return p.code
	default:
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
		return p.code
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		t.Errorf("vodsim %q did not stop within 30s of Ctrl-C", p.cmd.Args[1:])
		return -1
	}
}

// procStdout reads a proc's stdout so far, as a String method.
type procStdout struct{ p *proc }

func (o procStdout) String() string { return o.p.stdout() }

// startReceive starts 'vodsim receive' with args on a free port and returns
// its base URL, its stdout, and a stop function that interrupts it and
// returns its stderr and exit code.
func startReceive(t *testing.T, args ...string) (url string, out procStdout, stop func() (string, int)) {
	t.Helper()
	p := startBin(t, "", append([]string{"receive", "--listen", "127.0.0.1:0"}, args...)...)
	return "http://" + p.addr + "/", procStdout{p}, func() (string, int) {
		code := p.stop(t)
		return p.stderr(), code
	}
}
