//lint:file-ignore SA5008 the SDK's generated request types carry omitnil, an option of its own JSON encoder, copied here verbatim

package pullevent

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// With signature v1 the SDK sends only the parameters it finds in struct
// fields tagged `name` (tchttp.ConstructParams), so a CommonRequest's
// action parameters are not sent; these are the vod package's request
// types, as generated.
type v1PullRequest struct {
	*tchttp.BaseRequest
	SubAppId *uint64 `json:"SubAppId,omitnil" name:"SubAppId"`
}

type v1ConfirmRequest struct {
	*tchttp.BaseRequest
	EventHandles []*string `json:"EventHandles,omitnil" name:"EventHandles"`
	SubAppId     *uint64   `json:"SubAppId,omitnil" name:"SubAppId"`
	ExtInfo      *string   `json:"ExtInfo,omitnil" name:"ExtInfo"`
}

func newV1Pull() *v1PullRequest {
	r := &v1PullRequest{BaseRequest: &tchttp.BaseRequest{}}
	r.Init().WithApiInfo("vod", APIVersion, "PullEvents")
	return r
}

func newV1Confirm(handles []string) *v1ConfirmRequest {
	r := &v1ConfirmRequest{BaseRequest: &tchttp.BaseRequest{}}
	r.Init().WithApiInfo("vod", APIVersion, "ConfirmEvents")
	for _, h := range handles {
		r.EventHandles = append(r.EventHandles, &h)
	}
	return r
}

func sdkClientV1(addr, key, signMethod, reqMethod string) *common.Client {
	cp := profile.NewClientProfile()
	cp.SignMethod = signMethod
	cp.HttpProfile.ReqMethod = reqMethod
	cp.HttpProfile.Endpoint = addr
	cp.HttpProfile.Scheme = "HTTP"
	cp.HttpProfile.ReqTimeout = 15
	return common.NewCommonClient(common.NewCredential(DefaultSecretID, key), "ap-guangzhou", cp)
}

// TestOfficialSDKSignatureV1 drives the API 3.0 endpoint with the SDK's
// older signing methods, HmacSHA1 and HmacSHA256, whose parameters travel
// in the query (GET) or a form body (POST): pull, confirm, and a wrong key.
func TestOfficialSDKSignatureV1(t *testing.T) {
	s := listen(t, Config{Wait: 100 * time.Millisecond})
	g := testGen(t)
	var next uint64
	for _, sign := range []string{"HmacSHA256", "HmacSHA1"} {
		for _, method := range []string{"POST", "GET"} {
			t.Run(sign+"/"+method, func(t *testing.T) {
				s.Queue().AddFrom(g, next, 3)
				next += 3
				c := sdkClientV1(s.Addr(), DefaultSecretKey, sign, method)
				resp := tchttp.NewCommonResponse()
				sub := uint64(0)
				pull := newV1Pull()
				pull.SubAppId = &sub
				if err := c.Send(pull, resp); err != nil {
					t.Fatalf("PullEvents: %v", err)
				}
				var pr pullResponse
				if err := json.Unmarshal(resp.GetBody(), &pr); err != nil {
					t.Fatal(err)
				}
				if len(pr.Response.EventSet) != 3 || pr.Response.RequestId == "" {
					t.Fatalf("pulled %s", resp.GetBody())
				}
				var hs []string
				for _, e := range pr.Response.EventSet {
					hs = append(hs, e.EventHandle)
				}
				conf := newV1Confirm(hs)
				ext := "from the SDK"
				conf.ExtInfo = &ext
				if err := c.Send(conf, tchttp.NewCommonResponse()); err != nil {
					t.Fatalf("ConfirmEvents: %v", err)
				}
				if st := s.Queue().Stats(); st.InFlight != 0 || st.Confirmed != next {
					t.Errorf("stats after confirm: %+v", st)
				}
				// Confirming again is refused: the handles were really read.
				err := c.Send(newV1Confirm(hs), tchttp.NewCommonResponse())
				var se *tcerr.TencentCloudSDKError
				if !errors.As(err, &se) || se.Code != "InvalidParameterValue" {
					t.Errorf("second confirm: %v, want InvalidParameterValue", err)
				}
				err = sdkClientV1(s.Addr(), "wrong-key", sign, method).Send(newV1Pull(), tchttp.NewCommonResponse())
				if !errors.As(err, &se) || se.Code != "AuthFailure.SignatureFailure" || se.RequestId == "" {
					t.Errorf("wrong key: %v, want AuthFailure.SignatureFailure", err)
				}
			})
		}
	}
}

