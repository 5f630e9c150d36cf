package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vodsim/vodsim/internal/value"
)

// This file turns scalar nodes into values. Each helper reports a problem at
// the node and returns ok == false when the value is not usable.

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		default:
			return fmt.Sprintf("a %s value", n.ShortTag())
		}
	}
	return "an unexpected node"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func isString(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" }

func isNumber(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float")
}

func (p *parser) wrongType(n *yaml.Node, path, want string) {
	p.errf(n, "%s: want %s, got %s", path, want, kindName(n))
}

func (p *parser) str(n *yaml.Node, path string) (string, bool) {
	if !isString(n) {
		p.wrongType(n, path, "a string")
		return "", false
	}
	return n.Value, true
}

func (p *parser) boolean(n *yaml.Node, path string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		p.wrongType(n, path, "true or false")
		return false, false
	}
	var v bool
	if err := n.Decode(&v); err != nil {
		p.wrongType(n, path, "true or false")
		return false, false
	}
	return v, true
}

// wholeNumber matches a plain decimal integer, which YAML tags as a float
// when it does not fit 64 bits.
var wholeNumber = regexp.MustCompile(`^[-+]?[0-9][0-9_]*$`)

func (p *parser) integer(n *yaml.Node, path string) (int64, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" && wholeNumber.MatchString(n.Value) {
		p.errf(n, "%s: %s is out of range (%d to %d)", path, n.Value, int64(math.MinInt64), int64(math.MaxInt64))
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		p.wrongType(n, path, "a whole number")
		return 0, false
	}
	var v int64
	if err := n.Decode(&v); err != nil {
		p.errf(n, "%s: %s is out of range", path, n.Value)
		return 0, false
	}
	return v, true
}

func (p *parser) number(n *yaml.Node, path string) (float64, bool) {
	if !isNumber(n) {
		p.wrongType(n, path, "a number")
		return 0, false
	}
	var v float64
	if err := n.Decode(&v); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		p.errf(n, "%s: %s is not a finite number", path, n.Value)
		return 0, false
	}
	return v, true
}

// parseDuration accepts Go durations ("30s", "1h30m", "200ms") and "0",
// as a flag does.
func parseDuration(s string) (time.Duration, error) { return value.ParseDuration(s) }

// duration reads a duration >= 0; the number 0 is accepted too.
func (p *parser) duration(n *yaml.Node, path string) (time.Duration, bool) {
	if isNumber(n) && n.Value == "0" {
		return 0, true
	}
	if !isString(n) {
		p.wrongType(n, path, "a duration like 30s")
		return 0, false
	}
	d, err := parseDuration(n.Value)
	if err != nil {
		p.errf(n, "%s: %v", path, err)
		return 0, false
	}
	return d, true
}

// positiveDuration reads a duration > 0.
func (p *parser) positiveDuration(n *yaml.Node, path string) (time.Duration, bool) {
	d, ok := p.duration(n, path)
	if ok && d <= 0 {
		p.errf(n, "%s: must be longer than 0", path)
		return 0, false
	}
	return d, ok
}

// durationRange reads "LO..HI" or a single duration (LO == HI).
func (p *parser) durationRange(n *yaml.Node, path string) (lo, hi time.Duration, ok bool) {
	if isNumber(n) && n.Value == "0" {
		return 0, 0, true
	}
	if !isString(n) {
		p.wrongType(n, path, "a duration or a range like 0..200ms")
		return 0, 0, false
	}
	a, b, isRange := strings.Cut(n.Value, "..")
	if !isRange {
		d, err := parseDuration(a)
		if err != nil {
			p.errf(n, "%s: %v", path, err)
			return 0, 0, false
		}
		return d, d, true
	}
	var err error
	if lo, err = parseDuration(a); err != nil {
		p.errf(n, "%s: range start %v", path, err)
		return 0, 0, false
	}
	if hi, err = parseDuration(b); err != nil {
		p.errf(n, "%s: range end %v", path, err)
		return 0, 0, false
	}
	if hi < lo {
		p.errf(n, "%s: range %s is backwards: the start must not exceed the end", path, n.Value)
		return 0, 0, false
	}
	return lo, hi, true
}

// share reads a share of events: "2%", "0.5%" or a fraction 0..1, as a
// flag does.
func (p *parser) share(n *yaml.Node, path string) (float64, bool) {
	if !isNumber(n) && !isString(n) {
		p.wrongType(n, path, "a percentage like 2% (or a fraction 0..1)")
		return 0, false
	}
	v, err := value.ParseShare(n.Value)
	if err != nil {
		p.errf(n, "%s: %v", path, err)
		return 0, false
	}
	return v, true
}

// parseRate reads one rate in events per second, as a flag does: "50/s",
// "600/m", "10/h" or a bare number (per second), 0 or more.
func parseRate(s string) (float64, error) { return value.ParseRate(s) }

// rate reads "50/s" (from == to) or a ramp "10/s -> 200/s".
// A rate of 0 is read as 0; the caller says whether it is allowed.
func (p *parser) rate(n *yaml.Node, path string) (from, to float64, ok bool) {
	if isNumber(n) {
		v, err := parseRate(n.Value)
		if err != nil {
			p.errf(n, "%s: %v", path, err)
			return 0, 0, false
		}
		return v, v, true
	}
	if !isString(n) {
		p.wrongType(n, path, "a rate like 50/s or a ramp like 10/s -> 200/s")
		return 0, 0, false
	}
	if strings.Count(n.Value, "->") > 1 {
		p.errf(n, "%s: a ramp goes from one rate to one other: write one phase per leg, like 10/s -> 20/s", path)
		return 0, 0, false
	}
	a, b, ramp := strings.Cut(n.Value, "->")
	var err error
	if from, err = parseRate(a); err != nil {
		p.errf(n, "%s: %v", path, err)
		return 0, 0, false
	}
	if !ramp {
		return from, from, true
	}
	if strings.TrimSpace(b) == "" {
		p.errf(n, "%s: ramp %q has no end rate: write it like 10/s -> 200/s", path, n.Value)
		return 0, 0, false
	}
	if to, err = parseRate(b); err != nil {
		p.errf(n, "%s: ramp end: %v", path, err)
		return 0, 0, false
	}
	return from, to, true
}

// dims reads "AxB" of whole numbers, such as a grid "10x10" or a tile size
// "160x90".
func (p *parser) dims(n *yaml.Node, path, example string) (a, b int, ok bool) {
	// "0x180" reads as a hexadecimal number in YAML: take the text as written.
	if !isString(n) && !isNumber(n) {
		p.wrongType(n, path, "a size like "+example)
		return 0, 0, false
	}
	x, y, found := strings.Cut(strings.ToLower(strings.TrimSpace(n.Value)), "x")
	av, err1 := strconv.Atoi(strings.TrimSpace(x))
	bv, err2 := strconv.Atoi(strings.TrimSpace(y))
	if !found || err1 != nil || err2 != nil || av < 0 || bv < 0 || av > 1e6 || bv > 1e6 {
		p.errf(n, "%s: %q is not a size like %s", path, n.Value, example)
		return 0, 0, false
	}
	return av, bv, true
}
