package scenarios

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/vodsim/vodsim/generator"
	"go.yaml.in/yaml/v3"
)

func (p *parser) outcomes(n *yaml.Node) []generator.Outcome {
	items, ok := p.list(n, "outcomes", "outcomes like {weight: 95, success: {}}")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.errf(n, "outcomes: empty list: give at least one outcome, or remove outcomes for the default mix")
		return nil
	}
	out := make([]generator.Outcome, 0, len(items))
	total, allRead := 0.0, true
	for i, it := range items {
		path := fmt.Sprintf("outcomes[%d]", i)
		m := p.object(it, path, "weight", "success", "failure", "eventType")
		if m == nil {
			allRead = false
			continue
		}
		o := generator.Outcome{Weight: 1}
		if e, ok := m["weight"]; ok {
			if v, ok := p.number(e.val, path+".weight"); ok {
				if v < 0 {
					p.errf(e.val, "%s.weight: %s is negative: a weight must be 0 or more", path, e.val.Value)
					allRead = false
				} else {
					o.Weight = v
				}
			} else {
				allRead = false
			}
		}
		succ, hasS := m["success"]
		fail, hasF := m["failure"]
		switch {
		case hasS && hasF:
			p.errf(fail.key, "%s: give either success or failure, not both", path)
		case hasS:
			o.Success = p.success(succ.val, path+".success")
		case hasF:
			o.Failure = p.failure(fail.val, path+".failure")
		default:
			p.errf(it, "%s: say what happens: add success: {} or failure: {}", path)
		}
		if e, ok := m["eventType"]; ok {
			o.EventType = p.eventType(e.val, path+".eventType", o)
		}
		total += o.Weight
		out = append(out, o)
	}
	if allRead && !(total > 0) {
		p.errf(n, "outcomes: every weight is 0: at least one outcome needs a weight above 0")
	}
	if math.IsInf(total, 0) {
		p.errf(n, "outcomes: the weights add up to more than a float can hold")
	}
	return out
}

func (p *parser) success(n *yaml.Node, path string) *generator.Success {
	s := &generator.Success{}
	if isNull(n) {
		return s
	}
	m := p.object(n, path, "template", "videoDuration")
	if e, ok := m["template"]; ok {
		if t, ok := p.template(e.val, path+".template"); ok {
			s.Template = t
		}
	}
	if e, ok := m["videoDuration"]; ok {
		if lo, hi, ok := p.durationRange(e.val, path+".videoDuration"); ok {
			switch {
			case lo <= 0:
				p.errf(e.val, "%s.videoDuration: a video lasts longer than 0", path)
			case hi > generator.MaxVideoDuration:
				p.errf(e.val, "%s.videoDuration: %v is over %.0fs (7 days), the longest source VOD processes", path, hi, generator.MaxVideoDuration.Seconds())
			default:
				s.MinDuration, s.MaxDuration = lo, hi
			}
		}
	}
	return s
}

