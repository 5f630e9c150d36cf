package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender"
	"go.yaml.in/yaml/v3"
)

func (p *parser) delivery(n *yaml.Node, s *Scenario) {
	m := p.object(n, "delivery", "duplicate", "reorder", "malformed", "delay", "signKey")
	f := &s.Faults
	if e, ok := m["duplicate"]; ok {
		f.Duplicate, _ = p.share(e.val, "delivery.duplicate")
	}
	if e, ok := m["reorder"]; ok {
		var r map[string]entry
		f.Reorder, r = p.shareOr(e.val, "delivery.reorder", "window")
		if we, ok := r["window"]; ok {
			if v, ok := p.integer(we.val, "delivery.reorder.window"); ok {
				if err := sender.CheckReorderWindow(v); err != nil {
					p.errf(we.val, "delivery.reorder.window: %v", err)
				} else {
					f.ReorderWindow = int(v)
				}
			}
		}
		if f.Reorder > 0 && f.ReorderWindow == 0 {
			f.ReorderWindow = sender.DefaultReorderWindow
		}
	}
	if e, ok := m["malformed"]; ok {
		var r map[string]entry
		f.Malformed, r = p.shareOr(e.val, "delivery.malformed", "kinds")
		if ke, ok := r["kinds"]; ok {
			f.MalformedKinds = p.kinds(ke.val)
		}
	}
	if e, ok := m["delay"]; ok {
		f.DelayMin, f.DelayMax, _ = p.durationRange(e.val, "delivery.delay")
	}
	if e, ok := m["signKey"]; ok {
		if v, ok := p.str(e.val, "delivery.signKey"); ok {
			if err := generator.CheckSignKey(v); err != nil {
				p.errf(e.val, "delivery.signKey: %v", err)
			} else {
				s.SignKey, p.signKey = v, e.val
			}
		}
	}
}

func malformationNames() []string {
	out := make([]string, len(sender.Malformations))
	for i, m := range sender.Malformations {
		out[i] = string(m)
	}
	return out
}

func (p *parser) kinds(n *yaml.Node) []sender.Malformation {
	items, ok := p.list(n, "delivery.malformed.kinds", "malformations")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.errf(n, "delivery.malformed.kinds: empty list: name at least one of %s, or remove kinds for all", strings.Join(malformationNames(), ", "))
		return nil
	}
	var out []sender.Malformation
	for i, it := range items {
		path := fmt.Sprintf("delivery.malformed.kinds[%d]", i)
		v, ok := p.str(it, path)
		if !ok {
			continue
		}
		if !slices.Contains(malformationNames(), v) {
			p.errf(it, "%s: unknown kind %q%s; kinds: %s", path, v, hint(v, malformationNames()), strings.Join(malformationNames(), ", "))
			continue
		}
		out = append(out, sender.Malformation(v))
	}
	return out
}

func (p *parser) retry(n *yaml.Node, s *Scenario) {
	m := p.object(n, "retry", "timeout", "attempts", "on", "backoff", "maxBackoff")
	r := &s.Retry
	if e, ok := m["timeout"]; ok {
		r.Timeout, _ = p.positiveDuration(e.val, "retry.timeout")
	}
	if e, ok := m["attempts"]; ok {
		if v, ok := p.integer(e.val, "retry.attempts"); ok {
			if err := sender.CheckAttempts(v); err != nil {
				p.errf(e.val, "retry.attempts: %v", err)
			} else {
				r.Attempts = int(v)
			}
		}
	}
	if e, ok := m["on"]; ok {
		items := []*yaml.Node{e.val}
		if e.val.Kind == yaml.SequenceNode {
			items, _ = p.list(e.val, "retry.on", "conditions")
			if len(items) == 0 {
				p.errf(e.val, "retry.on: empty list: name at least one of %s (to never retry, set attempts: 1)", strings.Join(sender.RetryConditionNames(), ", "))
			}
		}
		for _, it := range items {
			if it.Kind != yaml.ScalarNode || isNull(it) {
				p.wrongType(it, "retry.on", "one of "+strings.Join(sender.RetryConditionNames(), ", "))
				continue
			}
			c, err := sender.ParseRetryCondition(it.Value)
			if err != nil {
				names := sender.RetryConditionNames()
				p.errf(it, "retry.on: unknown condition %q%s; conditions: %s", it.Value, hint(it.Value, names), strings.Join(names, ", "))
				continue
			}
			r.On |= c
		}
	}
	if e, ok := m["backoff"]; ok {
		r.Backoff, _ = p.duration(e.val, "retry.backoff")
	}
	if e, ok := m["maxBackoff"]; ok {
		if v, ok := p.positiveDuration(e.val, "retry.maxBackoff"); ok {
			if v < r.Backoff {
				p.errf(e.val, "retry.maxBackoff: %v is shorter than backoff %v", v, r.Backoff)
			} else {
				r.MaxBackoff = v
			}
		}
	}
}

// shareOr reads a fault that is a share alone (reorder: 5%) or a mapping
// of its share and one more key (reorder: {share: 5%, window: 8}); it
// returns the share and, for a mapping, its entries.
func (p *parser) shareOr(n *yaml.Node, path, extra string) (float64, map[string]entry) {
	if n.Kind != yaml.MappingNode {
		v, _ := p.share(n, path)
		return v, nil
	}
	r := p.object(n, path, "share", extra)
	se, ok := r["share"]
	if !ok {
		p.errf(n, "%s: missing share", path)
		return 0, r
	}
	v, _ := p.share(se.val, path+".share")
	return v, r
}
