package generator

import (
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
