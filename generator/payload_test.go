package generator

import (
	"bytes"
	"strings"
	"testing"
)

// The one-call helpers take only the two formats: any other Format would
// be written as 4.0 by Encoding, so a test asking for "3.0" would post a
// 4.0 body without knowing it.
func TestPayloadHelpersRefuseUnknownFormat(t *testing.T) {
	for _, f := range []Format{"3.0", "3", "V3", "v5", "legacy"} {
		for name, call := range map[string]func(){
			"SuccessPayload": func() { SuccessPayload(1, f) },
			"FailurePayload": func() { FailurePayload(1, -43001, f) },
		} {
			func() {
				defer func() {
					r := recover()
					if r == nil {
						t.Errorf("%s(%q): no panic", name, f)
						return
					}
					if msg, _ := r.(string); !strings.Contains(msg, "unknown format") {
						t.Errorf("%s(%q): panic %v, want an unknown format", name, f, r)
					}
				}()
				call()
			}()
		}
	}
	// The known formats still work, "" as DefaultFormat.
	if !bytes.Equal(SuccessPayload(1, ""), SuccessPayload(1, DefaultFormat)) {
		t.Error(`SuccessPayload(1, "") is not the default format's`)
	}
	if b := FailurePayload(1, -43001, FormatV3); !bytes.HasPrefix(b, []byte(`{"EventType":`)) {
		t.Errorf("FailurePayload v3: %s", b)
	}
	if b := SuccessPayload(1, FormatV4); !bytes.HasPrefix(b, []byte(`{"version":"4.0"`)) {
		t.Errorf("SuccessPayload v4: %s", b)
	}
}
