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
	"testing"
	"time"
)

// TestUserModule builds a module of a user's, outside this one, that
// requires vodsim (replaced by this tree) and runs its tests as the user's
// `go test` would: testdata/usermod's test, which drains the fake pull
// endpoint with Tencent's SDK after injecting `vodsim gen` output, and
// every README.md Go block that is a whole file (it starts with
// "package"), each as a package of its own. `go vet` checks them first.
func TestUserModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a separate module")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(gomod), "module example.com/usermod") +
		"\nrequire github.com/vodsim/vodsim v0.0.0\n\nreplace github.com/vodsim/vodsim => " + root + "\n"
	write(t, filepath.Join(dir, "go.mod"), mod)
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.sum"), string(gosum))

	drain, err := os.ReadFile(filepath.Join("testdata", "usermod", "drain_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "drain", "drain_test.go"), string(drain))
	events := filepath.Join(dir, "events.ndjson")
	gen := runBin(t, "gen", "--seed", "11", "--count", "300")
	if gen.code != 0 {
		t.Fatalf("vodsim gen: exit %d: %s", gen.code, gen.stderr)
	}
	write(t, events, string(gen.stdout))

	snippets := 0
	for _, b := range readmeBlocks(t) {
		if b.lang != "go" || !strings.HasPrefix(b.text, "package ") {
			continue
		}
		snippets++
		name := "readme" + strconv.Itoa(b.line)
		write(t, filepath.Join(dir, name, name+"_test.go"), "// README.md:"+strconv.Itoa(b.line)+"\n"+b.text)
	}
	if snippets < 4 {
		t.Errorf("README.md has %d whole-file Go blocks; the Go test-suite examples seem to be gone", snippets)
	}

	// go test runs vet's checks on what it compiles.
	for _, args := range [][]string{{"test", "-count=1", "-v", "./..."}} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod -buildvcs=false", "GOWORK=off", "VODSIM_EVENTS="+events)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		cancel()
		if err != nil {
			t.Fatalf("go %s in a user's module: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		if args[0] == "test" {
			for _, l := range strings.Split(out.String(), "\n") {
				if strings.Contains(l, "drained") {
					t.Log(strings.TrimSpace(l))
				}
			}
			if !strings.Contains(out.String(), "--- PASS: TestDrainWithSDK") {
				t.Errorf("TestDrainWithSDK did not pass:\n%s", out.String())
			}
		}
	}
}

// write writes a file, making its directory.
func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
