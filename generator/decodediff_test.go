package generator_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/payloadcorpus"
)

// sameDecode checks that Decode gives what DecodeStrict (encoding/json
// alone) gives for data: the same verdict, error, event, encoding and
// handle; and that whatever the fast path accepts, DecodeStrict accepts
// with the same result. It reports whether the fast path took data.
func sameDecode(t *testing.T, name string, data []byte) bool {
	t.Helper()
	orig := bytes.Clone(data)
	e0, enc0, h0, err0 := generator.DecodeStrict(data)
	e1, enc1, h1, err1 := generator.Decode(data)
	ef, encf, hf, fast := generator.DecodeFast(data)
	if !bytes.Equal(data, orig) {
		t.Fatalf("%s: the body was changed", name)
	}
	if err0 != nil && err1 != nil && err0.Error() != err1.Error() {
		// Strict decoding of another type than the sprite's names the
		// first fault of a map's order: try it again.
		for range 50 {
			if _, _, _, err := generator.DecodeStrict(data); err.Error() == err1.Error() {
				err0 = err
				break
			}
		}
	}
	if (err0 == nil) != (err1 == nil) || err0 != nil && err0.Error() != err1.Error() {
		t.Errorf("%s: strict err %v, Decode err %v\n%s", name, err0, err1, data)
		return fast
	}
	if fast && err0 != nil {
		t.Errorf("%s: the fast path accepts what strict decoding refuses (%v)\n%s", name, err0, data)
		return fast
	}
	if err0 == nil && (!reflect.DeepEqual(e0, e1) || enc0 != enc1 || h0 != h1) {
		t.Errorf("%s: strict and Decode differ:\n%+v %+v %q\n%+v %+v %q\n%s", name, e0, enc0, h0, e1, enc1, h1, data)
	}
	if fast && (!reflect.DeepEqual(e0, ef) || enc0 != encf || h0 != hf) {
		t.Errorf("%s: strict and fast differ:\n%+v %+v %q\n%+v %+v %q\n%s", name, e0, enc0, h0, ef, encf, hf, data)
	}
	return fast
}

// TestDecodeDifferential runs Decode and the encoding/json decoding it
// replaces over every fixture, every catalog type's payloads in both
// formats, the sender's malformed bodies, the fuzz seeds, and variants of
// them, and requires the same answer; every generated payload must take
// the fast path.
func TestDecodeDifferential(t *testing.T) {
	valid, err := payloadcorpus.Valid(6)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range valid {
		if !sameDecode(t, b.Name, b.Data) {
			t.Errorf("%s: not decoded by the fast path\n%s", b.Name, b.Data)
		}
		if _, _, _, err := generator.Decode(b.Data); err != nil {
			t.Errorf("%s: %v", b.Name, err)
		}
	}
	malformed, err := payloadcorpus.Malformed(t.Context(), 40)
	if err != nil {
		t.Fatal(err)
	}
	if len(malformed) < 400 {
		t.Fatalf("%d malformed bodies, want 400", len(malformed))
	}
	n, fast := 0, 0
	count := func(f bool) {
		n++
		if f {
			fast++
		}
	}
	for _, b := range append(malformed, payloadcorpus.FuzzSeeds()...) {
		count(sameDecode(t, b.Name, b.Data))
	}
	// Variants of one body of each type and format.
	seen := map[string]bool{}
	for _, b := range valid {
		e, enc, _, _ := generator.Decode(b.Data)
		key := e.TypeName() + string(enc.Format)
		if seen[key] {
			continue
		}
		seen[key] = true
		for _, v := range payloadcorpus.Variants(b.Data) {
			count(sameDecode(t, b.Name+" "+v.Name, v.Data))
		}
	}
	t.Logf("%d valid bodies, all on the fast path; %d others, %d of them on the fast path", len(valid), n, fast)
}

// FuzzDecodeDifferential: Decode gives what encoding/json alone gives.
func FuzzDecodeDifferential(f *testing.F) {
	for _, b := range payloadcorpus.FuzzSeeds() {
		f.Add(b.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDecode(t, "fuzz", data)
	})
}
