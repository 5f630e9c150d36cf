package generator

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSign: Tencent's documented example of md5(key + expiry) callback
// signing, and the signature appended as a 3.0 body's last members.
func TestSign(t *testing.T) {
	if got, want := Sign("Xz4ZgayTr7rMgWQrH", 1588040109), "a2dabb362a9b811c0e26953a6276a41c"; got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
	got := string(AppendSignature([]byte(`{"a":1}`), "Xz4ZgayTr7rMgWQrH", 1588040109))
	if want := `{"a":1,"T":1588040109,"Sign":"a2dabb362a9b811c0e26953a6276a41c"}`; got != want {
		t.Errorf("AppendSignature = %s, want %s", got, want)
	}
}

func TestCheckSignKey(t *testing.T) {
	for k, ok := range map[string]bool{
		"a": true, "abc123": true, strings.Repeat("Z9", 16): true,
		"": false, strings.Repeat("a", 33): false, "a-b": false, "ab c": false, "caf\u00e9": false,
	} {
		if err := CheckSignKey(k); (err == nil) != ok {
			t.Errorf("CheckSignKey(%q) = %v, want ok %v", k, err, ok)
		}
	}
}

// A body of the user's (send --input) is signed into valid JSON: an
// empty object, one with white space after it, and one that already has
// T and Sign (replaced, not given twice).
func TestAppendSignatureUserBodies(t *testing.T) {
	const key, at = "abc", int64(1767225600)
	sign := Sign(key, at)
	for in, want := range map[string]string{
		`{"a":1}`:                  `{"a":1,"T":1767225600,"Sign":"` + sign + `"}`,
		`{}`:                       `{"T":1767225600,"Sign":"` + sign + `"}`,
		"{ \n}":                    "{ \n" + `"T":1767225600,"Sign":"` + sign + `"}`,
		"{\"a\":1}\n":              `{"a":1,"T":1767225600,"Sign":"` + sign + `"}`,
		`{"T":1,"Sign":"x","a":2}`: `{"T":1767225600,"Sign":"` + sign + `","a":2}`,
		`[1]`:                      `[1]`,
		`{"a":{"T":1}}`:            `{"a":{"T":1},"T":1767225600,"Sign":"` + sign + `"}`,
	} {
		got := string(AppendSignature([]byte(in), key, at))
		if got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
		if in != `[1]` && !json.Valid([]byte(got)) {
			t.Errorf("%q: %s is not JSON", in, got)
		}
	}
}
