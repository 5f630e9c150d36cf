package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletionScripts: each shell's script names every subcommand and
// send's flags, and the shell itself (where installed) parses it.
func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, sh := range completionShells {
		r := runBin(t, "completion", sh)
		if r.code != 0 {
			t.Fatalf("completion %s: exit %d, stderr %s", sh, r.code, r.stderr)
		}
		for _, want := range []string{"send", "receive", "serve", "completion", "target", "report-json", "v4 v3"} {
			if !bytes.Contains(r.stdout, []byte(want)) {
				t.Errorf("completion %s: lacks %q", sh, want)
			}
		}
		path := filepath.Join(dir, "vodsim."+sh)
		if err := os.WriteFile(path, r.stdout, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := exec.LookPath(sh); err != nil {
			t.Logf("%s not installed: syntax not checked", sh)
			continue
		}
		if out, err := exec.Command(sh, "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s -n rejects the script: %v\n%s", sh, err, out)
		}
	}
}

// TestCompletionBashCompletes drives the bash function as bash's
// completion would.
func TestCompletionBashCompletes(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	r := runBin(t, "completion", "bash")
	path := filepath.Join(t.TempDir(), "vodsim.bash")
	if err := os.WriteFile(path, r.stdout, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ words, want string }{
		{"vodsim se", "send serve"},
		{"vodsim send --targ", "--target"},
		{"vodsim gen --format ", "v4 v3"},
		{"vodsim send --event-type Procedure", "ProcedureStateChanged"},
		{"vodsim trigger Aigc", "AigcImageTaskComplete AigcVideoTaskComplete"},
		{"vodsim completion ", "bash zsh fish"},
		{"vodsim events ", ""}, // no arguments: no file names either
	} {
		words := strings.Fields(c.words)
		if strings.HasSuffix(c.words, " ") {
			words = append(words, "")
		}
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, "'"+w+"'")
		}
		script := "source " + path + "; COMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" +
			string(rune('0'+len(words)-1)) + "; _vodsim; echo \"${COMPREPLY[*]}\""
		out, err := exec.Command("bash", "-c", script).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != c.want {
			t.Errorf("%q: got %q (%v), want %q", c.words, out, err, c.want)
		}
	}
}

func TestCompletionBadShell(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		r := runBin(t, args...)
		if r.code != 2 || !bytes.Contains(r.stderr, []byte("bash, zsh or fish")) || len(r.stdout) != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 naming the shells", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestNewCommandsHelp: the everyday commands' --help shows the synopsis,
// the flags, --help itself and examples.
func TestNewCommandsHelp(t *testing.T) {
	t.Parallel()
	for _, sub := range []string{"trigger", "forward", "completion", "receive"} {
		r := runBin(t, sub, "--help")
		for _, want := range []string{"Usage: vodsim " + sub, "Flags:", "-h, --help", "Examples:\n  vodsim "} {
			if r.code != 0 || !bytes.Contains(r.stdout, []byte(want)) {
				t.Errorf("%s --help: exit %d, lacks %q:\n%s", sub, r.code, want, r.stdout)
			}
		}
	}
}
