package pullevent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	"github.com/vodsim/vodsim/generator"
)

func listen(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sdkClient(addr, id, key string) *common.Client {
	return sdkClientMethod(addr, id, key, "POST")
}

func sdkClientMethod(addr, id, key, method string) *common.Client {
	cp := profile.NewClientProfile()
	cp.HttpProfile.ReqMethod = method
	cp.HttpProfile.Endpoint = addr
	cp.HttpProfile.Scheme = "HTTP"
	cp.HttpProfile.ReqTimeout = 15
	return common.NewCommonClient(common.NewCredential(id, key), "ap-guangzhou", cp)
}

type pullResponse struct {
	Response struct {
		EventSet []struct {
			EventHandle                    string
			EventType                      string
			CreateImageSpriteCompleteEvent struct {
				ErrCode int
				TaskId  string
				FileId  string
			}
		}
		RequestId string
	}
}

// TestOfficialSDK drives the endpoint with Tencent's own Go SDK, unchanged.
func TestOfficialSDK(t *testing.T) {
	s := listen(t, Config{Wait: 200 * time.Millisecond})
	g := testGen(t)
	s.Queue().AddFrom(g, 0, 20)
	c := sdkClient(s.Addr(), DefaultSecretID, DefaultSecretKey)

	pull := func() pullResponse {
		t.Helper()
		req := tchttp.NewCommonRequest("vod", APIVersion, "PullEvents")
		resp := tchttp.NewCommonResponse()
		if err := c.Send(req, resp); err != nil {
			t.Fatalf("PullEvents: %v", err)
		}
		var pr pullResponse
		if err := json.Unmarshal(resp.GetBody(), &pr); err != nil {
			t.Fatal(err)
		}
		if pr.Response.RequestId == "" {
			t.Error("no RequestId")
		}
		return pr
	}
	pr := pull()
	if len(pr.Response.EventSet) != DefaultMaxEvents {
		t.Fatalf("pulled %d events, want %d", len(pr.Response.EventSet), DefaultMaxEvents)
	}
	var handles []string
	for i, e := range pr.Response.EventSet {
		want := g.Event(uint64(i))
		if e.EventType != generator.EventType || e.CreateImageSpriteCompleteEvent.TaskId != want.TaskID || e.EventHandle == "" {
			t.Errorf("event %d: %+v", i, e)
		}
		handles = append(handles, e.EventHandle)
	}
	req := tchttp.NewCommonRequest("vod", APIVersion, "ConfirmEvents")
	if err := req.SetActionParameters(map[string]interface{}{"EventHandles": handles}); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(req, tchttp.NewCommonResponse()); err != nil {
		t.Fatalf("ConfirmEvents: %v", err)
	}
	if got := len(pull().Response.EventSet); got != 4 {
		t.Errorf("second pull got %d events, want the 4 left", got)
	}
	// Confirming the same handles again is a parameter error.
	err := c.Send(req, tchttp.NewCommonResponse())
	var se *tcerr.TencentCloudSDKError
	if !errors.As(err, &se) || se.Code != "InvalidParameterValue" {
		t.Errorf("second confirm: %v, want InvalidParameterValue", err)
	}

	for _, tc := range []struct{ id, key, code string }{
		{DefaultSecretID, "wrong-key", "AuthFailure.SignatureFailure"},
		{"AKIDnobody", DefaultSecretKey, "AuthFailure.SecretIdNotFound"},
	} {
		err := sdkClient(s.Addr(), tc.id, tc.key).Send(tchttp.NewCommonRequest("vod", APIVersion, "PullEvents"), tchttp.NewCommonResponse())
		var se *tcerr.TencentCloudSDKError
		if !errors.As(err, &se) || se.Code != tc.code || se.RequestId == "" {
			t.Errorf("id %s key %s: got %v, want %s", tc.id, tc.key, err, tc.code)
		}
	}
	if st := s.Queue().Stats(); st.Confirmed != 16 || st.InFlight != 4 {
		t.Errorf("stats %+v", st)
	}

	// The SDK's GET mode: parameters in the signed query string.
	s.Queue().AddFrom(g, 20, 2)
	cg := sdkClientMethod(s.Addr(), DefaultSecretID, DefaultSecretKey, "GET")
	resp := tchttp.NewCommonResponse()
	if err := cg.Send(tchttp.NewCommonRequest("vod", APIVersion, "PullEvents"), resp); err != nil {
		t.Fatalf("GET PullEvents: %v", err)
	}
	var gr pullResponse
	json.Unmarshal(resp.GetBody(), &gr)
	if len(gr.Response.EventSet) != 2 {
		t.Fatalf("GET pull: %s", resp.GetBody())
	}
	// The common request does not flatten action parameters into a GET
	// query (typed requests do), so confirm with a hand-signed GET.
	q := url.Values{"EventHandles.0": {gr.Response.EventSet[0].EventHandle}, "EventHandles.1": {gr.Response.EventSet[1].EventHandle}}
	if r := (signed3{action: "ConfirmEvents", method: http.MethodGet, contentType: "application/x-www-form-urlencoded", query: q.Encode()}.do(t, s)); errCode(r) != "" {
		t.Fatalf("GET ConfirmEvents: %v", r)
	}
	if st := s.Queue().Stats(); st.Confirmed != 18 {
		t.Errorf("after GET confirm: %+v", st)
	}
}

// signed3 builds an API 3.0 request the way the SDK does, with hooks to
// break it.
type signed3 struct {
	action, version, contentType, id, key string
	body                                  string
	ts                                    int64
	tamper                                func(*http.Request) // after signing
	method                                string
	auth                                  string // replaces Authorization when set
	query                                 string // GET parameters
}

func (r signed3) do(t *testing.T, s *Server) map[string]any {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodPost
	}
	if r.contentType == "" {
		r.contentType = "application/json"
	}
	if r.version == "" {
		r.version = APIVersion
	}
	if r.id == "" {
		r.id = DefaultSecretID
	}
	if r.key == "" {
		r.key = DefaultSecretKey
	}
	if r.ts == 0 {
		r.ts = time.Now().Unix()
	}
	u := s.URL() + "/"
	if r.query != "" {
		u += "?" + r.query
	}
	req, err := http.NewRequest(r.method, u, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", r.contentType)
	req.Header.Set("X-TC-Action", r.action)
	req.Header.Set("X-TC-Version", r.version)
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(r.ts, 10))
	req.Header.Set("X-TC-Region", "ap-guangzhou")
	canon := r.method + "\n/\n" + r.query + "\ncontent-type:" + r.contentType + "\nhost:" + s.Addr() + "\n\ncontent-type;host\n" + sha256Hex([]byte(r.body))
	sig := signTC3(r.key, "vod", r.ts, canon)
	date := time.Unix(r.ts, 0).UTC().Format("2006-01-02")
	req.Header.Set("Authorization", fmt.Sprintf("TC3-HMAC-SHA256 Credential=%s/%s/vod/tc3_request, SignedHeaders=content-type;host, Signature=%s", r.id, date, sig))
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	if r.tamper != nil {
		r.tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("answer is not JSON: %s", b)
	}
	return m["Response"].(map[string]any)
}

