package pullevent

import (
	"net"
	"net/http"
	"strings"
	"testing"
)

func adminGet(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAdminToken(t *testing.T) {
	s := listen(t, Config{AdminToken: "s3cret-token"})
	u := s.URL() + AdminPrefix + "/stats"
	for _, tc := range []struct {
		token string
		want  int
	}{{"", 401}, {"wrong", 401}, {"s3cret-token", 200}, {"s3cret-token2", 401}} {
		if got := adminGet(t, u, tc.token); got != tc.want {
			t.Errorf("token %q: status %d, want %d", tc.token, got, tc.want)
		}
	}
	// The pull APIs do not take the admin token.
	if s.AdminOpen() {
		t.Error("AdminOpen with a token set")
	}
}

func TestAdminOffBeyondLoopback(t *testing.T) {
	s := listen(t, Config{})
	u := s.URL() + AdminPrefix + "/stats"
	if got := adminGet(t, u, ""); got != 200 || !s.AdminOpen() {
		t.Fatalf("loopback: status %d, open %v", got, s.AdminOpen())
	}
	// What Serve sets for a listener beyond the loopback (tests listen on
	// 127.0.0.1 only).
	s.adminOff.Store(true)
	for _, p := range []string{"/stats", "/events", "/reset"} {
		if got := adminGet(t, s.URL()+AdminPrefix+p, "anything"); got != 401 {
			t.Errorf("%s: status %d, want 401", p, got)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		want bool
	}{{"127.0.0.1", true}, {"127.3.2.1", true}, {"::1", true}, {"0.0.0.0", false}, {"::", false}, {"192.168.1.4", false}, {"10.0.0.1", false}} {
		if got := IsLoopback(&net.TCPAddr{IP: net.ParseIP(tc.ip), Port: 9090}); got != tc.want {
			t.Errorf("%s: %v", tc.ip, got)
		}
	}
}

func TestMaskKey(t *testing.T) {
	if got := MaskKey(DefaultSecretKey); got != DefaultSecretKey {
		t.Errorf("default key masked: %q", got)
	}
	if got := MaskKey("abcdefghijklmnop"); got != "ab********op" || strings.Contains(got, "cdef") {
		t.Errorf("masked %q", got)
	}
	if got := MaskKey("short"); got != "********" {
		t.Errorf("short masked %q", got)
	}
}
