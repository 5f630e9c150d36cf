package pullevent

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzLegacyParams feeds arbitrary query strings to the legacy parameter
// parser: it must never panic, and what it accepts must be consistent.
func FuzzLegacyParams(f *testing.F) {
	for _, s := range []string{
		"Action=PullEvent&SecretId=AKID&Timestamp=1&Nonce=2&Signature=abc%3D",
		"Action=ConfirmEvent&msgHandle.0=a&msgHandle.1=b",
		"msgHandle_0=a&msgHandle_1=b&msgHandle.0=c",
		"a=1&a=2",
		"%zz",
		"=x",
		"msgHandle.-1=x",
		"msgHandle.99999999999999999999=x",
		"",
	} {
		f.Add(s, "")
		f.Add(s, "Region=gz")
	}
	f.Fuzz(func(t *testing.T, query, body string) {
		p, err := parseLegacyParams(query, body)
		if err != nil {
			if err.Legacy != legacyInvalidParameter || err.Message == "" {
				t.Fatalf("error %+v", err)
			}
			return
		}
		for k, v := range p {
			if k == "" {
				t.Fatal("empty parameter name accepted")
			}
			vs, _ := url.ParseQuery(query)
			vb, _ := url.ParseQuery(body)
			if vs.Get(k) != v && vb.Get(k) != v {
				t.Fatalf("parameter %q=%q is in neither input", k, v)
			}
		}
		hs, herr := legacyHandles(p)
		if herr == nil {
			if len(hs) == 0 || len(hs) > DefaultMaxEvents {
				t.Fatalf("%d handles accepted", len(hs))
			}
			for _, h := range hs {
				if h == "" {
					t.Fatal("empty handle accepted")
				}
			}
		}
	})
}

// FuzzRequest3JSON feeds arbitrary bodies to the API 3.0 request parser: it
// must never panic, answer a real error code on bad input, and accept only
// requests within the API's limits.
func FuzzRequest3JSON(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"EventHandles":["a","b"]}`,
		`TC3-HMAC-SHA256 Credential=AKID/2026-01-01/vod/tc3_request, SignedHeaders=content-type;host, Signature=00`,
		`{"EventHandles":"a"}`,
		`{"SubAppId":1}`,
		`{"SubAppId":-1}`,
		`{"Other":1}`,
		`{"EventHandles":[""]}`,
		`{} {}`,
		`[`,
		``,
	} {
		f.Add("PullEvents", s)
		f.Add("ConfirmEvents", s)
	}
	codes := map[string]bool{"InvalidParameter": true, "InvalidParameterValue": true, "UnknownParameter": true, "MissingParameter": true}
	f.Fuzz(func(t *testing.T, action, body string) {
		// The Authorization parser sees outside input too.
		if a, err := parseTC3Authorization(body); err == nil && (a.secretID == "" && a.date == "" || a.signature == "" || len(a.signedHeaders) == 0) {
			t.Fatalf("accepted a header without its parts: %+v", a)
		} else if err != nil && err.Code != "AuthFailure.InvalidAuthorization" {
			t.Fatalf("authorization error %+v", err)
		}
		req, err := decodeRequest3JSON(action, []byte(body))
		if err != nil {
			if !codes[err.Code] || err.Message == "" || strings.ContainsRune(err.Code, ' ') {
				t.Fatalf("error %+v", err)
			}
			return
		}
		if action == "ConfirmEvents" && (len(req.EventHandles) == 0 || len(req.EventHandles) > DefaultMaxEvents) {
			t.Fatalf("%d handles accepted", len(req.EventHandles))
		}
		if action == "PullEvents" && req.EventHandles != nil {
			t.Fatal("PullEvents accepted EventHandles")
		}
	})
}

// FuzzRequest3Form feeds arbitrary query strings and form bodies to the
// API 3.0 parser of signature v1 and form requests: it must never panic,
// answer a real error code on bad input, and accept only requests within
// the API's limits.
func FuzzRequest3Form(f *testing.F) {
	for _, s := range []string{
		"Action=PullEvents&Version=2018-07-17&SecretId=AKID&Timestamp=1&Nonce=2&Signature=abc%3D&SignatureMethod=HmacSHA256",
		"EventHandles.0=a&EventHandles.1=b",
		"EventHandles.1=b&EventHandles.0=a&SubAppId=3&ExtInfo=x",
		"EventHandles.-1=a",
		"EventHandles.x=a",
		"EventHandles.0=",
		"SubAppId=-1",
		"SubAppId=18446744073709551616",
		"Nonce=1&Nonce=2",
		"%zz",
		"=x",
		"Limit=3",
		"",
	} {
		f.Add("PullEvents", s, "")
		f.Add("ConfirmEvents", s, "Region=ap-guangzhou")
		f.Add("ConfirmEvents", "", s)
	}
	codes := map[string]bool{"InvalidParameter": true, "InvalidParameterValue": true, "UnknownParameter": true, "MissingParameter": true}
	f.Fuzz(func(t *testing.T, action, query, body string) {
		v, err := parseParams3(query, body)
		if err != nil {
			if err.Code != "InvalidParameter" || err.Message == "" {
				t.Fatalf("error %+v", err)
			}
			return
		}
		for k, vals := range v {
			if k == "" || len(vals) != 1 {
				t.Fatalf("parameter %q=%q accepted", k, vals)
			}
		}
		req, aerr := decodeRequest3Form(action, v)
		if aerr != nil {
			if !codes[aerr.Code] || aerr.Message == "" {
				t.Fatalf("error %+v", aerr)
			}
			return
		}
		if action == "ConfirmEvents" {
			if len(req.EventHandles) == 0 || len(req.EventHandles) > DefaultMaxEvents {
				t.Fatalf("%d handles accepted", len(req.EventHandles))
			}
			for _, h := range req.EventHandles {
				if h == "" {
					t.Fatal("empty handle accepted")
				}
			}
		}
		if action == "PullEvents" && req.EventHandles != nil {
			t.Fatal("PullEvents accepted EventHandles")
		}
	})
}
