package scenarios

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

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
