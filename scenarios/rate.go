package scenarios

import (
	"fmt"

	"github.com/vodsim/vodsim/sender/pace"
	"go.yaml.in/yaml/v3"
)

func (p *parser) phases(n *yaml.Node) pace.Profile {
	items, ok := p.list(n, "phases", "phases like {duration: 30s, rate: 10/s}")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.errf(n, "phases: empty list: give at least one phase, or a plain rate")
		return nil
	}
	var prof pace.Profile
	for i, it := range items {
		path := fmt.Sprintf("phases[%d]", i)
		m := p.object(it, path, "duration", "rate", "steps")
		if m == nil {
			continue
		}
		var ph pace.Phase
		good := true
		if e, ok := m["duration"]; ok {
			ph.Duration, ok = p.positiveDuration(e.val, path+".duration")
			good = good && ok
		} else {
			p.errf(it, "%s: missing duration", path)
			good = false
		}
		if e, ok := m["rate"]; ok {
			ph.From, ph.To, ok = p.rate(e.val, path+".rate")
			if ok && (ph.From == 0 || ph.To == 0) {
				p.errf(e.val, "%s.rate: %q: a phase's rate must be more than 0 (as fast as possible is a plain rate: 0)", path, e.val.Value)
				ok = false
			}
			good = good && ok
		} else {
			p.errf(it, "%s: missing rate", path)
			good = false
		}
		if e, ok := m["steps"]; ok {
			if v, ok := p.integer(e.val, path+".steps"); ok {
				switch {
				case v < 1 || v > 10000:
					p.errf(e.val, "%s.steps: must be 1 to 10000, got %d", path, v)
				case good && ph.From == ph.To:
					p.errf(e.val, "%s.steps: steps need a ramp like 10/s -> 100/s", path)
				default:
					ph.Steps = int(v)
				}
			}
		}
		if good {
			prof = append(prof, ph)
		}
	}
	return prof
}
