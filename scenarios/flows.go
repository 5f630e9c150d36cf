package scenarios

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/vodsim/vodsim/generator"
)

// flows reads the top-level flows: what happens to each file, in order.
//
//	flows:
//	  - weight: 3
//	    steps:
//	      - NewFileUpload
//	      - {eventType: ProcedureStateChanged, after: 30s..5m, changes: 2, failure: 5%}
//	      - {eventType: FileDeleted, after: 1h..48h}
func (p *parser) flows(e entry, top map[string]entry) []generator.Flow {
	for _, other := range []string{"outcomes", "replay"} {
		if _, ok := top[other]; ok {
			p.errf(e.key, "flows: a scenario gives either flows or %s, not both", other)
			return nil
		}
	}
	items, ok := p.list(e.val, "flows", "flows like [{weight: 1, steps: [NewFileUpload, ProcedureStateChanged]}]")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.errf(e.val, "flows: empty list: give at least one flow, or remove flows")
		return nil
	}
	out := make([]generator.Flow, 0, len(items))
	total := 0.0
	for i, it := range items {
		path := fmt.Sprintf("flows[%d]", i)
		m := p.object(it, path, "weight", "steps")
		if m == nil {
			continue
		}
		f := generator.Flow{Weight: 1}
		if w, ok := m["weight"]; ok {
			if v, ok := p.number(w.val, path+".weight"); ok {
				if v < 0 {
					p.errf(w.val, "%s.weight: %s is negative: a weight must be 0 or more", path, w.val.Value)
				} else {
					f.Weight = v
				}
			}
		}
		s, ok := m["steps"]
		if !ok {
			p.errf(it, "%s: missing steps: the file's events in order, like [NewFileUpload, ProcedureStateChanged]", path)
			continue
		}
		f.Steps = p.steps(s.val, path+".steps")
		total += f.Weight
		out = append(out, f)
	}
	if len(out) == len(items) && !(total > 0) {
		p.errf(e.val, "flows: every weight is 0: at least one flow needs a weight above 0")
	}
	return out
}

func (p *parser) steps(n *yaml.Node, path string) []generator.Step {
	items, ok := p.list(n, path, "a list of event types or {eventType: NAME, after: 1m..5m}")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.errf(n, "%s: empty list: a flow has at least one step", path)
		return nil
	}
	var out []generator.Step
	for i, it := range items {
		sp := fmt.Sprintf("%s[%d]", path, i)
		var st generator.Step
		var nameNode *yaml.Node
		if d := deref(it); d != nil && d.Kind == yaml.ScalarNode {
			nameNode = d
		} else {
			m := p.object(it, sp, "eventType", "after", "failure", "changes")
			if m == nil {
				continue
			}
			e, ok := m["eventType"]
			if !ok {
				p.errf(it, "%s: missing eventType", sp)
				continue
			}
			nameNode = e.val
			if a, ok := m["after"]; ok {
				st.MinGap, st.MaxGap, _ = p.durationRange(a.val, sp+".after")
			}
			if f, ok := m["failure"]; ok {
				st.FailureRatio, _ = p.share(f.val, sp+".failure")
			}
			if c, ok := m["changes"]; ok {
				if v, ok := p.integer(c.val, sp+".changes"); ok {
					if v < 0 || v > generator.MaxChanges {
						p.errf(c.val, "%s.changes: %d is outside 0..%d", sp, v, generator.MaxChanges)
					} else {
						st.Changes = int(v)
					}
				}
			}
		}
		o := generator.Outcome{Success: &generator.Success{}}
		if st.FailureRatio > 0 {
			o = generator.Outcome{Failure: &generator.Failure{}}
		}
		st.EventType = p.eventType(nameNode, sp+".eventType", o)
		if st.EventType == "" {
			if generator.EventType == nameNodeValue(nameNode) {
				p.errf(nameNode, "%s.eventType: %s is not made in flows: name another type", sp, generator.EventType)
			}
			continue
		}
		if st.Changes > 0 && st.EventType != "ProcedureStateChanged" {
			p.errf(nameNode, "%s: changes apply to ProcedureStateChanged only", sp)
		}
		out = append(out, st)
	}
	return out
}

func nameNodeValue(n *yaml.Node) string {
	if k, ok := generator.LookupKind(n.Value); ok {
		return k.Name
	}
	return ""
}
