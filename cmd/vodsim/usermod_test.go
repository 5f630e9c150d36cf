package main

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
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
// `go test` would (go test vets what it compiles): testdata/usermod's test,
// which drains the fake pull endpoint with Tencent's SDK after injecting
// `vodsim gen` output, and every README.md Go block that is a whole file
// (it starts with "package"). They make one test package, so that one test
// binary is linked, not one per block (see readmeSnippetFile): each block
// is a file of its own with its own imports, and the names two blocks
// both declare are given each block's line.
func TestUserModule(t *testing.T) {
	t.Parallel()
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

	var snippets []readmeBlock
	for _, b := range readmeBlocks(t) {
		if b.lang == "go" && strings.HasPrefix(b.text, "package ") {
			snippets = append(snippets, b)
		}
	}
	if len(snippets) < 4 {
		t.Errorf("README.md has %d whole-file Go blocks; the Go test-suite examples seem to be gone", len(snippets))
	}
	files, err := readmeSnippetFiles(snippets, "usermod_test")
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range files {
		write(t, filepath.Join(dir, "drain", name), src)
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

// readmeSnippetFiles turns README.md's whole-file Go blocks into test files
// of one package, pkg, keyed by file name (readme<line>_test.go): each
// block keeps its imports and code, with its package clause set to pkg and
// every top-level name that another block also declares suffixed with the
// block's line (handler becomes handler_1093). A block that uses a name
// only another block declares would not compile on its own, so that is an
// error here too.
func readmeSnippetFiles(blocks []readmeBlock, pkg string) (map[string]string, error) {
	fset := token.NewFileSet()
	parsed := make([]*ast.File, len(blocks))
	declaredBy := map[string][]int{} // top-level name -> blocks declaring it
	for i, b := range blocks {
		f, err := parser.ParseFile(fset, "README.md:"+strconv.Itoa(b.line), b.text, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		parsed[i] = f
		for name := range f.Scope.Objects {
			declaredBy[name] = append(declaredBy[name], i)
		}
	}
	files := map[string]string{}
	for i, f := range parsed {
		line := strconv.Itoa(blocks[i].line)
		for _, id := range f.Unresolved {
			if len(declaredBy[id.Name]) > 0 && types.Universe.Lookup(id.Name) == nil {
				return nil, fmt.Errorf("README.md:%d: %s is declared only in another block", blocks[i].line, id.Name)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if ok && id.Obj != nil && f.Scope.Lookup(id.Name) == id.Obj && len(declaredBy[id.Name]) > 1 {
				id.Name += "_" + line
			}
			return true
		})
		f.Name.Name = pkg
		var src bytes.Buffer
		src.WriteString("// README.md:" + line + "\n\n")
		if err := format.Node(&src, fset, f); err != nil {
			return nil, fmt.Errorf("README.md:%d: %v", blocks[i].line, err)
		}
		files["readme"+line+"_test.go"] = src.String()
	}
	return files, nil
}

func TestReadmeSnippetFiles(t *testing.T) {
	t.Parallel()
	a := readmeBlock{line: 10, text: "package a_test\n\nvar handler = 1\n\nfunc TestA(t *testing.T) { _ = handler }\n"}
	b := readmeBlock{line: 20, text: "package b_test\n\nvar handler = 2\n\nfunc TestB(t *testing.T) { _ = handler; var x int; _ = x }\n"}
	files, err := readmeSnippetFiles([]readmeBlock{a, b}, "p_test")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"readme10_test.go": {"// README.md:10\n", "package p_test\n", "var handler_10 = 1", "_ = handler_10 }"},
		"readme20_test.go": {"package p_test\n", "var handler_20 = 2", "_ = handler_20;", "var x int"},
	} {
		for _, w := range want {
			if !strings.Contains(files[name], w) {
				t.Errorf("%s lacks %q:\n%s", name, w, files[name])
			}
		}
	}
	c := readmeBlock{line: 30, text: "package c_test\n\nfunc TestC(t *testing.T) { _ = handler }\n"}
	if _, err := readmeSnippetFiles([]readmeBlock{a, c}, "p_test"); err == nil || !strings.Contains(err.Error(), "README.md:30: handler") {
		t.Errorf("a block using another's name: err %v", err)
	}
}