func errCode(resp map[string]any) string {
	e, ok := resp["Error"].(map[string]any)
	if !ok {
		return ""
	}
	return e["Code"].(string)
}

func TestAPI3Errors(t *testing.T) {
	s := listen(t, Config{MaxBodyBytes: 4096})
	s.Queue().AddFrom(testGen(t), 0, 2)
	tests := []struct {
		name string
		req  signed3
		code string
	}{
		{"valid pull", signed3{action: "PullEvents", body: "{}"}, ""},
		{"missing action", signed3{body: "{}"}, "MissingParameter"},
		{"unknown action", signed3{action: "DescribeMediaInfos", body: "{}"}, "InvalidAction"},
		{"wrong version", signed3{action: "PullEvents", version: "2017-03-12", body: "{}"}, "NoSuchVersion"},
		{"wrong key", signed3{action: "PullEvents", key: "nope", body: "{}"}, "AuthFailure.SignatureFailure"},
		{"unknown secret id", signed3{action: "PullEvents", id: "AKIDother", body: "{}"}, "AuthFailure.SecretIdNotFound"},
		{"timestamp 6 minutes old", signed3{action: "PullEvents", ts: time.Now().Add(-6 * time.Minute).Unix(), body: "{}"}, "AuthFailure.SignatureExpire"},
		{"timestamp 6 minutes ahead", signed3{action: "PullEvents", ts: time.Now().Add(6 * time.Minute).Unix(), body: "{}"}, "AuthFailure.SignatureExpire"},
		{"body changed after signing", signed3{action: "PullEvents", body: "{}", tamper: func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"SubAppId":1}`))
			r.ContentLength = 14
		}}, "AuthFailure.SignatureFailure"},
		{"garbled authorization", signed3{action: "PullEvents", body: "{}", auth: "Bearer xyz"}, "AuthFailure.InvalidAuthorization"},
		{"host not signed", signed3{action: "PullEvents", body: "{}", auth: "TC3-HMAC-SHA256 Credential=" + DefaultSecretID + "/" + time.Now().UTC().Format("2006-01-02") + "/vod/tc3_request, SignedHeaders=content-type, Signature=00"}, "AuthFailure.SignatureFailure"},
		{"unknown parameter", signed3{action: "PullEvents", body: `{"Limit":3}`}, "UnknownParameter"},
		{"wrong type", signed3{action: "ConfirmEvents", body: `{"EventHandles":"abc"}`}, "InvalidParameter"},
		{"not JSON", signed3{action: "PullEvents", body: `{`}, "InvalidParameter"},
		{"no handles", signed3{action: "ConfirmEvents", body: `{}`}, "MissingParameter"},
		{"unknown handle", signed3{action: "ConfirmEvents", body: `{"EventHandles":["nope"]}`}, "InvalidParameterValue"},
		{"17 handles", signed3{action: "ConfirmEvents", body: `{"EventHandles":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]}`}, "InvalidParameterValue"},
		{"body too large", signed3{action: "PullEvents", body: `{"SubAppId":1` + strings.Repeat(" ", 5000) + `}`}, "RequestSizeLimitExceeded"},
		{"unsupported content type", signed3{action: "PullEvents", contentType: "text/plain", body: "{}"}, "UnsupportedOperation"},
		{"unsupported method", signed3{action: "PullEvents", method: http.MethodPut, body: "{}"}, "UnsupportedOperation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := tt.req.do(t, s)
			if got := errCode(resp); got != tt.code {
				t.Errorf("code %q, want %q (%v)", got, tt.code, resp)
			}
			if resp["RequestId"] == "" || resp["RequestId"] == nil {
				t.Error("no RequestId")
			}
			if tt.code != "" {
				if msg, _ := resp["Error"].(map[string]any)["Message"].(string); msg == "" {
					t.Error("empty message")
				}
			}
		})
	}
}

// TestRedeliveryOverHTTP: an event pulled and not confirmed comes back
// after the window under a new handle, and the old handle is refused.
func TestRedeliveryOverHTTP(t *testing.T) {
	clk := newFakeClock()
	clk.now = time.Now()
	s := listen(t, Config{Clock: clk})
	s.Queue().AddFrom(testGen(t), 0, 1)
	first := signed3{action: "PullEvents", body: "{}", ts: clk.Now().Unix()}.do(t, s)
	set := first["EventSet"].([]any)
	if len(set) != 1 {
		t.Fatalf("first pull: %v", first)
	}
	old := set[0].(map[string]any)["EventHandle"].(string)
	clk.Advance(DefaultConfirmWindow)
	second := signed3{action: "PullEvents", body: "{}", ts: clk.Now().Unix()}.do(t, s)
	set = second["EventSet"].([]any)
	if len(set) != 1 || set[0].(map[string]any)["EventHandle"] == old {
		t.Fatalf("second pull: %v", second)
	}
	resp := signed3{action: "ConfirmEvents", body: `{"EventHandles":["` + old + `"]}`, ts: clk.Now().Unix()}.do(t, s)
	if errCode(resp) != "InvalidParameterValue" {
		t.Fatalf("confirm of the old handle: %v", resp)
	}
	fresh := set[0].(map[string]any)["EventHandle"].(string)
	if resp := (signed3{action: "ConfirmEvents", body: `{"EventHandles":["` + fresh + `"]}`, ts: clk.Now().Unix()}.do(t, s)); errCode(resp) != "" {
		t.Fatalf("confirm of the new handle: %v", resp)
	}
}

// legacyNonce gives each legacy test request a new Nonce, as a client
// must: a repeated one is refused as a replay.
var legacyNonce atomic.Uint64

// legacyRequest signs params for the legacy API over host with method.
func legacyRequest(t *testing.T, s *Server, httpMethod, signHost, sigMethod, key string, params map[string]string) map[string]any {
	t.Helper()
	p := map[string]string{"SecretId": DefaultSecretID, "Region": "gz", "Timestamp": strconv.FormatInt(time.Now().Unix(), 10), "Nonce": strconv.FormatUint(4711+legacyNonce.Add(1), 10)}
	if sigMethod != "" {
		p["SignatureMethod"] = sigMethod
	}
	for k, v := range params {
		p[k] = v
	}
	if signHost == "" {
		signHost = s.Addr()
	}
	p["Signature"] = signLegacy(key, sigMethod, httpMethod, signHost, LegacyPath, p)
	v := url.Values{}
	for k, val := range p {
		v.Set(k, val)
	}
	var resp *http.Response
	var err error
	if httpMethod == http.MethodGet {
		resp, err = http.Get(s.URL() + LegacyPath + "?" + v.Encode())
	} else {
		resp, err = http.PostForm(s.URL()+LegacyPath, v)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLegacyAPI(t *testing.T) {
	s := listen(t, Config{})
	g := testGen(t)
	s.Queue().AddFrom(g, 0, 40)
	pulled := 0
	for _, tc := range []struct {
		name, httpMethod, host, sigMethod string
	}{
		{"GET signed over the request's host, HmacSHA1 by default", http.MethodGet, "", ""},
		{"GET signed over the real host", http.MethodGet, legacyHost, "HmacSHA1"},
		{"POST with HmacSHA256", http.MethodPost, "", "HmacSHA256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := legacyRequest(t, s, tc.httpMethod, tc.host, tc.sigMethod, DefaultSecretKey, map[string]string{"Action": "PullEvent"})
			if m["code"] != 0.0 || m["message"] != "" {
				t.Fatalf("answer %v", m)
			}
			list := m["eventList"].([]any)
			if len(list) != DefaultMaxEvents && pulled+len(list) != 40 {
				t.Fatalf("%d events", len(list))
			}
			confirm := map[string]string{"Action": "ConfirmEvent"}
			for i, it := range list {
				e := it.(map[string]any)
				content := e["eventContent"].(map[string]any)
				want := g.Event(uint64(pulled + i))
				if content["version"] != "4.0" || content["data"].(map[string]any)["vodTaskId"] != want.TaskID {
					t.Errorf("event %d: %v", i, content)
				}
				confirm["msgHandle."+strconv.Itoa(i)] = e["msgHandle"].(string)
			}
			pulled += len(list)
			if m := legacyRequest(t, s, tc.httpMethod, tc.host, tc.sigMethod, DefaultSecretKey, confirm); m["code"] != 0.0 {
				t.Fatalf("confirm: %v", m)
			}
			if m := legacyRequest(t, s, tc.httpMethod, tc.host, tc.sigMethod, DefaultSecretKey, confirm); m["code"] != 4000.0 {
				t.Fatalf("second confirm: %v", m)
			}
		})
	}
	if st := s.Queue().Stats(); st.Confirmed != 40 {
		t.Errorf("stats %+v", st)
	}

	for _, tc := range []struct {
		name   string
		key    string
		params map[string]string
		code   float64
		desc   string
	}{
		{"wrong key", "wrong", map[string]string{"Action": "PullEvent"}, 4100, "AuthFailure"},
		{"unknown secret id", DefaultSecretKey, map[string]string{"Action": "PullEvent", "SecretId": "AKIDother"}, 4100, "AuthFailure"},
		{"old timestamp", DefaultSecretKey, map[string]string{"Action": "PullEvent", "Timestamp": strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)}, 4500, "ReplayAttack"},
		{"bad signature method", DefaultSecretKey, map[string]string{"Action": "PullEvent", "SignatureMethod": "MD5"}, 4000, "InvalidParameter"},
		{"unknown action", DefaultSecretKey, map[string]string{"Action": "DescribeVodPlayInfo"}, 6100, "InvalidAction"},
		{"confirm without handles", DefaultSecretKey, map[string]string{"Action": "ConfirmEvent"}, 4000, "InvalidParameter"},
		{"confirm of an unknown handle", DefaultSecretKey, map[string]string{"Action": "ConfirmEvent", "msgHandle.0": "nope"}, 4000, "InvalidParameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := legacyRequest(t, s, http.MethodGet, "", "", tc.key, tc.params)
			if m["code"] != tc.code || m["codeDesc"] != tc.desc || m["message"] == "" {
				t.Errorf("got %v, want code %v %s", m, tc.code, tc.desc)
			}
		})
	}
	t.Run("missing signature", func(t *testing.T) {
		resp, err := http.Get(s.URL() + LegacyPath + "?Action=PullEvent&SecretId=x&Timestamp=1&Nonce=1")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !bytes.Contains(b, []byte(`"code":4000`)) || !bytes.Contains(b, []byte("Signature")) {
			t.Errorf("answer %s", b)
		}
	})
}

func TestAdminAPI(t *testing.T) {
	s := listen(t, Config{NoAuth: true})
	g := testGen(t)
	e0, e1 := g.Event(0), g.Event(1)
	v4 := generator.Encoding{}.Marshal(&e0)
	v3 := generator.Encoding{Format: generator.FormatV3}.Marshal(&e1)
	post := func(body string) (int, map[string]any) {
		resp, err := http.Post(s.URL()+AdminPrefix+"/events", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	for _, tc := range []struct {
		name   string
		body   string
		status int
		added  float64
		errHas string
	}{
		{"one 4.0 event", string(v4), 200, 1, ""},
		{"one 3.0 event", string(v3), 200, 1, ""},
		{"NDJSON of both", string(v4) + "\n" + string(v3) + "\n", 200, 2, ""},
		{"bad line named", string(v4) + "\n" + `{"version":"4.0"}` + "\n", 400, 0, "line 2"},
		{"not JSON", "hello", 400, 0, "not a JSON object"},
		{"unknown field", strings.Replace(string(v4), `"status"`, `"extra":1,"status"`, 1), 400, 0, "unknown field"},
		{"empty", "", 400, 0, "empty body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m := post(tc.body)
			if status != tc.status {
				t.Fatalf("status %d: %v", status, m)
			}
			if tc.status == 200 && m["added"] != tc.added {
				t.Errorf("added %v", m["added"])
			}
			if tc.errHas != "" && !strings.Contains(fmt.Sprint(m["error"]), tc.errHas) {
				t.Errorf("error %q does not say %q", m["error"], tc.errHas)
			}
		})
	}
	get := func(path string) map[string]any {
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	if st := get(AdminPrefix + "/stats"); st["available"] != 4.0 || st["enqueued"] != 4.0 {
		t.Errorf("stats %v", st)
	}
	peek := get(AdminPrefix + "/events?limit=3&format=v3")["events"].([]any)
	if len(peek) != 3 || peek[1].(map[string]any)["event"].(map[string]any)["CreateImageSpriteCompleteEvent"].(map[string]any)["TaskId"] != e1.TaskID {
		t.Errorf("peek %v", peek)
	}
	if st := get(AdminPrefix + "/stats"); st["available"] != 4.0 {
		t.Errorf("peek consumed events: %v", st)
	}
	resp, err := http.Post(s.URL()+AdminPrefix+"/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st := get(AdminPrefix + "/stats"); st["available"] != 0.0 || st["enqueued"] != 0.0 {
		t.Errorf("after reset %v", st)
	}
	if m := get("/nothing"); !strings.Contains(fmt.Sprint(m["error"]), "no such path") {
		t.Errorf("404 answer %v", m)
	}
}

// TestCloseReleasesHeldPolls: shutdown answers held polls at once, with
// an empty event list, instead of cutting them.
func TestCloseReleasesHeldPolls(t *testing.T) {
	s, err := Listen("127.0.0.1:0", Config{Wait: time.Minute, NoAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	answers := make(chan string, 8)
	do := func(req *http.Request) {
		defer wg.Done()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answers <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answers <- string(b)
	}
	for range 4 {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-TC-Action", "PullEvents")
		req.Header.Set("X-TC-Version", APIVersion)
		wg.Add(2)
		go do(req)
		req2, _ := http.NewRequest(http.MethodGet, s.URL()+LegacyPath+"?Action=PullEvent", nil)
		go do(req2)
	}
	waitHeld(t, s.Queue(), 8)
	if len(answers) != 0 {
		t.Fatalf("a poll returned before shutdown: %s", <-answers)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Held a minute otherwise: returning at all is the answer.
	waitOrFail(t, &wg, 30*time.Second)
	close(answers)
	for a := range answers {
		if !strings.Contains(a, `"EventSet":[]`) && !strings.Contains(a, `"eventList":[]`) {
			t.Errorf("held poll answered %s", a)
		}
	}
}

// TestDrainOverHTTP: 32 pollers drain the queue through signed API 3.0
// calls on loopback; every event is confirmed exactly once.
func TestDrainOverHTTP(t *testing.T) {
	const n = 4_000
	const pollers = 32
	s := listen(t, Config{})
	g := testGen(t)
	s.Queue().AddFrom(g, 0, n)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: pollers}}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	seen := make(map[string]int)
	var wg sync.WaitGroup
	for range pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				body, err := signedPost(client, s.Addr(), "PullEvents", []byte("{}"))
				if err != nil {
					t.Error(err)
					return
				}
				var pr pullResponse
				if err := json.Unmarshal(body, &pr); err != nil {
					t.Errorf("%v: %s", err, body)
					return
				}
				if len(pr.Response.EventSet) == 0 {
					return
				}
				var hs []string
				mu.Lock()
				for _, e := range pr.Response.EventSet {
					seen[e.CreateImageSpriteCompleteEvent.TaskId]++
					hs = append(hs, e.EventHandle)
				}
				mu.Unlock()
				req, _ := json.Marshal(map[string]any{"EventHandles": hs})
				ans, err := signedPost(client, s.Addr(), "ConfirmEvents", req)
				if err != nil || bytes.Contains(ans, []byte(`"Error"`)) {
					t.Errorf("confirm: %v %s", err, ans)
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d distinct events pulled, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("event %s pulled %d times", id, c)
		}
	}
	if st := s.Queue().Stats(); st.Confirmed != n || st.InFlight != 0 || st.Available != 0 || st.Redelivered != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestTC3AcrossMidnight: the signing key depends on the request's UTC
// date, and around midnight requests of two dates arrive interleaved;
// each must verify with its own date's key, and only with it.
func TestTC3AcrossMidnight(t *testing.T) {
	midnight := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	s := listen(t, Config{Clock: ClockFunc(func() time.Time { return midnight })})
	before, after := midnight.Add(-time.Minute).Unix(), midnight.Add(time.Minute).Unix()
	for i, ts := range []int64{before, after, before, after} {
		if r := (signed3{action: "PullEvents", body: "{}", ts: ts}).do(t, s); errCode(r) != "" {
			t.Errorf("request %d (timestamp %d): %v", i, ts, r)
		}
		if r := (signed3{action: "PullEvents", body: "{}", ts: ts, key: "other"}).do(t, s); errCode(r) != "AuthFailure.SignatureFailure" {
			t.Errorf("request %d signed with another key: %v", i, r)
		}
	}
}

// TestRequestLimit: over RequestLimit requests a second to one action are
// answered RequestLimitExceeded, which the SDK returns as its error; each
// action has its own budget, and it refills with time.
func TestRequestLimit(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := ClockFunc(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	s := listen(t, Config{RequestLimit: 2, Clock: clock})
	s.Queue().AddFrom(testGen(t), 0, 10)
	c := sdkClient(s.Addr(), DefaultSecretID, DefaultSecretKey)
	call := func(action string, params map[string]any) error {
		req := tchttp.NewCommonRequest("vod", APIVersion, action)
		if params != nil {
			req.SetActionParameters(params)
		}
		return c.Send(req, tchttp.NewCommonResponse())
	}
	code := func(err error) string {
		var se *tcerr.TencentCloudSDKError
		if errors.As(err, &se) {
			return se.Code
		}
		if err != nil {
			return err.Error()
		}
		return ""
	}
	for i := range 2 {
		if err := call("PullEvents", nil); err != nil {
			t.Fatalf("pull %d within the limit: %v", i+1, err)
		}
	}
	if got := code(call("PullEvents", nil)); got != "RequestLimitExceeded" {
		t.Fatalf("third pull in the same second: %q, want RequestLimitExceeded", got)
	}
	// ConfirmEvents has a budget of its own: an unknown handle is a
	// parameter error, not the limit.
	if got := code(call("ConfirmEvents", map[string]any{"EventHandles": []string{"nope"}})); got != "InvalidParameterValue" {
		t.Errorf("confirm after the pulls: %q, want InvalidParameterValue", got)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if err := call("PullEvents", nil); err != nil {
		t.Errorf("pull a second later: %v", err)
	}
}

func TestRequestLimitInvalid(t *testing.T) {
	for _, l := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := New(Config{RequestLimit: l}); err == nil {
			t.Errorf("RequestLimit %v accepted", l)
		}
	}
}

// TestDescribeEventsState: the SDK's DescribeEventsState counts the events
// waiting to be pulled: not those in flight, again those whose window
// passed unconfirmed.
func TestDescribeEventsState(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := ClockFunc(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	s := listen(t, Config{Clock: clock})
	s.Queue().AddFrom(testGen(t), 0, 20)
	c := sdkClient(s.Addr(), DefaultSecretID, DefaultSecretKey)
	count := func() int {
		t.Helper()
		req := tchttp.NewCommonRequest("vod", APIVersion, "DescribeEventsState")
		req.SetActionParameters(map[string]any{"SubAppId": 1500000001})
		resp := tchttp.NewCommonResponse()
		if err := c.Send(req, resp); err != nil {
			t.Fatalf("DescribeEventsState: %v", err)
		}
		var r struct {
			Response struct {
				CountOfEventsToPull *int
				RequestId           string
			}
		}
		if err := json.Unmarshal(resp.GetBody(), &r); err != nil || r.Response.CountOfEventsToPull == nil || r.Response.RequestId == "" {
			t.Fatalf("answer %s (%v)", resp.GetBody(), err)
		}
		return *r.Response.CountOfEventsToPull
	}
	if got := count(); got != 20 {
		t.Errorf("before any pull: %d, want 20", got)
	}
	if err := c.Send(tchttp.NewCommonRequest("vod", APIVersion, "PullEvents"), tchttp.NewCommonResponse()); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != 4 {
		t.Errorf("with 16 in flight: %d, want 4", got)
	}
	mu.Lock()
	now = now.Add(DefaultConfirmWindow + time.Second)
	mu.Unlock()
	if got := count(); got != 20 {
		t.Errorf("after the window: %d, want the 20 again", got)
	}
	req := tchttp.NewCommonRequest("vod", APIVersion, "DescribeEventsState")
	req.SetActionParameters(map[string]any{"ExtInfo": "x"})
	var se *tcerr.TencentCloudSDKError
	if err := c.Send(req, tchttp.NewCommonResponse()); !errors.As(err, &se) || se.Code != "UnknownParameter" {
		t.Errorf("ExtInfo: %v, want UnknownParameter", err)
	}
}

// TestRoutes: every path goes through the one router; the admin check
// comes before an admin path's answer, a path unknown included.
func TestRoutes(t *testing.T) {
	s, err := New(Config{AdminToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/_vodsim/stats", "", http.StatusUnauthorized},
		{"GET", "/_vodsim/stats", "tok", http.StatusOK},
		{"GET", "/_vodsim/nope", "", http.StatusUnauthorized},
		{"GET", "/_vodsim/nope", "tok", http.StatusNotFound},
		{"POST", "/_vodsim/stats", "tok", http.StatusMethodNotAllowed},
		{"GET", "/_vodsimx", "", http.StatusNotFound},
		{"GET", "/nope", "", http.StatusNotFound},
	} {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.token != "" {
			r.Header.Set("Authorization", "Bearer "+tc.token)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s %s (token %q): %d, want %d: %s", tc.method, tc.path, tc.token, w.Code, tc.want, w.Body)
		}
	}
}

// Parameter names are matched exactly, as the real API does: encoding/json
// alone would take eventHandles for EventHandles. A body that is not an
// object, or a value of the wrong type, is named in the API's terms, not
// in Go's.
func TestDecodeRequest3JSONStrict(t *testing.T) {
	for _, tt := range []struct {
		action, body, code, msg string
	}{
		{"ConfirmEvents", `{"eventHandles":["a"]}`, "UnknownParameter", "`eventHandles` is not recognized"},
		{"ConfirmEvents", `{"EventHandles":["a"],"eventhandles":["b"]}`, "UnknownParameter", "`eventhandles` is not recognized"},
		{"PullEvents", `{"subAppId":1}`, "UnknownParameter", "`subAppId` is not recognized"},
		{"PullEvents", `{"EXTINFO":"x"}`, "UnknownParameter", "`EXTINFO` is not recognized"},
		{"PullEvents", `[]`, "InvalidParameter", "not a JSON object"},
		{"PullEvents", `"x"`, "InvalidParameter", "not a JSON object"},
		{"PullEvents", `{"SubAppId":-1}`, "InvalidParameter", "`SubAppId` is wrong: want an integer"},
		{"ConfirmEvents", `{"EventHandles":"a"}`, "InvalidParameter", "`EventHandles` is wrong: want an array of strings"},
		{"ConfirmEvents", `{"EventHandles":[1]}`, "InvalidParameter", "`EventHandles` is wrong: want an array of strings"},
		{"PullEvents", `{"ExtInfo":1}`, "InvalidParameter", "`ExtInfo` is wrong: want a string"},
		{"ConfirmEvents", `{"EventHandles":["a"],"SubAppId":1,"ExtInfo":""}`, "", ""},
		{"PullEvents", `{"SubAppId":1,"ExtInfo":""}`, "", ""},
	} {
		_, e := decodeRequest3JSON(tt.action, []byte(tt.body))
		switch {
		case tt.code == "" && e != nil:
			t.Errorf("%s %s: %v, want no error", tt.action, tt.body, e)
		case tt.code != "" && (e == nil || e.Code != tt.code || !strings.Contains(e.Message, tt.msg)):
			t.Errorf("%s %s: %v, want %s saying %q", tt.action, tt.body, e, tt.code, tt.msg)
		}
		if e != nil && (strings.Contains(e.Message, "pullevent.") || strings.Contains(e.Message, "``")) {
			t.Errorf("%s %s: message %q speaks Go or names no parameter", tt.action, tt.body, e.Message)
		}
	}
}
