package main

import (
	"strings"
	"testing"
)

// TestScenariosShowEmpty: --show with an empty name is a mistake to point
// out, not a request for the list.
func TestScenariosShowEmpty(t *testing.T) {
	t.Parallel()
	r := runBin(t, "scenarios", "--show", "")
	if r.code != 2 || len(r.stdout) != 0 || !strings.Contains(string(r.stderr), "--show: empty") {
		t.Errorf("scenarios --show '': exit %d, stdout %q, stderr %q; want exit 2 naming --show", r.code, r.stdout, r.stderr)
	}
}
