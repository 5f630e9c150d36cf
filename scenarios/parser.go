package scenarios

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/pace"
)

// parser walks a YAML node tree and collects every problem it finds.
type parser struct {
	file       string
	dir        string
	allowFiles bool
	probs      []Problem
	merges     int        // mappings merged so far, bounded by maxMerges
	mergeDepth int        // merges being expanded inside one another
	tooMany    bool       // the merge limit was reported
	data       []byte     // the file, to place errors the YAML library gives no line for
	signKey    *yaml.Node // delivery.signKey's value, to place a rule across keys
	version    *yaml.Node // fields.version's value, likewise

	v3Only []*yaml.Node // outcomes' eventType values of 3.0-only types
}

// Limits on "<<" merges, so that a merge of itself or a chain of merges
// that multiplies cannot run away.
const (
	maxMerges     = 1000
	maxMergeDepth = 16
)

func (p *parser) errf(n *yaml.Node, format string, a ...any) {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, max(n.Column, 1)
	}
	p.probs = append(p.probs, Problem{Line: line, Column: col, Message: fmt.Sprintf(format, a...)})
}

// Top-level keys, in the order the documentation gives them.
var topKeys = []string{"name", "description", "seed", "format", "events", "duration",
	"rate", "phases", "outcomes", "fields", "delivery", "retry", "replay", "flows"}

func (p *parser) parse(data []byte) *Scenario {
	s := &Scenario{}
	root := p.decodeYAML(data)
	if root == nil {
		return s
	}
	if root.Kind != yaml.MappingNode {
		p.wrongType(root, "scenario", "a mapping of keys such as name, events, outcomes")
		return s
	}
	m := p.object(root, "", topKeys...)
	if e, ok := m["name"]; ok {
		if v, ok := p.str(e.val, "name"); ok {
			if strings.TrimSpace(v) == "" {
				p.errf(e.val, "name: must not be empty")
			}
			s.Name = v
		}
	}
	if e, ok := m["description"]; ok {
		s.Description, _ = p.str(e.val, "description")
	}
	if e, ok := m["seed"]; ok {
		if v, ok := p.integer(e.val, "seed"); ok {
			s.Seed, s.HasSeed = v, true
			s.Generator.Seed = v
		}
	}
	if e, ok := m["format"]; ok {
		if e.val.Kind != yaml.ScalarNode || isNull(e.val) {
			p.wrongType(e.val, "format", "v4 or v3")
		} else if f, err := generator.ParseFormat(e.val.Value); err != nil {
			p.errf(e.val, "format: %v", err)
		} else {
			s.Encoding.Format = f
		}
	}
	if e, ok := m["events"]; ok {
		if v, ok := p.integer(e.val, "events"); ok {
			if v < 1 {
				p.errf(e.val, "events: must be at least 1, got %d", v)
			} else {
				s.Events = uint64(v)
			}
		}
	}
	if e, ok := m["duration"]; ok {
		// 0 is no limit, as --duration 0.
		s.Duration, _ = p.duration(e.val, "duration")
	}
	rate, hasRate := m["rate"]
	phases, hasPhases := m["phases"]
	s.HasRate = hasRate || hasPhases
	switch {
	case hasRate && hasPhases:
		p.errf(phases.key, "phases: give either rate or phases, not both")
	case hasRate:
		if from, to, ok := p.rate(rate.val, "rate"); ok {
			switch {
			case from != to:
				p.errf(rate.val, "rate: a ramp needs a duration: write it as a phase, e.g. phases: [{duration: 60s, rate: %s}]", rate.val.Value)
			case from == 0:
				// As fast as the receiver allows, as --rate 0.
			default:
				// One phase whose rate then holds for the rest of the run.
				d := s.Duration
				if d == 0 {
					d = 1e9
				}
				s.Profile = pace.Profile{{Duration: d, From: from, To: from}}
			}
		}
	case hasPhases:
		s.Profile = p.phases(phases.val)
	}
	outcomes, hasOutcomes := m["outcomes"]
	if hasOutcomes {
		s.Generator.Outcomes = p.outcomes(outcomes.val)
	}
	if e, ok := m["flows"]; ok {
		s.Generator.Flows = p.flows(e, m)
	}
	fields, hasFields := m["fields"]
	if hasFields {
		p.fields(fields.val, s)
	}
	if e, ok := m["delivery"]; ok {
		p.delivery(e.val, s)
	}
	if e, ok := m["retry"]; ok {
		p.retry(e.val, s)
	}
	if e, ok := m["replay"]; ok {
		if hasOutcomes {
			p.errf(e.key, "replay: replayed fixtures cannot be mixed with outcomes; remove one of them")
		}
		if hasFields {
			p.errf(e.key, "replay: replayed fixtures keep their own fields; remove fields")
		}
		s.Replay = p.replay(e.val)
		if len(s.Replay) > 0 && s.Events == 0 && s.Duration == 0 {
			s.Events = uint64(len(s.Replay))
		}
	}
	if s.SignKey != "" && s.Encoding.Format != generator.FormatV3 {
		p.errf(p.signKey, "delivery.signKey: signing is part of the 3.0 format; set format: v3")
	}
	p.checkEventTypes(s.Encoding.Format)
	if s.Encoding.NumericVersion && s.Encoding.Format == generator.FormatV3 {
		p.errf(p.version, "fields.version: the number 4 is a quirk of the 4.0 format; remove it or set format: v4")
	}
	// A backstop: what the generator itself rejects, should a rule above
	// have missed it.
	if len(p.probs) == 0 && s.Replay == nil {
		if _, err := generator.New(s.Generator); err != nil {
			p.errf(root, "%v", err)
		}
	}
	return s
}
