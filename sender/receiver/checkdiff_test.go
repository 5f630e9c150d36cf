package receiver

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/payloadcorpus"
)

// sameCheck checks that CheckPayload gives what checkMap (a map of the
// members and json.Marshal, the long way) gives for body.
func sameCheck(t *testing.T, name string, body []byte, key string, now time.Time) {
	t.Helper()
	orig := bytes.Clone(body)
	want := checkMap(body, key, now)
	got := CheckPayload(body, key, now)
	if !bytes.Equal(body, orig) {
		t.Fatalf("%s: the body was changed", name)
	}
	errText := func(p Payload) string {
		if p.Err == nil {
			return ""
		}
		return p.Err.Error()
	}
	if errText(want) != errText(got) && want.Err != nil {
		// Decoding another type than the sprite's names the first fault
		// of a map's order: try it again.
		for range 50 {
			if w := checkMap(body, key, now); errText(w) == errText(got) {
				want = w
				break
			}
		}
	}
	if errText(want) != errText(got) || want.Signed != got.Signed || want.T != got.T || want.Sign != got.Sign ||
		want.Encoding != got.Encoding || !reflect.DeepEqual(want.Event, got.Event) {
		t.Errorf("%s (key %q): CheckPayload differs from the long way:\n%+v\n%+v\n%s", name, key, want, got, body)
	}
}

// TestCheckPayloadDifferential: CheckPayload answers as the long way does,
// with and without a key, for every body of the corpus as it is, signed
// with the key, signed with another key and signed but expired; every
// well-formed signed 3.0 payload is read without a map.
func TestCheckPayloadDifferential(t *testing.T) {
	valid, err := payloadcorpus.Valid(1)
	if err != nil {
		t.Fatal(err)
	}
	malformed, err := payloadcorpus.Malformed(t.Context(), 5)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	future, past := now.Unix()+600, now.Unix()-1
	bodies := append(append(valid, malformed...), payloadcorpus.FuzzSeeds()...)
	for _, b := range bodies {
		for _, key := range []string{"", "key"} {
			sameCheck(t, b.Name, b.Data, key, now)
			signed := payloadcorpus.Signed(b.Data, "key", future)
			sameCheck(t, b.Name+" signed", signed, key, now)
			_, cut := checkCut(signed, key, now)
			sameCheck(t, b.Name+" signed, another key", payloadcorpus.Signed(b.Data, "other", future), key, now)
			sameCheck(t, b.Name+" signed, expired", payloadcorpus.Signed(b.Data, "key", past), key, now)
			if p := CheckPayload(b.Data, "", now); p.Err == nil && p.Encoding.Format == generator.FormatV3 && !p.Signed && !cut {
				t.Errorf("%s signed: not read without a map", b.Name)
			}
		}
	}
	// Variants of one signed body of each type and format. A body without
	// "Sign", or one that is not a whole JSON object, goes the long way in
	// CheckPayload too (generator.Decode, then the signature rules), so
	// comparing it here compares the long way with itself: the variants
	// of the unsigned bodies are generator's TestDecodeDifferential's, and
	// of a signed body's truncations only those from its ,"T": on run
	// here, where a cut would begin.
	seen := map[string]bool{}
	for _, b := range valid {
		p := CheckPayload(b.Data, "", now)
		k := p.Event.TypeName() + string(p.Encoding.Format)
		if p.Err != nil || seen[k] {
			continue
		}
		seen[k] = true
		signed := payloadcorpus.Signed(b.Data, "key", future)
		sigAt := len(b.Data) - 1 // the signature's first byte in signed
		for _, v := range payloadcorpus.Variants(signed) {
			if strings.HasPrefix(v.Name, "prefix ") && len(v.Data) < sigAt {
				continue
			}
			sameCheck(t, b.Name+" "+v.Name, v.Data, "key", now)
		}
	}
}

