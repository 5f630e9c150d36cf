package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadNameAndFileCollide checks the documented choice when a file has
// a built-in's name: the bare name is the built-in, ./NAME the file, and
// builtin:NAME the built-in whatever the name looks like.
func TestLoadNameAndFileCollide(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(filepath.Join(dir, "chaos"), []byte("name: mine\nevents: 3\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ arg, name string }{
		{"chaos", "chaos"},
		{"builtin:chaos", "chaos"},
		{"./chaos", "mine"},
		{filepath.Join(dir, "chaos"), "mine"},
	} {
		sc, err := Load(tc.arg)
		if err != nil || sc.Name != tc.name {
			t.Errorf("Load(%q) = %v, %v; want scenario %q", tc.arg, sc, err, tc.name)
		}
	}
	if _, err := Load("builtin:nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load(builtin:nope) = %v; want ErrNotFound", err)
	}
}

func TestRead(t *testing.T) {
	sc, err := Read("stdin", strings.NewReader("events: 3\nrate: 600/m\n"))
	if err != nil || sc.Name != "stdin" || sc.Events != 3 || sc.Profile[0].From != 10 {
		t.Fatalf("Read = %+v, %v", sc, err)
	}
	_, err = Read("stdin", strings.NewReader("events: 0\n"))
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.HasPrefix(ve.Lines()[0], "stdin:1:9: events: must be at least 1") {
		t.Errorf("Read of a bad scenario = %v", err)
	}
	_, err = Read("stdin", strings.NewReader(strings.Repeat("#", MaxFileSize+1)))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Read of a large input = %v", err)
	}
}
