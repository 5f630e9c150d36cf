package pullevent

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxClockSkew is how far a request's timestamp may be from the server's
// clock, either way, before the signature counts as expired.
const maxClockSkew = 5 * time.Minute

// tc3Algorithm is the API 3.0 signature algorithm.
const tc3Algorithm = "TC3-HMAC-SHA256"

// Service is the service name in API 3.0 credential scopes.
const Service = "vod"

// legacyHost is the real legacy API's host; legacy signatures computed over
// it are accepted as well as ones over the request's own Host.
const legacyHost = "vod.api.qcloud.com"

// LegacyPath is the legacy API's path.
const LegacyPath = "/v2/index.php"

// apiError is an error answer of either API: Code is the API 3.0 code,
// Legacy the legacy numeric code and LegacyDesc its codeDesc.
type apiError struct {
	Code       string
	Message    string
	Legacy     int
	LegacyDesc string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errf(code, format string, a ...any) *apiError {
	msg := format
	if len(a) > 0 {
		msg = fmt.Sprintf(format, a...)
	}
	return &apiError{Code: code, Message: msg}
}

// tc3Auth is a parsed Authorization header.
type tc3Auth struct {
	secretID, date, service string
	signedHeaders           []string
	signature               string
}

func parseTC3Authorization(h string) (tc3Auth, *apiError) {
	var a tc3Auth
	bad := func(why string) (tc3Auth, *apiError) {
		return a, errf("AuthFailure.InvalidAuthorization", "Authorization header is not valid for %s: %s.", tc3Algorithm, why)
	}
	rest, ok := strings.CutPrefix(h, tc3Algorithm+" ")
	if !ok {
		if h == "" {
			return bad("it is missing")
		}
		return bad("it must start with \"" + tc3Algorithm + " \"")
	}
	var cred, signed string
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return bad("part " + strconv.Quote(part) + " is not key=value")
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			a.signature = v
		}
	}
	if cred == "" || signed == "" || a.signature == "" {
		return bad("Credential, SignedHeaders and Signature are all required")
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 4 || parts[3] != "tc3_request" {
		return bad("Credential must be SecretId/YYYY-MM-DD/service/tc3_request")
	}
	a.secretID, a.date, a.service = parts[0], parts[1], parts[2]
	a.signedHeaders = strings.Split(signed, ";")
	return a, nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// tc3SigningKey derives the key that signs a day's requests to service.
func tc3SigningKey(secretKey, date, service string) []byte {
	k := hmacSHA256([]byte("TC3"+secretKey), date)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "tc3_request")
}

func writeTC3StringToSign(w io.Writer, timestamp int64, date, service string, canonicalHash *[sha256.Size]byte) {
	var b [2 * sha256.Size]byte
	hex.Encode(b[:], canonicalHash[:])
	io.WriteString(w, tc3Algorithm+"\n")
	io.WriteString(w, strconv.FormatInt(timestamp, 10))
	io.WriteString(w, "\n"+date+"/"+service+"/tc3_request\n")
	w.Write(b[:])
}

// tc3Day is the signing key of one UTC date, with a pool of HMACs keyed
// with it: the key chain is the same for every request of a day.
type tc3Day struct {
	date string
	pool sync.Pool // of hash.Hash
}

// tc3Signature is what the TC3 signing process gives, with the day's key derived once
// and kept by the server.
func (s *Server) tc3Signature(timestamp int64, date string, canonicalHash *[sha256.Size]byte) [2 * sha256.Size]byte {
	d := s.tc3.Load()
	if d == nil || d.date != date {
		key := tc3SigningKey(s.cfg.SecretKey, date, Service)
		d = &tc3Day{date: date}
		d.pool.New = func() any { return hmac.New(sha256.New, key) }
		s.tc3.Store(d)
	}
	m := d.pool.Get().(hash.Hash)
	m.Reset()
	writeTC3StringToSign(m, timestamp, date, Service, canonicalHash)
	var sum [sha256.Size]byte
	var sig [2 * sha256.Size]byte
	hex.Encode(sig[:], m.Sum(sum[:0]))
	d.pool.Put(m)
	return sig
}

// canonHasher hashes a canonical request through a buffer; both are kept
// in canonPool between requests.
type canonHasher struct {
	h hash.Hash
	w *bufio.Writer
}

var canonPool = sync.Pool{New: func() any {
	h := sha256.New()
	return &canonHasher{h: h, w: bufio.NewWriterSize(h, 512)}
}}

