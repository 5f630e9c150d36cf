package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/vodsim/vodsim/sender"
)

// openInFile opens a file named on the command line for reading; a
// directory is refused with a message that says so, rather than a read
// error at its first line.
func openInFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a directory, not a file", path)
	}
	return f, nil
}

// checkOutPath refuses an output path that cannot be a file before
// anything is written: a directory, or a path whose folder does not exist.
func checkOutPath(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: no folder %s to write it in", path, dir)
	}
	return nil
}

// outFile is an output file written as the run goes (--journal). It is
// opened up front, so that a bad path fails before anything is sent, but
// emptied only when the run starts (start) or first writes to it: a run
// that stops on a usage error leaves a file that existed as it was and
// removes one it created. It is not safe for concurrent use.
type outFile struct {
	f       *os.File
	created bool // the file did not exist before
	started bool // the old content is gone: written to or closed
}

// openOutFile opens path for writing without emptying it yet.
func openOutFile(path string) (*outFile, error) {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	return &outFile{f: f, created: errors.Is(statErr, fs.ErrNotExist)}, nil
}

// start drops the old content of a regular file (a device or a pipe, such
// as /dev/stdout, is written as it is).
func (o *outFile) start() error {
	if o.started {
		return nil
	}
	o.started = true
	if fi, err := o.f.Stat(); err == nil && fi.Mode().IsRegular() {
		return o.f.Truncate(0)
	}
	return nil
}

// Write writes p, emptying the file first on the first call.
func (o *outFile) Write(p []byte) (int, error) {
	if err := o.start(); err != nil {
		return 0, err
	}
	return o.f.Write(p)
}

// Close keeps what was written; a file nothing was written to is left
// empty. A second Close returns an error and changes nothing.
func (o *outFile) Close() error {
	err := o.start()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// discard closes the file without keeping anything: a file that existed
// is left as it was, one that openOutFile created is removed. It does
// nothing once the run has written to the file.
func (o *outFile) discard() {
	if o.started {
		return
	}
	o.f.Close()
	if o.created {
		os.Remove(o.f.Name())
	}
}

// reportFile is an output file written whole at the end of a run
// (--report-json): into a temporary file beside it, renamed over the path
// once complete, so the path holds a complete report or nothing. The file
// already at the path is removed when the run starts (begin), so it never
// holds an earlier run's report. A path that is not a regular file (a
// device or a pipe, such as /dev/stdout) is written as it is, at the end.
type reportFile struct {
	path    string
	special bool // an existing device or pipe
}

// openReportFile checks that path can be written (a temporary file can be
// made beside it) without touching what is there yet.
func openReportFile(path string) (*reportFile, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return nil, fmt.Errorf("%s is a directory", path)
	case err == nil && !fi.Mode().IsRegular():
		return &reportFile{path: path, special: true}, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if err := checkOutPath(path); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cannot write beside %s: %w", path, err)
	}
	tmp.Close()
	os.Remove(tmp.Name())
	return &reportFile{path: path}, nil
}

// begin removes the file at the path, if any: the run has started.
func (r *reportFile) begin() error {
	if r.special {
		return nil
	}
	if err := os.Remove(r.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// write writes the file whole with fill: into a temporary file beside it,
// synced, then renamed over the path. On an error nothing is left.
func (r *reportFile) write(fill func(w io.Writer) error) (err error) {
	if r.special {
		f, err := os.OpenFile(r.path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = fill(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(r.path), "."+filepath.Base(r.path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	// CreateTemp makes the file readable by its owner only; a report is
	// as readable as any file the user creates.
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), r.path)
}

// sameFile reports whether paths a and b name the same file: the same
// path once cleaned and made absolute, or (both existing) one file
// through links.
func sameFile(a, b string) bool {
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	if errA == nil && errB == nil && absA == absB {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// checkTarget says what is wrong with a --target URL, before anything is
// sent, by sender.ParseTarget's rule, with an example and a hint.
func checkTarget(target string) error {
	_, err := sender.ParseTarget(target)
	if err == nil {
		return nil
	}
	if strings.TrimSpace(target) == "" {
		return usageErrorf("send: --target is empty: give the receiver's URL, e.g. http://127.0.0.1:9000/callback")
	}
	shown := sender.RedactTarget(target) // a password never shown
	hint := ""
	if !strings.Contains(target, "://") && !strings.ContainsAny(target, " \t") {
		hint = fmt.Sprintf(" (did you mean %q?)", "http://"+shown)
	}
	why := sender.Reason(err)
	return usageErrorf("send: --target %q: %s, e.g. http://127.0.0.1:9000/callback%s", shown, why, hint)
}

// listenError is a usage error (exit 2) for a --listen address that cannot
// be listened on, with a hint when another process holds the port.
func listenError(cmd, addr string, err error) error {
	hint := ""
	if errors.Is(err, syscall.EADDRINUSE) {
		host, _, _ := net.SplitHostPort(addr)
		hint = fmt.Sprintf(" (another process listens there: stop it, or pick another port, e.g. %s)", net.JoinHostPort(host, "0"))
	}
	return usageErrorf("%s: --listen %q: %v%s", cmd, addr, err, hint)
}
