package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSchemaIsGenerated: the committed schema.go is exactly what gen makes
// from the committed sdk-model.json, so the catalog walks the same model
// the 3.0 key check reads.
func TestSchemaIsGenerated(t *testing.T) {
	model, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "sdk-model.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(model)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("generator/internal/sdkschema/schema.go is not what ./gen makes from generator/testdata/sdk-model.json: run go generate ./generator/internal/sdkschema")
	}
}

// TestGenerateKeepsTheModelsOrder: members come out in the file's order,
// not sorted, and an object member points at its type.
func TestGenerateKeepsTheModelsOrder(t *testing.T) {
	src, err := generate([]byte(`{"sdk":"s","version":"1","source":"f.d.ts","root":"EventContent","interfaces":{
		"B":{"Zeta":"string","Alpha":"Array<number>"},
		"EventContent":{"EventType":"string","ZEvent":"B","AEvent":"A"},
		"A":{"Y":"Array<B>","X":"boolean","N":"number | bigint"}},
		"mayBeNull":{"A":["Y"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, want := range []string{
		"{\"ZEvent\", 0},\n\t{\"AEvent\", 1},",
		"{\"B\", []Field{\n\t\t{\"Zeta\", Str, -1, false},\n\t\t{\"Alpha\", NumArr, -1, false},",
		"{\"A\", []Field{\n\t\t{\"Y\", ObjArr, 0, true},\n\t\t{\"X\", Bool, -1, false},\n\t\t{\"N\", Num, -1, false},",
		"(s 1, f.d.ts). DO NOT EDIT.",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("generated source lacks %q:\n%s", want, s)
		}
	}
}

// TestGenerateRefuses: a model gen cannot turn into schema.go is an error
// that says where, not a schema.go with a hole.
func TestGenerateRefuses(t *testing.T) {
	for name, model := range map[string]string{
		"unknown type":    `{"version":"1","root":"EventContent","interfaces":{"EventContent":{"E":"A"},"A":{"X":"Date"}}}`,
		"missing type":    `{"version":"1","root":"EventContent","interfaces":{"EventContent":{"E":"A"}}}`,
		"member twice":    `{"version":"1","root":"EventContent","interfaces":{"EventContent":{"E":"A"},"A":{"X":"string","X":"number"}}}`,
		"no root":         `{"version":"1","root":"EventContent","interfaces":{"A":{"X":"string"}}}`,
		"not a type name": `{"version":"1","root":"EventContent","interfaces":{"EventContent":{"E":1}}}`,
		"no version":      `{"root":"EventContent","interfaces":{"EventContent":{}}}`,
		"truncated":       `{"version":"1","root":"EventContent","interfaces":{"EventContent":{"E":"A"`,
	} {
		if _, err := generate([]byte(model)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