// FuzzCheckPayloadDifferential: CheckPayload answers as the long way does.
func FuzzCheckPayloadDifferential(f *testing.F) {
	for _, b := range payloadcorpus.FuzzSeeds() {
		f.Add(b.Data)
	}
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, body []byte) {
		sameCheck(t, "fuzz", body, "k", now)
		sameCheck(t, "fuzz", body, "", now)
		if hasSignKey(body) != bytes.Contains(body, []byte(`"Sign"`)) {
			t.Errorf("hasSignKey(%q) differs from bytes.Contains", body)
		}
	})
}

// TestCheckPayloadMembers: bodies whose members' values hold what ends a
// member elsewhere (braces, brackets, commas in strings, nested objects
// with their own T and Sign) are cut as the long way reads them.
func TestCheckPayloadMembers(t *testing.T) {
	valid, err := payloadcorpus.Valid(1)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	var v3 []byte
	for _, b := range valid {
		if p := CheckPayload(b.Data, "", now); p.Err == nil && p.Encoding.Format == generator.FormatV3 {
			v3 = b.Data
			break
		}
	}
	if v3 == nil {
		t.Fatal("no 3.0 body in the corpus")
	}
	sign := generator.Sign("key", now.Unix()+600)
	tail := `"T":` + strconv.FormatInt(now.Unix()+600, 10) + `,"Sign":"` + sign + `"`
	inner := string(v3[1 : len(v3)-1])
	for i, body := range []string{
		`{` + tail + `,` + inner + `}`,
		`{"X":"a,b}c]{[","Y":{"T":1,"Sign":"z"},` + inner + `,` + tail + `}`,
		`{"Z":[{"T":2},[],"]"],` + tail + `,` + inner + `}`,
		`{` + inner + `,"T":0` + `,"Sign":"` + sign + `"}`,
		`{` + inner + `,"T":-5,"Sign":""}`,
		`{` + inner + `,"T":12.5,"Sign":"` + sign + `"}`,
		`{` + inner + `,"T":"12","Sign":"` + sign + `"}`,
		`{` + inner + `,"T":12,"Sign":12}`,
		`{` + inner + `,` + tail + `,"t":1}`,
		`{` + inner + `,` + tail + `}x`,
		`{` + tail + `}`,
		`{"T":1,"Sign":"a"`,
		`{}`,
		`{` + inner + `,` + tail + `,}`,
		`{` + inner + `,"T":012,"Sign":"` + sign + `"}`,
		`{` + inner + `,"T":-0,"Sign":"` + sign + `"}`,
		`{` + inner + `,"T":1e3,"Sign":"` + sign + `"}`,
		`{` + inner + `,"T":99999999999999999999,"Sign":"` + sign + `"}`,
		`{` + inner + `,"T":1,"Sign":"a` + "\x01" + `b"}`,
		`{` + inner + `,"T":1,"Sign":"a"b}`,
		`{` + inner + `,"T":1,"Sign"` + `}`,
		`{` + inner + `,"T":1,"Sign":}`,
		`{"a":]1[,` + tail + `}`,
		`{"a":[1]],` + tail + `}`,
		`{"a":{"b":1}},` + tail + `}`,
		`{` + inner + `,` + tail + `}}`,
	} {
		for _, key := range []string{"", "key"} {
			sameCheck(t, "member case "+strconv.Itoa(i), []byte(body), key, now)
		}
	}
}