// v1Params returns signed v1 parameters of a PullEvents request plus extra.
func v1Params(host, httpMethod string, extra map[string]string) url.Values {
	p := map[string]string{
		"Action": "PullEvents", "Version": APIVersion, "Region": "ap-guangzhou", "SecretId": DefaultSecretID,
		"Timestamp": strconv.FormatInt(time.Now().Unix(), 10), "Nonce": "12345", "SignatureMethod": "HmacSHA256",
	}
	for k, v := range extra {
		p[k] = v
	}
	p["Signature"] = signLegacy(DefaultSecretKey, p["SignatureMethod"], httpMethod, host, "/", p)
	v := url.Values{}
	for k, x := range p {
		v.Set(k, x)
	}
	return v
}

// TestSignatureV1Errors: what a hand-made v1 request gets wrong is named in
// the 3.0 envelope.
func TestSignatureV1Errors(t *testing.T) {
	s := listen(t, Config{MaxBodyBytes: 4096})
	post := func(t *testing.T, body string) map[string]any {
		t.Helper()
		resp, err := http.Post(s.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var env struct{ Response map[string]any }
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		return env.Response
	}
	signed := func(extra map[string]string) url.Values { return v1Params(s.Addr(), "POST", extra) }
	tamper := func(v url.Values, k, x string) url.Values { v.Set(k, x); return v }
	for _, tc := range []struct {
		name, body, code string
	}{
		{"valid", signed(nil).Encode(), ""},
		{"valid with SubAppId and ExtInfo", signed(map[string]string{"SubAppId": "1", "ExtInfo": "x"}).Encode(), ""},
		{"wrong key", tamper(signed(nil), "Signature", signLegacy("nope", "HmacSHA256", "POST", s.Addr(), "/", map[string]string{})).Encode(), "AuthFailure.SignatureFailure"},
		{"parameter changed after signing", tamper(signed(nil), "Region", "ap-beijing").Encode(), "AuthFailure.SignatureFailure"},
		{"no action", "Version=" + APIVersion, "MissingParameter"},
		{"other action", tamper(signed(nil), "Action", "DescribeMediaInfos").Encode(), "InvalidAction"},
		{"wrong version", tamper(signed(nil), "Version", "2017-03-12").Encode(), "NoSuchVersion"},
		{"no signature", tamper(signed(nil), "Signature", "").Encode(), "MissingParameter"},
		{"old timestamp", signed(map[string]string{"Timestamp": strconv.FormatInt(time.Now().Add(-6*time.Minute).Unix(), 10)}).Encode(), "AuthFailure.SignatureExpire"},
		{"unknown secret id", signed(map[string]string{"SecretId": "AKIDother"}).Encode(), "AuthFailure.SecretIdNotFound"},
		{"bad signature method", signed(map[string]string{"SignatureMethod": "MD5"}).Encode(), "InvalidParameterValue"},
		{"SubAppId not an integer", signed(map[string]string{"SubAppId": "abc"}).Encode(), "InvalidParameter"},
		{"parameter twice", signed(nil).Encode() + "&Nonce=1", "InvalidParameter"},
		{"unknown parameter", signed(map[string]string{"Limit": "3"}).Encode(), "UnknownParameter"},
		{"body over the 1 MB limit", signed(map[string]string{"ExtInfo": strings.Repeat("x", 5000)}).Encode(), "RequestSizeLimitExceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(t, tc.body)
			if got := errCode(resp); got != tc.code {
				t.Errorf("code %q, want %q (%v)", got, tc.code, resp)
			}
			if tc.code == "" && resp["EventSet"] == nil {
				t.Errorf("no EventSet: %v", resp)
			}
		})
	}
}

