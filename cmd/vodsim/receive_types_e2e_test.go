package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestReceiveCountsByType: receive's summary counts the events of each
// type, in the catalog's order.
func TestReceiveCountsByType(t *testing.T) {
	t.Parallel()
	url, _, stop := startReceive(t)
	r := runBin(t, "send", "--target", url, "--count", "40", "--rate", "0", "--format", "v3",
		"--event-type", "ProcedureStateChanged,NewFileUpload", "--failure-ratio", "0")
	if r.code != 0 {
		t.Fatalf("send exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	rest, code := stop()
	if code != 0 {
		t.Errorf("receive exit %d, want 0", code)
	}
	line := ""
	for _, l := range strings.Split(rest, "\n") {
		if strings.HasPrefix(l, "vodsim receive: by type: ") {
			line = strings.TrimPrefix(l, "vodsim receive: by type: ")
		}
	}
	// Both types, NewFileUpload first (the catalog's order), 40 in all.
	var names []string
	total := 0
	for _, part := range strings.Split(line, ", ") {
		var name string
		var n int
		if _, err := fmt.Sscan(part, &name, &n); err != nil {
			t.Fatalf("by-type line %q: %v", line, err)
		}
		names = append(names, name)
		total += n
	}
	if strings.Join(names, ",") != "NewFileUpload,ProcedureStateChanged" || total != 40 {
		t.Errorf("by-type line %q, want NewFileUpload and ProcedureStateChanged adding up to 40 (summary:\n%s)", line, rest)
	}
}
