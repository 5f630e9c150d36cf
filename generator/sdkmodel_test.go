package generator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vodsim/vodsim/generator"
)

// sdkModel is generator/testdata/sdk-model.json, the SDK's 3.0 types as
// internal/sdkmodel/extract.js reads them from the pinned Node SDK.
type sdkModel struct {
	SDK        string
	Version    string
	Root       string
	Interfaces map[string]map[string]string // interface -> member -> type
	MayBeNull  map[string][]string
}

func loadSDKModel(t *testing.T) *sdkModel {
	t.Helper()
	b, err := os.ReadFile("testdata/sdk-model.json")
	if err != nil {
		t.Fatal(err)
	}
	var m sdkModel
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("sdk-model.json: %v", err)
	}
	if m.Interfaces[m.Root] == nil || m.Version == "" {
		t.Fatalf("sdk-model.json has no %q interface or no version", m.Root)
	}
	return &m
}

// splitUnion splits "A | B" at the top level, not inside Array<...>.
func splitUnion(typ string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(typ); i++ {
		switch {
		case typ[i] == '<':
			depth++
		case typ[i] == '>':
			depth--
		case depth == 0 && strings.HasPrefix(typ[i:], " | "):
			parts = append(parts, typ[start:i])
			start = i + 3
		}
	}
	return append(parts, typ[start:])
}

