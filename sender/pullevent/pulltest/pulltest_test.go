package pulltest

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/pullevent"
)

// The helpers sign exactly as the server checks: every legacy method, over
// the server's own host and over the real one.
func TestSignMatchesServer(t *testing.T) {
	srv := NewServer(t, pullevent.Config{})
	for i, m := range []string{"", "HmacSHA1", "HmacSHA256"} {
		for j, host := range []string{"", LegacyHost} {
			nonce := strconv.Itoa(100 + 10*i + j)
			r := NewLegacyRequest(srv, map[string]string{"Action": "PullEvent", "SignatureMethod": m, "Nonce": nonce})
			if host != "" {
				q := r.URL.Query()
				p := map[string]string{}
				for k := range q {
					p[k] = q.Get(k)
				}
				q.Set("Signature", SignLegacy(pullevent.DefaultSecretKey, m, http.MethodGet, host, pullevent.LegacyPath, p))
				r.URL.RawQuery = q.Encode()
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), "Signature") || strings.Contains(string(b), "AuthFailure") {
				t.Errorf("method %q over host %q: %s", m, host, b)
			}
		}
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