// canonicalTC3 returns the SHA-256 of the canonical request of r with
// body, over the headers signed lists (names lowercase, values trimmed and
// lowercase) with host as the value of host, written straight into the
// hash.
func canonicalTC3(r *http.Request, body []byte, signed []string, host string) [sha256.Size]byte {
	c := canonPool.Get().(*canonHasher)
	defer canonPool.Put(c)
	h, w := c.h, c.w
	h.Reset()
	w.Reset(h)
	w.WriteString(r.Method)
	w.WriteString("\n/\n")
	if r.Method == http.MethodGet {
		w.WriteString(r.URL.RawQuery)
	}
	w.WriteByte('\n')
	for _, name := range signed {
		var v string
		if name == "host" {
			v = host
		} else {
			v = r.Header.Get(name)
		}
		w.WriteString(name)
		w.WriteByte(':')
		w.WriteString(strings.ToLower(strings.TrimSpace(v)))
		w.WriteByte('\n')
	}
	w.WriteByte('\n')
	for i, name := range signed {
		if i > 0 {
			w.WriteByte(';')
		}
		w.WriteString(name)
	}
	w.WriteByte('\n')
	var payload [sha256.Size]byte
	if r.Header.Get("X-TC-Content-SHA256") == "UNSIGNED-PAYLOAD" {
		payload = sha256.Sum256([]byte("UNSIGNED-PAYLOAD"))
	} else {
		payload = sha256.Sum256(body)
	}
	var hx [2 * sha256.Size]byte
	hex.Encode(hx[:], payload[:])
	w.Write(hx[:])
	w.Flush()
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// verifyTC3 checks r's signature and timestamp as the real API does.
func (s *Server) verifyTC3(r *http.Request, body []byte) *apiError {
	a, t, aerr := s.checkTC3Headers(r)
	if aerr != nil {
		return aerr
	}
	// The signed host is the Host header as sent (Go, Python, Java and PHP
	// SDKs) or, when it carries a port, the host name without it (the Node
	// SDK signs URL.hostname).
	for _, host := range signedHostForms(r.Host) {
		canon := canonicalTC3(r, body, a.signedHeaders, host)
		var want [2 * sha256.Size]byte
		if a.service == Service {
			want = s.tc3Signature(t, a.date, &canon)
		} else {
			want = tc3SignatureUncached(s.cfg.SecretKey, a.service, t, a.date, &canon)
		}
		if hmac.Equal(want[:], []byte(a.signature)) {
			return nil
		}
	}
	return errf("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.")
}

// endpointService is the credential scope service that Tencent's Node,
// Java and PHP SDKs derive from an endpoint set in their HTTP profile: the
// text before its first dot ("vod" for vod.tencentcloudapi.com, "127" for
// 127.0.0.1:9090, "localhost:9090" for localhost:9090).
func endpointService(host string) string {
	svc, _, _ := strings.Cut(host, ".")
	return svc
}

// signedHostForms returns the values of the host header that a client may
// have signed: the Host as sent and, if it carries a port, the host alone
// (IPv6 brackets kept, as URL.hostname keeps them).
func signedHostForms(host string) []string {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || i < strings.LastIndexByte(host, ']') {
		return []string{host}
	}
	return []string{host, host[:i]}
}

// tc3SignatureUncached is tc3Signature for a service other than Service,
// deriving the key each time.
func tc3SignatureUncached(secretKey, service string, timestamp int64, date string, canonicalHash *[sha256.Size]byte) [2 * sha256.Size]byte {
	m := hmac.New(sha256.New, tc3SigningKey(secretKey, date, service))
	writeTC3StringToSign(m, timestamp, date, service, canonicalHash)
	var sig [2 * sha256.Size]byte
	hex.Encode(sig[:], m.Sum(nil))
	return sig
}

// checkTC3Headers checks what of a TC3-HMAC-SHA256 request can be
// checked without its body: the timestamp, the Authorization header's
// shape, the SecretId and the credential scope. It is cheap, so it runs
// before the body is read.
func (s *Server) checkTC3Headers(r *http.Request) (tc3Auth, int64, *apiError) {
	var a tc3Auth
	ts := r.Header.Get("X-TC-Timestamp")
	if ts == "" {
		return a, 0, errf("MissingParameter", "The request is missing the required parameter `X-TC-Timestamp`.")
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return a, 0, errf("InvalidParameter", "X-TC-Timestamp %q is not a decimal UNIX time in seconds.", ts)
	}
	a, aerr := parseTC3Authorization(r.Header.Get("Authorization"))
	if aerr != nil {
		return a, t, aerr
	}
	now := s.cfg.Clock.Now()
	if d := now.Sub(time.Unix(t, 0)); d > maxClockSkew || d < -maxClockSkew {
		return a, t, errf("AuthFailure.SignatureExpire", "Signature expired. Timestamp %d is %v away from server time %d; the limit is 5 minutes.", t, d.Round(time.Second), now.Unix())
	}
	if a.secretID != s.cfg.SecretID {
		return a, t, errf("AuthFailure.SecretIdNotFound", "The SecretId %q is not found, please ensure that your SecretId is correct.", a.secretID)
	}
	hasHost, hasType := false, false
	for _, h := range a.signedHeaders {
		if h != strings.ToLower(h) || h == "" {
			return a, t, errf("AuthFailure.SignatureFailure", "The provided credentials could not be validated: SignedHeaders must be lowercase header names separated by ';'.")
		}
		hasHost = hasHost || h == "host"
		hasType = hasType || h == "content-type"
	}
	if !hasHost || !hasType {
		return a, t, errf("AuthFailure.SignatureFailure", "The provided credentials could not be validated: SignedHeaders must include content-type and host.")
	}
	if !sort.StringsAreSorted(a.signedHeaders) {
		return a, t, errf("AuthFailure.SignatureFailure", "The provided credentials could not be validated: SignedHeaders must be in ascending order.")
	}
	date := time.Unix(t, 0).UTC().Format("2006-01-02")
	sdkService := endpointService(r.Host)
	if a.date != date || (a.service != Service && a.service != sdkService) {
		return a, t, errf("AuthFailure.SignatureFailure", "The provided credentials could not be validated: the credential scope must be %s/%s/tc3_request (or %s/%s/tc3_request, the service Tencent's Node, Java and PHP SDKs derive from this endpoint) for X-TC-Timestamp %d.", date, Service, date, sdkService, t)
	}
	return a, t, nil
}

// signLegacy returns the legacy signature of a request: base64 of the
// HMAC (SHA-1 unless method is "HmacSHA256") of httpMethod + host + path +
// "?" + the parameters sorted by name as name=value joined by "&", without
// Signature.
func signLegacy(secretKey, method, httpMethod, host, path string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(httpMethod)
	b.WriteString(host)
	b.WriteString(path)
	b.WriteByte('?')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params[k])
	}
	var h func() hash.Hash = sha1.New
	if method == "HmacSHA256" {
		h = sha256.New
	}
	m := hmac.New(h, []byte(secretKey))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Legacy error codes, from the common error code table of the legacy API.