func (p *parser) template(n *yaml.Node, path string) (generator.Template, bool) {
	if isNumber(n) {
		v, ok := p.integer(n, path)
		if !ok {
			return generator.Template{}, false
		}
		if v != int64(generator.PresetTemplate.Definition) {
			p.errf(n, "%s: %d is not the preset 10: describe a custom template as {definition: %d, grid: 10x10, tile: 320x180, interval: 10s, format: jpg}",
				path, v, max(v, generator.MinCustomDefinition))
			return generator.Template{}, false
		}
		return generator.PresetTemplate, true
	}
	m := p.object(n, path, "definition", "grid", "tile", "interval", "format")
	if m == nil {
		return generator.Template{}, false
	}
	e, ok := m["definition"]
	if !ok {
		p.errf(n, "%s: missing definition (the template id: 10 or %d and up)", path, generator.MinCustomDefinition)
		return generator.Template{}, false
	}
	def, ok := p.integer(e.val, path+".definition")
	if !ok {
		return generator.Template{}, false
	}
	if def == int64(generator.PresetTemplate.Definition) {
		if len(m) > 1 {
			p.errf(n, "%s: template 10 is the fixed preset (10x10 tiles of 142x80 jpg every 10s); give only definition: 10, or use an id from %d for a custom one",
				path, generator.MinCustomDefinition)
			return generator.Template{}, false
		}
		return generator.PresetTemplate, true
	}
	if def < generator.MinCustomDefinition || def > math.MaxInt32 {
		p.errf(e.val, "%s.definition: %d: must be 10 (the preset) or a custom id from %d", path, def, generator.MinCustomDefinition)
		return generator.Template{}, false
	}
	t := generator.Template{Definition: int(def), Rows: 10, Columns: 10, Interval: generator.PresetTemplate.Interval, Format: "jpg"}
	good := true
	if e, ok := m["grid"]; ok {
		var g bool
		t.Columns, t.Rows, g = p.dims(e.val, path+".grid", "10x10 (columns x rows)")
		if g && (t.Columns < 1 || t.Rows < 1) {
			p.errf(e.val, "%s.grid: %q: columns and rows must be at least 1", path, e.val.Value)
			g = false
		}
		good = good && g
	}
	if e, ok := m["tile"]; ok {
		var g bool
		t.Width, t.Height, g = p.dims(e.val, path+".tile", "320x180 (width x height in px, 0 keeps the aspect ratio)")
		good = good && g
	}
	if e, ok := m["interval"]; ok {
		var g bool
		t.Interval, g = p.positiveDuration(e.val, path+".interval")
		if g && (t.Interval < generator.MinInterval || t.Interval%time.Second != 0) {
			p.errf(e.val, "%s.interval: %v: must be a whole number of seconds, at least 1s (VOD samples by the second)", path, t.Interval)
			g = false
		}
		good = good && g
	}
	if e, ok := m["format"]; ok {
		if v, ok := p.str(e.val, path+".format"); ok {
			t.Format = strings.ToLower(v)
		} else {
			good = false
		}
	}
	if !good {
		return generator.Template{}, false
	}
	if err := t.Validate(); err != nil {
		p.errf(n, "%s: %v", path, err)
		return generator.Template{}, false
	}
	return t, true
}

func familyNames() []string {
	out := make([]string, len(generator.Families))
	for i, f := range generator.Families {
		out[i] = f.Name
	}
	return out
}

func (p *parser) failure(n *yaml.Node, path string) *generator.Failure {
	f := &generator.Failure{}
	if isNull(n) {
		return f
	}
	m := p.object(n, path, "codes", "family", "message")
	if e, ok := m["codes"]; ok {
		if items, ok := p.list(e.val, path+".codes", "error codes like -43001"); ok {
			if len(items) == 0 {
				p.errf(e.val, "%s.codes: empty list: give at least one code, or remove codes", path)
			}
			for i, it := range items {
				cp := fmt.Sprintf("%s.codes[%d]", path, i)
				v, ok := p.integer(it, cp)
				switch {
				case !ok:
				case v == 0:
					p.errf(it, "%s: 0 means success, not a failure code", cp)
				case v < math.MinInt32 || v > math.MaxInt32:
					p.errf(it, "%s: %d is out of range for a status code", cp, v)
				default:
					f.Codes = append(f.Codes, int(v))
				}
			}
		}
	}
	if e, ok := m["family"]; ok {
		var names []*yaml.Node
		if e.val.Kind == yaml.SequenceNode {
			names, _ = p.list(e.val, path+".family", "family names")
			if len(names) == 0 {
				p.errf(e.val, "%s.family: empty list: name at least one family (%s)", path, strings.Join(familyNames(), ", "))
			}
		} else {
			names = []*yaml.Node{e.val}
		}
		for _, fn := range names {
			name, ok := p.str(fn, path+".family")
			if !ok {
				continue
			}
			codes := generator.FamilyCodes(name)
			if codes == nil {
				p.errf(fn, "%s: unknown family %q%s; families: %s", path+".family", name, hint(name, familyNames()), strings.Join(familyNames(), ", "))
				continue
			}
			f.Codes = append(f.Codes, codes...)
		}
	}
	if e, ok := m["message"]; ok {
		if v, ok := p.str(e.val, path+".message"); ok {
			f.Message = &v
		}
	}
	return f
}
