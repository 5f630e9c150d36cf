package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/vodsim/vodsim/fixtures"
	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender"
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

// entry is one key: value pair of a mapping.
type entry struct{ key, val *yaml.Node }

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	return n
}

// object checks that n is a mapping whose keys are all in keys, reporting
// unknown and repeated keys, and returns the entries by key.
func (p *parser) object(n *yaml.Node, path string, keys ...string) map[string]entry {
	if n.Kind != yaml.MappingNode {
		p.wrongType(n, path, "a mapping of "+strings.Join(keys, ", "))
		return nil
	}
	out := make(map[string]entry, len(n.Content)/2)
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k == nil || v == nil {
			continue
		}
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, v)
			continue
		}
		name := k.Value
		if k.Kind != yaml.ScalarNode {
			p.errf(k, "%s: a key must be a plain name, got %s", orTop(path), kindName(k))
			continue
		}
		if path == "" && strings.HasPrefix(name, "x-") {
			continue // an extension key, a place for anchors: ignored
		}
		where := join(path, name)
		if !slices.Contains(keys, name) {
			if h := hint(name, keys); h != "" {
				p.errf(k, "%s: unknown key %q%s", orTop(path), name, h)
			} else {
				p.errf(k, "%s: unknown key %q; known keys here: %s", orTop(path), name, strings.Join(keys, ", "))
			}
			continue
		}
		if prev, dup := out[name]; dup {
			p.errf(k, "%s: repeated key (first set on line %d)", where, prev.key.Line)
			continue
		}
		out[name] = entry{k, v}
	}
	// "<<: *anchor" merges another mapping's keys; keys written here win.
	for _, v := range merged {
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources, _ = p.list(v, path, "mappings to merge")
		}
		for _, src := range sources {
			if src.Kind != yaml.MappingNode {
				p.wrongType(src, join(path, "<<"), "a mapping to merge")
				continue
			}
			if p.merges++; p.merges > maxMerges || p.mergeDepth >= maxMergeDepth {
				if !p.tooMany {
					p.tooMany = true
					p.errf(src, "%s: merges (<<) nest deeper than %d or number more than %d; is a mapping merged into itself?", join(path, "<<"), maxMergeDepth, maxMerges)
				}
				return out
			}
			p.mergeDepth++
			got := p.object(src, path, keys...)
			p.mergeDepth--
			for name, e := range got {
				if _, set := out[name]; !set {
					out[name] = e
				}
			}
		}
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orTop(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}

// list checks that n is a list and returns its items.
func (p *parser) list(n *yaml.Node, path, want string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		p.wrongType(n, path, "a list of "+want)
		return nil, false
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		if c = deref(c); c != nil {
			out = append(out, c)
		}
	}
	return out, true
}

// parserProblems start the messages of the YAML library's parser errors.
var parserProblems = []string{"did not find expected ','", "did not find expected '-' indicator",
	"did not find expected <", "did not find expected key", "did not find expected node content",
	"found duplicate %", "found incompatible", "found undefined tag handle"}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// unknownAnchor matches the one YAML error that comes without a line.
var unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// findAlias returns the 1-based line and column of the first alias *name
// in the file.
func (p *parser) findAlias(name string) (line, col int, ok bool) {
	alias := []byte("*" + name)
	for off := 0; ; {
		i := bytes.Index(p.data[off:], alias)
		if i < 0 {
			return 0, 0, false
		}
		at := off + i
		end := at + len(alias)
		// The name must end here: aliases end at a space, comma,
		// bracket or line end.
		if end == len(p.data) || bytes.IndexByte([]byte(" \t\r\n,]}"), p.data[end]) >= 0 {
			line = 1 + bytes.Count(p.data[:at], []byte("\n"))
			col = 1 + utf8.RuneCount(p.data[bytes.LastIndexByte(p.data[:at], '\n')+1:at])
			return line, col, true
		}
		off = at + 1
	}
}