// check reports every place in v, at path, that the SDK's type typ does
// not allow: a key that is not a member, a value of another type, a null
// where the SDK does not note "may be null" (nullable says it does).
func (m *sdkModel) check(path string, v any, typ string, nullable bool) []string {
	if v == nil {
		if nullable {
			return nil
		}
		for _, alt := range splitUnion(typ) {
			if alt == "null" {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: null, which the SDK does not note as possible for %s", path, typ)}
	}
	if alts := splitUnion(typ); len(alts) > 1 {
		var last []string
		for _, alt := range alts {
			if last = m.check(path, v, alt, false); last == nil {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: %v matches none of %s (%s)", path, v, typ, strings.Join(last, "; "))}
	}
	wrong := func() []string { return []string{fmt.Sprintf("%s: %T value %v, want %s", path, v, v, typ)} }
	switch typ {
	case "string":
		if _, ok := v.(string); !ok {
			return wrong()
		}
		return nil
	case "number", "bigint":
		if _, ok := v.(json.Number); !ok {
			return wrong()
		}
		return nil
	case "boolean":
		if _, ok := v.(bool); !ok {
			return wrong()
		}
		return nil
	}
	if elem, ok := strings.CutPrefix(typ, "Array<"); ok && strings.HasSuffix(elem, ">") {
		a, ok := v.([]any)
		if !ok {
			return wrong()
		}
		var errs []string
		for i, x := range a {
			errs = append(errs, m.check(fmt.Sprintf("%s[%d]", path, i), x, strings.TrimSuffix(elem, ">"), false)...)
		}
		return errs
	}
	members, ok := m.Interfaces[typ]
	if !ok {
		return []string{fmt.Sprintf("%s: type %s is not in the model", path, typ)}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return wrong()
	}
	var errs []string
	for k, x := range obj {
		mt, ok := members[k]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: key %q is not a member of the SDK's %s", path, k, typ))
			continue
		}
		null := false
		for _, n := range m.MayBeNull[typ] {
			null = null || n == k
		}
		errs = append(errs, m.check(path+"."+k, x, mt, null)...)
	}
	return errs
}

// checkV3 checks the 3.0 payloads of event e (the callback body and the
// PullEvents EventContent) against the model.
func (m *sdkModel) checkV3(t *testing.T, what string, e *generator.Event) {
	t.Helper()
	enc := generator.Encoding{Format: generator.FormatV3}
	for _, payload := range [][]byte{enc.Marshal(e), generator.AppendEventContent(nil, e, "handle")} {
		dec := json.NewDecoder(bytes.NewReader(payload))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if errs := m.check(m.Root, v, m.Root, false); len(errs) > 0 {
			t.Fatalf("%s is not as %s %s defines it:\n%s\npayload: %s", what, m.SDK, m.Version, strings.Join(errs, "\n"), payload)
		}
	}
}

// TestV3KeysAsTheSDKDefinesThem: every key of every generated 3.0 payload,
// at every depth, is a member of the SDK's type at that place, its value
// is of the member's type, and null only where the SDK notes it may be.
// Generic: it follows member types through the model, so it covers any
// event type the generator writes.
func TestV3KeysAsTheSDKDefinesThem(t *testing.T) {
	m := loadSDKModel(t)
	t.Logf("model: %s %s", m.SDK, m.Version)
	for _, cfg := range []generator.Config{
		{Seed: 42},
		{Seed: 7, Outcomes: generator.Mix(1)}, // every task fails
		{Seed: 9, Outcomes: generator.Mix(0)},
	} {
		g, err := generator.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := uint64(0); i < 200; i++ {
			e := g.Event(i)
			m.checkV3(t, fmt.Sprintf("seed %d event %d", cfg.Seed, i), &e)
		}
	}
}

// TestEveryKindAsTheSDKDefinesIt generates every type of the catalog,
// successes and (where the type can fail) failures, and checks each event
// in each of its formats: the 3.0 payloads against the SDK's model, the
// 4.0 one by decoding it, which holds its data to the keys Tencent's
// archived 4.0 documents give the type, as the type and outcome it was
// made as. A ProcedureStateChanged is drawn in Finish and Change mode, so
// its PROCESSING notifications are covered too.
func TestEveryKindAsTheSDKDefinesIt(t *testing.T) {
	m := loadSDKModel(t)
	for _, k := range generator.Kinds {
		for _, fail := range []bool{false, true} {
			if fail && !k.CanFail {
				continue
			}
			outcome := "success"
			ratio := 0.0
			if fail {
				outcome, ratio = "failure", 1
			}
			t.Run(k.Name+"/"+outcome, func(t *testing.T) {
				g, err := generator.New(generator.Config{Seed: 11, Outcomes: generator.TypeMix([]*generator.Kind{k}, ratio)})
				if err != nil {
					t.Fatal(err)
				}
				for i := uint64(0); i < 20; i++ {
					e := g.Event(i)
					if got := e.TypeName(); got != k.Name {
						t.Fatalf("event %d is a %s, want %s", i, got, k.Name)
					}
					if (e.Status != 0) != fail {
						t.Fatalf("event %d: status %d, want a %s", i, e.Status, outcome)
					}
					for _, f := range k.Formats() {
						what := fmt.Sprintf("%s %s %s event %d", k.Name, outcome, f, i)
						if f == generator.FormatV3 {
							m.checkV3(t, what, &e)
							continue
						}
						payload := generator.Encoding{Format: f}.Marshal(&e)
						d, enc, _, err := generator.Decode(payload)
						if err != nil {
							t.Fatalf("%s: %v\n%s", what, err, payload)
						}
						if d.TypeName() != k.Name || enc.Format != f || d.Status != e.Status {
							t.Fatalf("%s decodes as a %s %s with status %d\n%s", what, enc.Format, d.TypeName(), d.Status, payload)
						}
					}
				}
			})
		}
	}
}

// TestSDKModelCheckRefuses: the check finds a key the SDK does not have,
// a value of the wrong type and a null the SDK does not allow, at depth.
func TestSDKModelCheckRefuses(t *testing.T) {
	m := loadSDKModel(t)
	for name, payload := range map[string]string{
		"unknown member":        `{"EventType":"x","EditMediaComplete":null}`,
		"unknown nested key":    `{"CreateImageSpriteCompleteEvent":{"TaskId":"t","ImageSpriteUrls":[]}}`,
		"wrong type":            `{"CreateImageSpriteCompleteEvent":{"ErrCode":"0"}}`,
		"wrong element type":    `{"CreateImageSpriteCompleteEvent":{"ImageSpriteUrlSet":[1]}}`,
		"null not noted":        `{"CreateImageSpriteCompleteEvent":{"ImageSpriteUrlSet":null}}`,
		"null EventType":        `{"EventType":null}`,
		"unknown key two deep":  `{"ProcedureStateChangeEvent":{"MediaProcessResultSet":[{"Type":"ImageSprites","ImageSpriteTask":{"Output":{"ImageUrls":[]}}}]}}`,
		"array where an object": `{"CreateImageSpriteCompleteEvent":[]}`,
	} {
		dec := json.NewDecoder(strings.NewReader(payload))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if errs := m.check(m.Root, v, m.Root, false); len(errs) == 0 {
			t.Errorf("%s: %s passed the check", name, payload)
		}
	}
}
