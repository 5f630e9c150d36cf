package pullevent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sdkSigned3 is a PullEvents request signed as one of Tencent's SDKs signs
// it for a local endpoint: service is the credential scope's service and
// signHost the value signed for the host header.
type sdkSigned3 struct {
	service, signHost, id, key string
	ts                         int64
	body, sentBody             string // sentBody, if set, replaces body after signing
}

func (r sdkSigned3) do(t *testing.T, s *Server) string {
	t.Helper()
	if r.id == "" {
		r.id = DefaultSecretID
	}
	if r.key == "" {
		r.key = DefaultSecretKey
	}
	if r.ts == 0 {
		r.ts = time.Now().Unix()
	}
	if r.body == "" {
		r.body = "{}"
	}
	if r.sentBody == "" {
		r.sentBody = r.body
	}
	canon := "POST\n/\n\ncontent-type:application/json\nhost:" + r.signHost + "\n\ncontent-type;host\n" + sha256Hex([]byte(r.body))
	sig := signTC3(r.key, r.service, r.ts, canon)
	date := time.Unix(r.ts, 0).UTC().Format("2006-01-02")
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(r.sentBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Action", "PullEvents")
	req.Header.Set("X-TC-Version", APIVersion)
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(r.ts, 10))
	req.Header.Set("Authorization", fmt.Sprintf("TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, SignedHeaders=content-type;host, Signature=%s", r.id, date, r.service, sig))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ Response map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return errCode(m.Response)
}

// TestTC3AsEachSDKSigns: the service in the credential scope may be "vod"
// (Go and Python SDKs) or the endpoint's first label (Node, Java and PHP
// SDKs: "127" for 127.0.0.1:PORT), and the signed host may carry the port
// (all but Node) or not (Node). Each leniency still refuses a wrong key, an
// unknown SecretId, a stale timestamp, a changed body and any other service
// or host.
func TestTC3AsEachSDKSigns(t *testing.T) {
	s := listen(t, Config{})
	s.Queue().AddFrom(testGen(t), 0, 100)
	withPort := s.Addr()
	noPort, port, _ := strings.Cut(withPort, ":")
	ep := endpointService(withPort)
	if ep != "127" {
		t.Fatalf("service derived from %s: %q", withPort, ep)
	}
	stale := time.Now().Add(-6 * time.Minute).Unix()
	type authCase struct {
		name string
		req  sdkSigned3
		code string
	}
	tests := []authCase{
		{"Go, Python: vod, host with port", sdkSigned3{service: "vod", signHost: withPort}, ""},
		{"Java, PHP: endpoint service, host with port", sdkSigned3{service: ep, signHost: withPort}, ""},
		{"Node: endpoint service, host without port", sdkSigned3{service: ep, signHost: noPort}, ""},
		{"vod, host without port", sdkSigned3{service: "vod", signHost: noPort}, ""},

		{"another service", sdkSigned3{service: "cvm", signHost: withPort}, "AuthFailure.SignatureFailure"},
		{"another service, host without port", sdkSigned3{service: "cvm", signHost: noPort}, "AuthFailure.SignatureFailure"},
		{"another host", sdkSigned3{service: ep, signHost: "127.0.0.2"}, "AuthFailure.SignatureFailure"},
		{"another port", sdkSigned3{service: ep, signHost: noPort + ":1" + port}, "AuthFailure.SignatureFailure"},
		{"vod host", sdkSigned3{service: "vod", signHost: api3Host}, "AuthFailure.SignatureFailure"},
	}
	for _, form := range []struct {
		name            string
		service, signed string
	}{{"endpoint service, no port", ep, noPort}, {"endpoint service, port", ep, withPort}, {"vod, no port", "vod", noPort}} {
		tests = append(tests,
			authCase{form.name + ": wrong key", sdkSigned3{service: form.service, signHost: form.signed, key: "forged"}, "AuthFailure.SignatureFailure"},
			authCase{form.name + ": unknown SecretId", sdkSigned3{service: form.service, signHost: form.signed, id: "AKIDother"}, "AuthFailure.SecretIdNotFound"},
			authCase{form.name + ": stale timestamp", sdkSigned3{service: form.service, signHost: form.signed, ts: stale}, "AuthFailure.SignatureExpire"},
			authCase{form.name + ": body changed", sdkSigned3{service: form.service, signHost: form.signed, body: "{}", sentBody: `{"SubAppId":1}`}, "AuthFailure.SignatureFailure"},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.req.do(t, s); got != tt.code {
				t.Errorf("error code %q, want %q", got, tt.code)
			}
		})
	}
}

