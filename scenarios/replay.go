package scenarios

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vodsim/vodsim/fixtures"
	"github.com/vodsim/vodsim/generator"
	"go.yaml.in/yaml/v3"
)

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

// fixtureNames says what the fixtures are called, in an error: listing
// them all would bury the error's reason.
const fixtureNames = "fixtures: seed-success, seed-failure, and v3-TYPE-success, v3-TYPE-failure, v4-TYPE-success, v4-TYPE-failure for the payloads in vodsim's fixtures/ directory"

func (p *parser) replayData(v string) ([]byte, error) {
	if slices.Contains(fixtures.Names(), strings.TrimSuffix(v, ".json")) && !strings.ContainsAny(v, `/\`) {
		return fixtures.Read(v)
	}
	if !p.allowFiles {
		return nil, fmt.Errorf("no fixture %q%s (%s)", v, hint(v, fixtures.Names()), fixtureNames)
	}
	file := v
	if !filepath.IsAbs(file) {
		file = filepath.Join(p.dir, file)
	}
	data, err := readFile(file)
	if err != nil {
		return nil, fmt.Errorf("%q is neither a fixture%s nor a readable file: %v (%s)", v, hint(v, fixtures.Names()), err, fixtureNames)
	}
	return data, nil
}