// TestOptionalParameters: both actions take SubAppId (an integer) and
// ExtInfo (a string) in JSON, query and form; a wrong type is an
// InvalidParameter that names the parameter.
func TestOptionalParameters(t *testing.T) {
	s := listen(t, Config{MaxEvents: 1})
	s.Queue().AddFrom(testGen(t), 0, 8)
	pullHandle := func(t *testing.T) string {
		t.Helper()
		resp := signed3{action: "PullEvents", body: `{"SubAppId":1,"ExtInfo":""}`}.do(t, s)
		es, _ := resp["EventSet"].([]any)
		if len(es) == 0 {
			t.Fatalf("pull: %v", resp)
		}
		return es[0].(map[string]any)["EventHandle"].(string)
	}
	for _, tc := range []struct {
		name  string
		req   signed3
		code  string
		param string
	}{
		{"pull JSON", signed3{action: "PullEvents", body: `{"SubAppId":1500000001,"ExtInfo":"x"}`}, "", ""},
		{"pull JSON SubAppId string", signed3{action: "PullEvents", body: `{"SubAppId":"1"}`}, "InvalidParameter", "SubAppId"},
		{"pull JSON SubAppId negative", signed3{action: "PullEvents", body: `{"SubAppId":-1}`}, "InvalidParameter", "SubAppId"},
		{"pull JSON SubAppId fraction", signed3{action: "PullEvents", body: `{"SubAppId":1.5}`}, "InvalidParameter", "SubAppId"},
		{"pull JSON ExtInfo number", signed3{action: "PullEvents", body: `{"ExtInfo":1}`}, "InvalidParameter", "ExtInfo"},
		{"confirm JSON ExtInfo object", signed3{action: "ConfirmEvents", body: `{"EventHandles":["a"],"ExtInfo":{}}`}, "InvalidParameter", "ExtInfo"},
		{"pull GET", signed3{action: "PullEvents", method: http.MethodGet, query: "SubAppId=7&ExtInfo=x"}, "", ""},
		{"pull GET SubAppId word", signed3{action: "PullEvents", method: http.MethodGet, query: "SubAppId=abc"}, "InvalidParameter", "SubAppId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.req.do(t, s)
			if got := errCode(resp); got != tc.code {
				t.Fatalf("code %q, want %q (%v)", got, tc.code, resp)
			}
			if tc.param != "" {
				if msg := resp["Error"].(map[string]any)["Message"].(string); !strings.Contains(msg, "`"+tc.param+"`") {
					t.Errorf("message %q does not name %s", msg, tc.param)
				}
			}
		})
	}
	t.Run("confirm JSON", func(t *testing.T) {
		h := pullHandle(t)
		if resp := (signed3{action: "ConfirmEvents", body: `{"EventHandles":["` + h + `"],"SubAppId":3,"ExtInfo":"y"}`}).do(t, s); errCode(resp) != "" {
			t.Errorf("confirm: %v", resp)
		}
	})
	t.Run("confirm GET", func(t *testing.T) {
		h := pullHandle(t)
		if resp := (signed3{action: "ConfirmEvents", method: http.MethodGet, query: "EventHandles.0=" + h + "&SubAppId=3&ExtInfo=y"}).do(t, s); errCode(resp) != "" {
			t.Errorf("confirm: %v", resp)
		}
	})
}

// TestSignatureV1BodyLimit: a form body signed with HmacSHA1/HmacSHA256
// is limited to 1 MB, as those signature methods are by the real API,
// while a TC3-HMAC-SHA256 JSON body may be larger.
func TestSignatureV1BodyLimit(t *testing.T) {
	s := listen(t, Config{})
	big := v1Params(s.Addr(), "POST", map[string]string{"ExtInfo": strings.Repeat("x", DefaultLegacyMaxBodyBytes)}).Encode()
	resp, err := http.Post(s.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"RequestSizeLimitExceeded"`) {
		t.Errorf("1 MB+ form body: %.300s", b)
	}
	ans := signed3{action: "PullEvents", body: `{"ExtInfo":"` + strings.Repeat("x", DefaultLegacyMaxBodyBytes) + `"}`}.do(t, s)
	if code := errCode(ans); code != "" {
		t.Errorf("1 MB+ JSON body: %s", code)
	}
}