func TestSignedHostForms(t *testing.T) {
	for host, want := range map[string][]string{
		"127.0.0.1:9090":          {"127.0.0.1:9090", "127.0.0.1"},
		"localhost":               {"localhost"},
		"[::1]:9090":              {"[::1]:9090", "[::1]"},
		"[::1]":                   {"[::1]"},
		"vod.tencentcloudapi.com": {"vod.tencentcloudapi.com"},
	} {
		if got := signedHostForms(host); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("signedHostForms(%q) = %q, want %q", host, got, want)
		}
	}
	for host, want := range map[string]string{
		"127.0.0.1:9090":          "127",
		"localhost:9090":          "localhost:9090",
		"vod.tencentcloudapi.com": "vod",
	} {
		if got := endpointService(host); got != want {
			t.Errorf("endpointService(%q) = %q, want %q", host, got, want)
		}
	}
}

// TestLegacyDottedHandleSignature: a ConfirmEvent that sends msgHandle_N
// but signs it as msgHandle.N (Tencent's legacy Node SDK) is accepted; the
// same request with a wrong key, a changed handle or another parameter
// renamed is refused.
func TestLegacyDottedHandleSignature(t *testing.T) {
	s := listen(t, Config{MaxEvents: 2})
	s.Queue().AddFrom(testGen(t), 0, 4)
	pull := func() []string {
		m := legacyRequest(t, s, "GET", "", "", DefaultSecretKey, map[string]string{"Action": "PullEvent"})
		var hs []string
		for _, it := range m["eventList"].([]any) {
			hs = append(hs, it.(map[string]any)["msgHandle"].(string))
		}
		if len(hs) != 2 {
			t.Fatalf("pulled %v", m)
		}
		return hs
	}
	// send signs params with their names changed by rename, then sends
	// them as named in params, with sent changing them after signing.
	// Each request has a Nonce of its own: a repeated one is a replay (4500).
	nonce := 7
	send := func(key string, params map[string]string, rename func(string) string, sent func(url.Values)) float64 {
		t.Helper()
		nonce++
		p := map[string]string{"Action": "ConfirmEvent", "SecretId": DefaultSecretID, "Timestamp": strconv.FormatInt(time.Now().Unix(), 10), "Nonce": strconv.Itoa(nonce)}
		for k, v := range params {
			p[k] = v
		}
		signed := map[string]string{}
		for k, v := range p {
			signed[rename(k)] = v
		}
		v := url.Values{}
		for k, val := range p {
			v.Set(k, val)
		}
		v.Set("Signature", signLegacy(key, "", "POST", s.Addr(), LegacyPath, signed))
		if sent != nil {
			sent(v)
		}
		resp, err := http.PostForm(s.URL()+LegacyPath, v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s", b)
		}
		return m["code"].(float64)
	}
	dots := func(k string) string { return strings.ReplaceAll(k, "msgHandle_", "msgHandle.") }
	allDots := func(k string) string { return strings.ReplaceAll(k, "_", ".") }
	hs := pull()
	handles := map[string]string{"msgHandle_0": hs[0], "msgHandle_1": hs[1]}

	if c := send("forged", handles, dots, nil); c != 4100 {
		t.Errorf("wrong key: code %v", c)
	}
	if c := send(DefaultSecretKey, handles, dots, func(v url.Values) { v.Set("msgHandle_1", hs[0]) }); c != 4100 {
		t.Errorf("handle changed after signing: code %v", c)
	}
	if c := send(DefaultSecretKey, map[string]string{"msgHandle_0": hs[0], "Region_x": "gz"}, allDots, nil); c != 4100 {
		t.Errorf("a parameter other than msgHandle_N signed with a dot: code %v", c)
	}
	if st := s.Queue().Stats(); st.Confirmed != 0 {
		t.Fatalf("a refused request confirmed: %+v", st)
	}
	if c := send(DefaultSecretKey, handles, dots, nil); c != 0 {
		t.Errorf("signed as msgHandle.N, sent as msgHandle_N: code %v", c)
	}
	hs = pull()
	if c := send(DefaultSecretKey, map[string]string{"msgHandle_0": hs[0], "msgHandle.1": hs[1]}, dots, nil); c != 0 {
		t.Errorf("mixed names, signed with dots: code %v", c)
	}
	if st := s.Queue().Stats(); st.Confirmed != 4 {
		t.Errorf("stats %+v", st)
	}
}

// signTC3 returns the TC3-HMAC-SHA256 signature (lowercase hex) of a
// request with the given canonical request, as the API 3.0 signing process
// defines it: the key is derived from secretKey, the UTC date of timestamp
// and the service.
func signTC3(secretKey, service string, timestamp int64, canonicalRequest string) string {
	date := time.Unix(timestamp, 0).UTC().Format("2006-01-02")
	m := hmac.New(sha256.New, tc3SigningKey(secretKey, date, service))
	sum := sha256.Sum256([]byte(canonicalRequest))
	writeTC3StringToSign(m, timestamp, date, service, &sum)
	return hex.EncodeToString(m.Sum(nil))
}