// decodeYAML parses data into a document node, reporting syntax errors.
func (p *parser) decodeYAML(data []byte) (root *yaml.Node) {
	defer func() {
		if r := recover(); r != nil {
			p.probs = append(p.probs, Problem{1, 1, fmt.Sprintf("the YAML parser failed: %v", r)})
			root = nil
		}
	}()
	p.data = trimBOM(data)
	dec := yaml.NewDecoder(strings.NewReader(string(p.data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.probs = append(p.probs, Problem{1, 1, "the file is empty: a scenario is a mapping such as {name: demo, events: 10}"})
			return nil
		}
		p.syntaxError(err)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		p.errf(&next, "a second YAML document: a file holds one scenario")
	case !errors.Is(err, io.EOF):
		p.syntaxError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.probs = append(p.probs, Problem{1, 1, "the file is empty: a scenario is a mapping such as {name: demo, events: 10}"})
		return nil
	}
	return deref(doc.Content[0])
}

func (p *parser) syntaxError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// The YAML library counts lines from 0 for parser (not scanner)
		// errors; it then names the line where the unfinished construct
		// starts.
		for _, pm := range parserProblems {
			if strings.HasPrefix(msg, pm) {
				line++
				break
			}
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
			if l, c, ok := p.findAlias(m[1]); ok {
				p.probs = append(p.probs, Problem{l, c, "YAML syntax error: " + msg + " (an alias *" + m[1] + " must come after its anchor &" + m[1] + ")"})
				return
			}
		}
	}
	p.probs = append(p.probs, Problem{line, 1, "YAML syntax error: " + msg})
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

var fieldKeys = []string{"appId", "scheme", "host", "fileId", "fileIds", "webVttUrl", "version"}

func (p *parser) fields(n *yaml.Node, s *Scenario) {
	m := p.object(n, "fields", fieldKeys...)
	if e, ok := m["appId"]; ok {
		if v, ok := p.integer(e.val, "fields.appId"); ok {
			if v < 1 {
				p.errf(e.val, "fields.appId: must be a positive account id like 1255566655, got %d", v)
			} else {
				s.Generator.AppID = uint64(v)
			}
		}
	}
	if e, ok := m["scheme"]; ok {
		if v, ok := p.str(e.val, "fields.scheme"); ok {
			if v != "http" && v != "https" {
				p.errf(e.val, "fields.scheme: %q: want http or https", v)
			} else {
				s.Generator.Scheme = v
			}
		}
	}
	if e, ok := m["host"]; ok {
		if v, ok := p.str(e.val, "fields.host"); ok {
			u, err := url.Parse("http://" + v + "/")
			switch {
			case v == "" || err != nil || u.Host != v || u.User != nil || u.Hostname() == "":
				p.errf(e.val, "fields.host: %q is not a host name like 1255566655.vod2.myqcloud.com", v)
			case u.Port() != "" && !validPort(u.Port()):
				p.errf(e.val, "fields.host: %q: port %s is not 1 to 65535", v, u.Port())
			default:
				s.Generator.Host = v
			}
		}
	}
	one, hasOne := m["fileId"]
	many, hasMany := m["fileIds"]
	switch {
	case hasOne && hasMany:
		p.errf(many.key, "fields.fileIds: give either fileId or fileIds, not both")
	case hasOne:
		if id, ok := p.fileID(one.val, "fields.fileId"); ok {
			s.Generator.FileIDs = []string{id}
		}
	case hasMany:
		if items, ok := p.list(many.val, "fields.fileIds", "file ids"); ok {
			if len(items) == 0 {
				p.errf(many.val, "fields.fileIds: empty list: give at least one file id, or remove fileIds")
			}
			for i, it := range items {
				if id, ok := p.fileID(it, fmt.Sprintf("fields.fileIds[%d]", i)); ok {
					s.Generator.FileIDs = append(s.Generator.FileIDs, id)
				}
			}
		}
	}
	if e, ok := m["webVttUrl"]; ok {
		s.Encoding.WebVTT, _ = p.boolean(e.val, "fields.webVttUrl")
	}
	if e, ok := m["version"]; ok {
		switch {
		case isString(e.val) && e.val.Value == "4.0":
		case e.val.ShortTag() == "!!int" && e.val.Value == "4":
			s.Encoding.NumericVersion, p.version = true, e.val
		default:
			p.errf(e.val, `fields.version: want "4.0" (the string, as documented) or 4 (the number, a quirk of one old sample), got %s`, kindName(e.val))
		}
	}
}

