package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, vodsimBin, args...)
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
