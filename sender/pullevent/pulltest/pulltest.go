package pulltest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/pullevent"
)

// NewServer starts a pullevent.Server for cfg on a free port of 127.0.0.1
// and closes it when the test ends. Point the code under test at
// srv.URL() (or srv.Addr() as an SDK endpoint), fill srv.Queue() or inject
// over the admin API, and read srv.Queue().Stats(). Unlike the real
// service, an empty pull is answered at once unless cfg.Wait asks for a
// wait, so that a poller under test drains the queue without idling.
func NewServer(t testing.TB, cfg pullevent.Config) *pullevent.Server {
	t.Helper()
	srv, err := pullevent.Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatalf("pulltest: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// The real service's signing constants.
const (
	// TC3Algorithm is the API 3.0 signature algorithm.
	TC3Algorithm = "TC3-HMAC-SHA256"
	// Service is the service name in API 3.0 credential scopes.
	Service = "vod"
	// API3Host is the real API 3.0 host; the server accepts HmacSHA1 and
	// HmacSHA256 signatures computed over it as well as over its own.
	API3Host = "vod.tencentcloudapi.com"
	// LegacyHost is the real legacy API host, accepted in the same way.
	LegacyHost = "vod.api.qcloud.com"
	// MaxClockSkew is how far a request's timestamp may be from the
	// server's clock before its signature counts as expired.
	MaxClockSkew = 5 * time.Minute
)

// NewRequest returns an API 3.0 request for srv: a POST of body (JSON, ""
// means {}) with action (PullEvents, ConfirmEvents, DescribeEventsState)
// and srv's version, signed with TC3-HMAC-SHA256 with srv's key pair at
// the time of srv's clock. Change it and Sign it again to test a refusal.
func NewRequest(srv *pullevent.Server, action, body string) *http.Request {
	if body == "" {
		body = "{}"
	}
	r, err := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(body))
	if err != nil {
		panic(fmt.Sprintf("pulltest: %v", err))
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-TC-Action", action)
	r.Header.Set("X-TC-Version", pullevent.APIVersion)
	r.Header.Set("X-TC-Region", "ap-guangzhou")
	cfg := srv.Config()
	Sign(r, []byte(body), cfg.SecretID, cfg.SecretKey, cfg.Clock.Now())
	return r
}

// Sign signs r, whose body is body, with TC3-HMAC-SHA256 over its
// content-type and host headers at time now: it sets X-TC-Timestamp and
// Authorization.
func Sign(r *http.Request, body []byte, secretID, secretKey string, now time.Time) {
	ts := now.Unix()
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	query := ""
	if r.Method == http.MethodGet {
		query = r.URL.RawQuery
	}
	sum := sha256.Sum256(body)
	canon := r.Method + "\n/\n" + query + "\n" +
		"content-type:" + strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Type"))) + "\n" +
		"host:" + strings.ToLower(host) + "\n\n" +
		"content-type;host\n" + hex.EncodeToString(sum[:])
	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	r.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("Authorization", TC3Algorithm+" Credential="+secretID+"/"+date+"/"+Service+"/tc3_request, SignedHeaders=content-type;host, Signature="+
		SignTC3(secretKey, Service, ts, canon))
}

// NewLegacyRequest returns a legacy API request for srv: a GET of
// /v2/index.php with params (Action and its own, e.g. msgHandle.0) and
// the common parameters SecretId, Timestamp (srv's clock), Nonce and
// Region filled in where params leaves them out, signed with
// SignatureMethod (HmacSHA1 when params sets none) and srv's key. The
// Nonce filled in is new for each request: the server refuses a Nonce
// and Timestamp it has seen (code 4500), so a pull and its confirm in the
// same second must differ in it.
func NewLegacyRequest(srv *pullevent.Server, params map[string]string) *http.Request {
	cfg := srv.Config()
	p := map[string]string{
		"SecretId":  cfg.SecretID,
		"Timestamp": strconv.FormatInt(cfg.Clock.Now().Unix(), 10),
		"Nonce":     strconv.FormatUint(rand.Uint64N(1<<53), 10),
		"Region":    "gz",
	}
	for k, v := range params {
		p[k] = v
	}
	p["Signature"] = SignLegacy(cfg.SecretKey, p["SignatureMethod"], http.MethodGet, srv.Addr(), pullevent.LegacyPath, p)
	v := url.Values{}
	for k, val := range p {
		v.Set(k, val)
	}
	r, err := http.NewRequest(http.MethodGet, srv.URL()+pullevent.LegacyPath+"?"+v.Encode(), nil)
	if err != nil {
		panic(fmt.Sprintf("pulltest: %v", err))
	}
	return r
}

// SignTC3 returns the TC3-HMAC-SHA256 signature (lowercase hex) of a
// request with the given canonical request, as the API 3.0 signing
// process defines it: the key is derived from secretKey, the UTC date of
// timestamp and the service.
func SignTC3(secretKey, service string, timestamp int64, canonicalRequest string) string {
	date := time.Unix(timestamp, 0).UTC().Format("2006-01-02")
	k := hmacSHA256([]byte("TC3"+secretKey), date)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "tc3_request")
	sum := sha256.Sum256([]byte(canonicalRequest))
	toSign := TC3Algorithm + "\n" + strconv.FormatInt(timestamp, 10) + "\n" +
		date + "/" + service + "/tc3_request\n" + hex.EncodeToString(sum[:])
	return hex.EncodeToString(hmacSHA256(k, toSign))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// SignLegacy returns the signature of a legacy API request, or of an API
// 3.0 request signed with HmacSHA1 or HmacSHA256 (path "/"): base64 of the
// HMAC (SHA-1 unless method is "HmacSHA256") of httpMethod + host + path +
// "?" + the parameters but Signature, sorted by name, as name=value joined
// by "&".
func SignLegacy(secretKey, method, httpMethod, host, path string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(httpMethod + host + path + "?")
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + params[k])
	}
	var h func() hash.Hash = sha1.New
	if method == "HmacSHA256" {
		h = sha256.New
	}
	m := hmac.New(h, []byte(secretKey))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