// TestHasSignKey: hasSignKey answers as bytes.Contains does.
func TestHasSignKey(t *testing.T) {
	for _, s := range []string{``, `"`, `Sign"`, `"Sign"`, `"Sign`, `xSign""Sign"`, `{"a":"xSign","Sign":"y"}`, `{"a":"xSign"}`, `""Sign"`, `Sign""Sign"`} {
		if got, want := hasSignKey([]byte(s)), bytes.Contains([]byte(s), []byte(`"Sign"`)); got != want {
			t.Errorf("hasSignKey(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestCheckSpriteTakesSprites: every generated sprite payload (success or
// failure, each format and encoding, 3.0 signed or not) is read in one
// pass by checkSprite, which gives what the long way gives; a body it
// leaves (another type, spacing, an escape) is one the long way reads.
func TestCheckSpriteTakesSprites(t *testing.T) {
	valid, err := payloadcorpus.Valid(4)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	future := now.Unix() + 600
	taken := 0
	for _, b := range valid {
		if strings.HasPrefix(b.Name, "fixture ") {
			continue
		}
		want := checkMap(b.Data, "", now)
		if want.Err != nil || want.Event.Kind != nil {
			if _, ok := checkSprite(b.Data, "", now); ok {
				t.Errorf("%s: checkSprite took another type than the sprite's", b.Name)
			}
			continue
		}
		bodies := [][]byte{b.Data}
		if want.Encoding.Format == generator.FormatV3 {
			bodies = append(bodies, payloadcorpus.Signed(b.Data, "key", future))
		}
		for _, body := range bodies {
			for _, key := range []string{"", "key"} {
				p, ok := checkSprite(body, key, now)
				if !ok {
					t.Errorf("%s (key %q): not read in one pass:\n%s", b.Name, key, body)
				}
				if v, _ := readSprite(body, key, now, true); !reflect.DeepEqual(v, p) {
					t.Errorf("%s (key %q): read in place, not as a copy:\n%+v\n%+v", b.Name, key, v, p)
				}
				sameCheck(t, b.Name, body, key, now)
				taken++
			}
		}
		// Spaced out, the same body takes the long way.
		spaced := bytes.ReplaceAll(b.Data, []byte(`":`), []byte(`": `))
		if _, ok := checkSprite(spaced, "", now); ok {
			t.Errorf("%s: checkSprite took a body with spaces", b.Name)
		}
	}
	if taken == 0 {
		t.Fatal("no sprite body in the corpus")
	}
}

// TestCheckSpriteEdges: bodies at the edges of what checkSprite takes
// answer as the long way does.
func TestCheckSpriteEdges(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	sign := generator.Sign("key", now.Unix()+600)
	member := `"CreateImageSpriteCompleteEvent":{"ErrCode":0,"Message":"","TaskId":"t","FileId":"1","Definition":10,"TotalCount":3,"ImageSpriteUrlSet":["a","b"],"WebVttUrl":"v"}`
	head := `{"EventType":"CreateImageSpriteComplete",`
	tail := `,"T":` + strconv.FormatInt(now.Unix()+600, 10) + `,"Sign":"` + sign + `"}`
	for i, body := range []string{
		head + member + tail,
		head + member + `}`,
		head + `"EventHandle":null,` + member + tail,
		head + `"EventHandle":"h",` + member + tail,
		head + `"EventHandle":1,` + member + tail,
		head + `"FileUploadEvent":null,` + member + tail,
		head + `"FileUploadEvent":{},` + member + tail,
		head + `"FileUploadEvent":nul,` + member + tail,
		head + `"Other":null,` + member + tail,
		head + member + `,"T":1` + `}`,
		head + member + `,"Sign":"` + sign + `"}`,
		head + member + `,"T":123456789012345678901,"Sign":"` + sign + `"}`,
		head + member + `,"T":-0,"Sign":"` + sign + `"}`,
		head + member + `,"T":01,"Sign":"` + sign + `"}`,
		head + member + tail + ` `,
		head + member + tail + `}`,
		head + member + `,` + member + tail,
		`{"EventType":"CreateImageSpriteCompleteX",` + member + tail,
		`{"EventType":"CreateImageSpriteComplete"}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":-0,"Message":"m","TaskId":"t","FileId":"1"}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":10008,"Message":"m","TaskId":"t","FileId":"1","Definition":0}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":0,"Message":"m","TaskId":"t","FileId":"1","ImageSpriteUrlSet":[]}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":0,"Message":"m","TaskId":"t","FileId":"1","ImageSpriteUrlSet":null}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":0,"Message":"m","TaskId":"t","FileId":"1","ImageSpriteUrlSet":["a",1]}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":0,"Message":"m","TaskId":"t","FileId":"1","ErrCode":0}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":0,"Message":"成功","TaskId":"t","FileId":"1"}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":0,"Message":"a` + "\u2028" + `","TaskId":"t","FileId":"1"}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":0,"Message":"a` + "\xff" + `","TaskId":"t","FileId":"1"}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":0,"Message":"a<b","TaskId":"t","FileId":"1"}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":0,"Message":"a\"b","TaskId":"t","FileId":"1"}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":1.5,"Message":"","TaskId":"t","FileId":"1"}}`,
		`{"EventType":"CreateImageSpriteComplete","CreateImageSpriteCompleteEvent":{"ErrCode":1234567890123456789,"Message":"","TaskId":"t","FileId":"1"}}`,
		`{"eventType":"CreateImageSpriteComplete","version":"4.0","data":{"status":0,"message":"","vodTaskId":"t","fileId":"1","definition":10,"totalCount":3,"imageSpriteUrl":["a"],"webVttUrl":"v"}}`,
		`{"eventType":"CreateImageSpriteComplete","version":4,"data":{"status":0,"message":"","vodTaskId":"t","fileId":"1","definition":10,"totalCount":3,"imageSpriteUrl":["a"]}}`,
		`{"eventType":"CreateImageSpriteComplete","version":42,"data":{"status":0,"message":"","vodTaskId":"t","fileId":"1","definition":10,"totalCount":3,"imageSpriteUrl":["a"]}}`,
		`{"eventType":"CreateImageSpriteComplete","version":"4.0","data":{"status":0,"message":"","vodTaskId":"t","fileId":"1","totalCount":3,"imageSpriteUrl":["a"]}}`,
		`{"eventType":"CreateImageSpriteComplete","version":"4.0","data":{"status":7,"message":"x","vodTaskId":"t","fileId":"1"}}`,
		`{"eventType":"CreateImageSpriteComplete","version":"4.0","data":{"status":7,"message":"x","vodTaskId":"t","fileId":"1","webVttUrl":"v"}}`,
		`{"eventType":"CreateImageSpriteComplete","version":"4.0","data":{"status":7,"message":"x","vodTaskId":"t","fileId":"1"},"T":1,"Sign":"` + sign + `"}`,
		`{"eventType":"CreateImageSpriteComplete","version":"4.0","EventHandle":null,"data":{"status":7,"message":"x","vodTaskId":"t","fileId":"1"}}`,
		`{"EventType":"CreateImageSpriteComplete","version":"4.0",` + member + `}`,
		`{"eventType":"CreateImageSpriteComplete","data":{"status":7,"message":"x","vodTaskId":"t","fileId":"1"}}`,
	} {
		for _, key := range []string{"", "key"} {
			sameCheck(t, "edge "+strconv.Itoa(i), []byte(body), key, now)
		}
	}
}

// TestSignMatches: signMatches agrees with generator.Sign whatever key and
// T came before.
func TestSignMatches(t *testing.T) {
	for i, c := range []struct {
		key string
		t   int64
	}{{"key", 1}, {"key", 1}, {"key", 2}, {"other", 2}, {"key", -7}, {"k", 1}, {"k", 1}} {
		want := generator.Sign(c.key, c.t)
		if !signMatches(c.key, c.t, want) {
			t.Errorf("case %d: Sign(%q, %d) does not match", i, c.key, c.t)
		}
		for _, bad := range []string{"", want[:31], want + "0", generator.Sign(c.key, c.t+1), generator.Sign(c.key+"x", c.t)} {
			if signMatches(c.key, c.t, bad) {
				t.Errorf("case %d: %q matches Sign(%q, %d)", i, bad, c.key, c.t)
			}
		}
	}
}
