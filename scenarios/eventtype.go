package scenarios

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vodsim/vodsim/generator"
)

// eventType reads an outcome's eventType: the name of a catalog type (see
// 'vodsim events'), checked against what the outcome asks of it. It
// returns "" for the sprite event, the default.
func (p *parser) eventType(n *yaml.Node, path string, o generator.Outcome) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.errf(n, "%s: want an event type name such as ProcedureStateChanged (see 'vodsim events')", path)
		return ""
	}
	k, ok := generator.LookupKind(n.Value)
	if !ok {
		names := make([]string, len(generator.Kinds))
		for i, k := range generator.Kinds {
			names[i] = k.Name
		}
		p.errf(n, "%s: unknown event type %q%s; 'vodsim events' lists them", path, n.Value, hint(strings.TrimSpace(n.Value), names))
		return ""
	}
	if k.Name == generator.EventType {
		return ""
	}
	if o.Failure != nil && !k.CanFail {
		p.errf(n, "%s: %s has no failure: remove the failure", path, k.Name)
	}
	if o.Failure != nil && k.CanFail {
		for _, c := range o.Failure.Codes {
			if err := k.CheckCode(c); err != nil {
				p.errf(n, "%s: %v", path, err)
				break
			}
		}
	}
	if s := o.Success; s != nil && (s.Template != (generator.Template{}) || s.MinDuration != 0 || s.MaxDuration != 0) {
		p.errf(n, "%s: template and videoDuration describe %s only: remove them from this outcome", path, generator.EventType)
	}
	if !k.Legacy {
		p.v3Only = append(p.v3Only, n)
	}
	return k.Name
}

// checkEventTypes reports the outcomes whose type VOD sends only in the
// 3.0 format when the scenario's format is another.
func (p *parser) checkEventTypes(f generator.Format) {
	if f == generator.FormatV3 {
		return
	}
	for _, n := range p.v3Only {
		p.errf(n, "event type %s: VOD sends it only in the 3.0 format; set format: v3", n.Value)
	}
}