const (
	legacyInvalidParameter = 4000
	legacyAuthFailure      = 4100
	legacyReplay           = 4500
	legacyNoSuchAction     = 6100
)

func legacyErr(code int, desc, format string, a ...any) *apiError {
	return &apiError{Legacy: code, LegacyDesc: desc, Message: fmt.Sprintf(format, a...)}
}

// verifyLegacy checks the legacy common parameters and the signature.
func (s *Server) verifyLegacy(r *http.Request, p map[string]string) *apiError {
	for _, k := range []string{"SecretId", "Timestamp", "Nonce", "Signature"} {
		if p[k] == "" {
			return legacyErr(legacyInvalidParameter, "InvalidParameter", "missing required common parameter %s", k)
		}
	}
	method := p["SignatureMethod"]
	if method != "" && method != "HmacSHA1" && method != "HmacSHA256" {
		return legacyErr(legacyInvalidParameter, "InvalidParameter", "SignatureMethod %q: must be HmacSHA1 (the default) or HmacSHA256", method)
	}
	if _, err := strconv.ParseUint(p["Nonce"], 10, 64); err != nil {
		return legacyErr(legacyInvalidParameter, "InvalidParameter", "Nonce %q is not a whole number from 0", p["Nonce"])
	}
	t, err := strconv.ParseInt(p["Timestamp"], 10, 64)
	if err != nil {
		return legacyErr(legacyInvalidParameter, "InvalidParameter", "Timestamp %q is not a decimal UNIX time in seconds", p["Timestamp"])
	}
	now := s.cfg.Clock.Now()
	if d := now.Sub(time.Unix(t, 0)); d > maxClockSkew || d < -maxClockSkew {
		return legacyErr(legacyReplay, "ReplayAttack", "Timestamp %d is more than 5 minutes away from server time %d", t, now.Unix())
	}
	if p["SecretId"] != s.cfg.SecretID {
		return legacyErr(legacyAuthFailure, "AuthFailure", "Authentication failed. SecretId does not exist")
	}
	sig := []byte(p["Signature"])
	// Parameters named msgHandle_N are signed as sent or, as Tencent's
	// legacy Node SDK (qcloudapi-sdk) signs them, as msgHandle.N.
	forms := []map[string]string{p}
	if dotted := dottedHandles(p); dotted != nil {
		forms = append(forms, dotted)
	}
	for _, params := range forms {
		for _, host := range []string{r.Host, legacyHost} {
			want := signLegacy(s.cfg.SecretKey, method, r.Method, host, LegacyPath, params)
			if hmac.Equal([]byte(want), sig) {
				return nil
			}
		}
	}
	return legacyErr(legacyAuthFailure, "AuthFailure", "Authentication failed. The signature does not match (signed string: %s{host}%s?{parameters sorted by name} with %s)", r.Method, LegacyPath, orDefault(method, "HmacSHA1"))
}

