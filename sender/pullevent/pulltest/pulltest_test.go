package pulltest

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
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

// A pull and its confirm, made with NewLegacyRequest in the same second
// and no Nonce given, are two requests: the server refuses a repeated
// Nonce and Timestamp (code 4500), so each request gets a Nonce of its own.
func TestLegacyRequestsGetTheirOwnNonce(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	srv := NewServer(t, pullevent.Config{Clock: pullevent.ClockFunc(func() time.Time { return now })})
	srv.Queue().Add(generator.SuccessEvent(1))
	legacy := func(params map[string]string) map[string]any {
		t.Helper()
		resp, err := http.DefaultClient.Do(NewLegacyRequest(srv, params))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if out["code"] != 0.0 {
			t.Fatalf("%v: %v", params, out)
		}
		return out
	}
	pulled := legacy(map[string]string{"Action": "PullEvent"})
	h := pulled["eventList"].([]any)[0].(map[string]any)["msgHandle"].(string)
	legacy(map[string]string{"Action": "ConfirmEvent", "msgHandle.0": h})
	if st := srv.Queue().Stats(); st.Confirmed != 1 {
		t.Errorf("confirmed %d, want 1", st.Confirmed)
	}
}
