package scenarios

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Problem is one thing wrong in a scenario file, at a 1-based line and
// column. The zero value is not a real problem; Parse never returns one.
type Problem struct {
	Line, Column int
	Message      string
}

// ValidationError lists every problem found in one file, in file order. Its
// Error method gives one "FILE:LINE:COL: message" line per problem. It is
// a plain value: safe for concurrent reads.
type ValidationError struct {
	File     string
	Problems []Problem
}

// Error returns the problems, one "FILE:LINE:COL: message" per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s", e.File, p.Line, p.Column, p.Message)
	}
	return b.String()
}

// Lines returns the problems as "FILE:LINE:COL: message" strings.
func (e *ValidationError) Lines() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = fmt.Sprintf("%s:%d:%d: %s", e.File, p.Line, p.Column, p.Message)
	}
	return out
}

func (e *ValidationError) sort() {
	sort.SliceStable(e.Problems, func(i, j int) bool {
		a, b := e.Problems[i], e.Problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	// A mapping merged in twice reports its problems twice: keep one.
	e.Problems = slices.Compact(e.Problems)
}

// suggest returns the candidate closest to s, if it is close enough to be
// the likely intent: the same but for case, or a few edits away.
func suggest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if strings.EqualFold(s, c) {
			return c
		}
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(1, len(s)/3)
	if bestD <= limit {
		return best
	}
	return ""
}

// editDistance is the optimal string alignment distance of a and b, in
// bytes: insertions, deletions, substitutions and swaps of neighbours each
// cost 1, so "nmae" is one edit from "name".
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func hint(s string, candidates []string) string {
	if h := suggest(s, candidates); h != "" {
		return fmt.Sprintf(" (did you mean %q?)", h)
	}
	return ""
}