// dottedHandles returns p with every parameter named msgHandle_N renamed
// msgHandle.N, or nil if p has none (or renaming one would clash with a
// parameter of that name, which legacyHandles refuses anyway).
func dottedHandles(p map[string]string) map[string]string {
	var out map[string]string
	for k := range p {
		rest, ok := strings.CutPrefix(k, "msgHandle_")
		if !ok {
			continue
		}
		if _, clash := p["msgHandle."+rest]; clash {
			return nil
		}
		if out == nil {
			out = make(map[string]string, len(p))
			for k, v := range p {
				out[k] = v
			}
		}
		delete(out, k)
		out["msgHandle."+rest] = p[k]
	}
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// api3Host is the real API 3.0 host of VOD; signature v1 strings computed
// over it are accepted as well as ones over the request's own Host.
const api3Host = "vod.tencentcloudapi.com"

// verifyV1 checks the common parameters and the signature of an API 3.0
// request signed with HmacSHA1 or HmacSHA256: the signed string is the HTTP
// method, host, path, "?" and the parameters but Signature sorted by name
// as name=value joined by "&", values as sent (decoded).
func (s *Server) verifyV1(r *http.Request, v url.Values) *apiError {
	for _, k := range []string{"SecretId", "Timestamp", "Nonce", "Signature"} {
		if v.Get(k) == "" {
			return errf("MissingParameter", "The request is missing the required parameter `%s`.", k)
		}
	}
	method := v.Get("SignatureMethod")
	if method != "" && method != "HmacSHA1" && method != "HmacSHA256" {
		return errf("InvalidParameterValue", "SignatureMethod `%s` is not supported; use HmacSHA1, HmacSHA256 or TC3-HMAC-SHA256 (in the Authorization header).", method)
	}
	if _, err := strconv.ParseUint(v.Get("Nonce"), 10, 64); err != nil {
		return errf("InvalidParameter", "The value type of parameter `Nonce` is wrong: want a whole number from 0, got %q.", v.Get("Nonce"))
	}
	t, err := strconv.ParseInt(v.Get("Timestamp"), 10, 64)
	if err != nil {
		return errf("InvalidParameter", "The value type of parameter `Timestamp` is wrong: want a decimal UNIX time in seconds, got %q.", v.Get("Timestamp"))
	}
	now := s.cfg.Clock.Now()
	if d := now.Sub(time.Unix(t, 0)); d > maxClockSkew || d < -maxClockSkew {
		return errf("AuthFailure.SignatureExpire", "Signature expired. Timestamp %d is %v away from server time %d; the limit is 5 minutes.", t, d.Round(time.Second), now.Unix())
	}
	if id := v.Get("SecretId"); id != s.cfg.SecretID {
		return errf("AuthFailure.SecretIdNotFound", "The SecretId %q is not found, please ensure that your SecretId is correct.", id)
	}
	p := make(map[string]string, len(v))
	for k, vals := range v {
		p[k] = vals[0]
	}
	sig := []byte(p["Signature"])
	for _, host := range []string{r.Host, api3Host} {
		if hmac.Equal([]byte(signLegacy(s.cfg.SecretKey, method, r.Method, host, r.URL.Path, p)), sig) {
			return nil
		}
	}
	return errf("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct (signed string: %s{host}%s?{parameters sorted by name} with %s).", r.Method, r.URL.Path, orDefault(method, "HmacSHA1"))
}
