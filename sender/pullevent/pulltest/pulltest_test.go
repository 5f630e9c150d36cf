package pulltest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/pullevent"
)

// The copies sign exactly as the server checks.
func TestSignMatchesServer(t *testing.T) {
	canon := "POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1:9\n\ncontent-type;host\nabc"
	if got, want := SignTC3("k", "vod", 1767225600, canon), pullevent.SignTC3("k", "vod", 1767225600, canon); got != want {
		t.Errorf("SignTC3 %s, pullevent.SignTC3 %s", got, want)
	}
	p := map[string]string{"Action": "PullEvent", "Nonce": "1", "Signature": "x"}
	for _, m := range []string{"", "HmacSHA1", "HmacSHA256"} {
		if got, want := SignLegacy("k", m, "GET", LegacyHost, pullevent.LegacyPath, p), pullevent.SignLegacy("k", m, "GET", pullevent.LegacyHost, pullevent.LegacyPath, p); got != want {
			t.Errorf("%q: SignLegacy %s, pullevent.SignLegacy %s", m, got, want)
		}
	}
	if TC3Algorithm != pullevent.TC3Algorithm || API3Host != pullevent.API3Host || LegacyHost != pullevent.LegacyHost || MaxClockSkew != pullevent.MaxClockSkew || Service != pullevent.Service {
		t.Error("a signing constant differs from pullevent's")
	}
}

func TestNewServer(t *testing.T) {
	srv := NewServer(t, pullevent.Config{})
	if w := srv.Config().Wait; w != 0 {
		t.Errorf("Wait %v: an empty pull must answer at once", w)
	}
	if !strings.HasPrefix(srv.Addr(), "127.0.0.1:") {
		t.Errorf("Addr %q, want 127.0.0.1", srv.Addr())
	}
	if held := NewServer(t, pullevent.Config{Wait: 3 * time.Second}); held.Config().Wait != 3*time.Second {
		t.Errorf("Wait %v, want the 3s asked for", held.Config().Wait)
	}
}

// A request signed with another key, or at a time out of the server's
// skew, is refused: the helpers sign what the server checks, nothing more.
func TestRefusals(t *testing.T) {
	srv := NewServer(t, pullevent.Config{})
	for name, tc := range map[string]struct {
		key  string
		when time.Time
		want string
	}{
		"good":      {pullevent.DefaultSecretKey, time.Now(), ""},
		"wrong key": {"nope", time.Now(), "AuthFailure.SignatureFailure"},
		"expired":   {pullevent.DefaultSecretKey, time.Now().Add(-MaxClockSkew - time.Minute), "AuthFailure.SignatureExpire"},
	} {
		t.Run(name, func(t *testing.T) {
			r := NewRequest(srv, "DescribeEventsState", "")
			Sign(r, []byte("{}"), pullevent.DefaultSecretID, tc.key, tc.when)
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(b); (tc.want == "") != !strings.Contains(got, `"Error"`) || !strings.Contains(got, tc.want) {
				t.Errorf("answer %s, want error %q", got, tc.want)
			}
		})
	}
}