func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535
}

// fileID reads a file id: a string (or bare number) of 1 to 20 digits.
func (p *parser) fileID(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || !(isString(n) || isNumber(n)) {
		p.wrongType(n, path, "a file id of digits")
		return "", false
	}
	v := n.Value
	ok := len(v) >= 1 && len(v) <= 20
	for i := 0; ok && i < len(v); i++ {
		ok = v[i] >= '0' && v[i] <= '9'
	}
	if !ok {
		p.errf(n, "%s: %q is not a file id: want 1 to 20 digits, like \"14508071098244929440\"", path, v)
		return "", false
	}
	return v, true
}

func (p *parser) delivery(n *yaml.Node, s *Scenario) {
	m := p.object(n, "delivery", "duplicate", "reorder", "malformed", "delay", "signKey")
	f := &s.Faults
	if e, ok := m["duplicate"]; ok {
		f.Duplicate, _ = p.share(e.val, "delivery.duplicate")
	}
	if e, ok := m["reorder"]; ok {
		if e.val.Kind == yaml.MappingNode {
			r := p.object(e.val, "delivery.reorder", "share", "window")
			if se, ok := r["share"]; ok {
				f.Reorder, _ = p.share(se.val, "delivery.reorder.share")
			} else {
				p.errf(e.val, "delivery.reorder: missing share")
			}
			if we, ok := r["window"]; ok {
				if v, ok := p.integer(we.val, "delivery.reorder.window"); ok {
					if err := sender.CheckReorderWindow(v); err != nil {
						p.errf(we.val, "delivery.reorder.window: %v", err)
					} else {
						f.ReorderWindow = int(v)
					}
				}
			}
		} else {
			f.Reorder, _ = p.share(e.val, "delivery.reorder")
		}
		if f.Reorder > 0 && f.ReorderWindow == 0 {
			f.ReorderWindow = sender.DefaultReorderWindow
		}
	}
	if e, ok := m["malformed"]; ok {
		if e.val.Kind == yaml.MappingNode {
			r := p.object(e.val, "delivery.malformed", "share", "kinds")
			if se, ok := r["share"]; ok {
				f.Malformed, _ = p.share(se.val, "delivery.malformed.share")
			} else {
				p.errf(e.val, "delivery.malformed: missing share")
			}
			if ke, ok := r["kinds"]; ok {
				f.MalformedKinds = p.kinds(ke.val)
			}
		} else {
			f.Malformed, _ = p.share(e.val, "delivery.malformed")
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

// replay reads the replay list: fixture names or JSON files.
func (p *parser) replay(n *yaml.Node) []generator.Event {
	items, ok := p.list(n, "replay", "fixture names or JSON files")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.errf(n, "replay: empty list: name at least one fixture (%s) or JSON file", strings.Join(fixtures.Names(), ", "))
		return nil
	}
	var out []generator.Event
	for i, it := range items {
		path := fmt.Sprintf("replay[%d]", i)
		v, ok := p.str(it, path)
		if !ok {
			continue
		}
		data, err := p.replayData(v)
		if err != nil {
			p.errf(it, "%s: %v", path, err)
			continue
		}
		ev, _, _, err := generator.Decode(data)
		if err != nil {
			p.errf(it, "%s: %q: %v", path, v, err)
			continue
		}
		out = append(out, ev)
	}
	return out
}

func (p *parser) replayData(v string) ([]byte, error) {
	if slices.Contains(fixtures.Names(), strings.TrimSuffix(v, ".json")) && !strings.ContainsAny(v, `/\`) {
		return fixtures.Read(v)
	}
	if !p.allowFiles {
		return nil, fmt.Errorf("no fixture %q (have %s)%s", v, strings.Join(fixtures.Names(), ", "), hint(v, fixtures.Names()))
	}
	file := v
	if !filepath.IsAbs(file) {
		file = filepath.Join(p.dir, file)
	}
	data, err := readFile(file)
	if err != nil {
		return nil, fmt.Errorf("%q is neither a fixture (%s)%s nor a readable file: %v", v, strings.Join(fixtures.Names(), ", "), hint(v, fixtures.Names()), err)
	}
	return data, nil
}
