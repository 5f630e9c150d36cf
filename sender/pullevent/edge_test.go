package pullevent

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"
	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/connlimit"
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

// countingBody records whether a request body was read.
type countingBody struct{ read atomic.Int64 }

func (b *countingBody) Read(p []byte) (int, error) {
	b.read.Add(int64(len(p)))
	return len(p), nil // endless
}
func (b *countingBody) Close() error { return nil }

func TestBodyNotReadBeforeHeaders(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		code string
	}{
		{"no action", map[string]string{"Content-Type": "application/json"}, "MissingParameter"},
		{"other action", map[string]string{"Content-Type": "application/json", "X-TC-Action": "DeleteMedia", "X-TC-Version": APIVersion}, "InvalidAction"},
		{"unsigned", map[string]string{"Content-Type": "application/json", "X-TC-Action": "PullEvents", "X-TC-Version": APIVersion, "X-TC-Timestamp": strconv.FormatInt(time.Now().Unix(), 10)}, "AuthFailure.InvalidAuthorization"},
		{"bad SecretId", map[string]string{"Content-Type": "application/json", "X-TC-Action": "PullEvents", "X-TC-Version": APIVersion, "X-TC-Timestamp": strconv.FormatInt(time.Now().Unix(), 10),
			"Authorization": tc3Algorithm + " Credential=AKIDother/" + time.Now().UTC().Format("2006-01-02") + "/vod/tc3_request, SignedHeaders=content-type;host, Signature=00"}, "AuthFailure.SecretIdNotFound"},
		{"old timestamp", map[string]string{"Content-Type": "application/json", "X-TC-Action": "PullEvents", "X-TC-Version": APIVersion, "X-TC-Timestamp": "1000",
			"Authorization": tc3Algorithm + " Credential=" + DefaultSecretID + "/1970-01-01/vod/tc3_request, SignedHeaders=content-type;host, Signature=00"}, "AuthFailure.SignatureExpire"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &countingBody{}
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Body, r.ContentLength = body, 10<<20
			for k, v := range tc.hdr {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if !strings.Contains(w.Body.String(), `"Code":"`+tc.code+`"`) {
				t.Errorf("answer %s, want %s", w.Body.String(), tc.code)
			}
			if n := body.read.Load(); n != 0 {
				t.Errorf("%d bytes of the body read", n)
			}
		})
	}
	// A body declared larger than the limit is refused unread.
	body := &countingBody{}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body, r.ContentLength = body, DefaultMaxBodyBytes+1
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-TC-Action", "PullEvents")
	r.Header.Set("X-TC-Version", APIVersion)
	s2, _ := New(Config{NoAuth: true})
	w := httptest.NewRecorder()
	s2.ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), "RequestSizeLimitExceeded") || body.read.Load() != 0 {
		t.Errorf("answer %s after reading %d bytes", w.Body.String(), body.read.Load())
	}
}

// serveLimited serves h on 127.0.0.1 with a ConnLimit of max.
func serveLimited(t *testing.T, max int, h http.Handler) (string, *connlimit.Limit) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := connlimit.New(max)
	hs := &http.Server{Handler: h, ConnState: cl.ConnState, ReadHeaderTimeout: 30 * time.Second}
	go hs.Serve(cl.Listener(ln))
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String(), cl
}

func TestConnLimitClosesIdle(t *testing.T) {
	u, cl := serveLimited(t, 4, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	addr := strings.TrimPrefix(u, "http://")
	// Fill the cap with connections that never send a request.
	var idle []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	for deadline := time.Now().Add(10 * time.Second); cl.Open() < 4; {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections held, want 4", cl.Open())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A real client is served: the oldest idle connection makes room.
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := cl.Open(); n > 4 {
		t.Errorf("%d connections held, cap 4", n)
	}
	// The first idle connection was closed.
	idle[0].SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := idle[0].Read(make([]byte, 1)); err == nil {
		t.Error("the oldest idle connection is still open")
	}
}

func TestConnLimitWaitsWhenAllBusy(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	u, _ := serveLimited(t, 2, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
		io.WriteString(w, "ok")
	}))
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 0, DisableKeepAlives: true}}
	done := make(chan error, 3)
	get := func() {
		resp, err := client.Get(u)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}
	go get()
	go get()
	<-started
	<-started
	go get() // the third waits for a slot
	select {
	case <-started:
		t.Fatal("a third request ran with the cap of 2 busy")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestInjectPastMaxQueue(t *testing.T) {
	s := listen(t, Config{MaxQueue: 3})
	g := testGen(t)
	var nd strings.Builder
	for i := range 4 {
		ev := g.Event(uint64(i))
		nd.Write(generator.Encoding{Format: generator.FormatV4}.Marshal(&ev))
		nd.WriteByte('\n')
	}
	resp, err := http.Post(s.URL()+AdminPrefix+"/events", "application/x-ndjson", strings.NewReader(nd.String()))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(b), "limit of 3") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	if st := s.Queue().Stats(); st.Enqueued != 0 {
		t.Errorf("%d added of a refused inject", st.Enqueued)
	}
}

func TestLegacyReplayRefused(t *testing.T) {
	s := listen(t, Config{})
	s.Queue().AddFrom(testGen(t), 0, 40)
	p := map[string]string{"Action": "PullEvent", "SecretId": DefaultSecretID, "Region": "gz", "Timestamp": strconv.FormatInt(time.Now().Unix(), 10), "Nonce": "777"}
	p["Signature"] = signLegacy(DefaultSecretKey, "", "GET", s.Addr(), LegacyPath, p)
	v := url.Values{}
	for k, x := range p {
		v.Set(k, x)
	}
	get := func() string {
		resp, err := http.Get(s.URL() + LegacyPath + "?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if b := get(); !strings.Contains(b, `"code":0`) {
		t.Fatalf("first: %s", b)
	}
	if b := get(); !strings.Contains(b, `"code":4500`) || !strings.Contains(b, "ReplayAttack") {
		t.Fatalf("replay: %s", b)
	}
	if st := s.Queue().Stats(); st.InFlight != DefaultMaxEvents {
		t.Errorf("the replay pulled: %+v", st)
	}
}

func TestAPI3RejectReplays(t *testing.T) {
	for _, reject := range []bool{false, true} {
		s := listen(t, Config{RejectReplays: reject})
		s.Queue().AddFrom(testGen(t), 0, 40)
		// One TC3 request, sent twice as is.
		body := []byte("{}")
		ts := time.Now().Unix()
		canon := "POST\n/\n\ncontent-type:application/json\nhost:" + s.Addr() + "\n\ncontent-type;host\n" + sha256Hex(body)
		auth := tc3Algorithm + " Credential=" + DefaultSecretID + "/" + time.Unix(ts, 0).UTC().Format("2006-01-02") + "/vod/tc3_request, SignedHeaders=content-type;host, Signature=" + signTC3(DefaultSecretKey, Service, ts, canon)
		send := func() string {
			req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-TC-Action", "PullEvents")
			req.Header.Set("X-TC-Version", APIVersion)
			req.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
			req.Header.Set("Authorization", auth)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		if b := send(); !strings.Contains(b, "EventSet") {
			t.Fatalf("first: %s", b)
		}
		b := send()
		if refused := strings.Contains(b, "AuthFailure.SignatureFailure"); refused != reject {
			t.Errorf("RejectReplays %v: replay answered %s", reject, b)
		}
	}
}

// TestFlood: 32 unsigned 2 MB bodies at once are refused from their
// headers, and a signed poll made meanwhile is answered.
func TestFlood(t *testing.T) {
	s := listen(t, Config{})
	s.Queue().AddFrom(testGen(t), 0, 10)
	body := strings.Repeat("x", 2<<20)
	errs := make(chan string, 32)
	for range 32 {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-TC-Action", "PullEvents")
			req.Header.Set("X-TC-Version", APIVersion)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- "" // the server may close a connection whose body it does not read
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			errs <- string(b)
		}()
	}
	c := &http.Client{Timeout: 30 * time.Second}
	got, err := signedPost(c, s.Addr(), "PullEvents", []byte("{}"))
	if err != nil || !strings.Contains(string(got), "EventHandle") {
		t.Errorf("signed poll during the flood: %v %s", err, got)
	}
	for range 32 {
		if b := <-errs; b != "" && !strings.Contains(b, "MissingParameter") {
			t.Errorf("unsigned request answered %s", b)
		}
	}
	if st := s.Queue().Stats(); st.InFlight != 10 {
		t.Errorf("stats %+v", st)
	}
}

// TestInjectCatalogForms: an injected event of another type than the
// sprite is kept in the form it came in. Its 3.0 form is taken and given
// whole by both APIs (the legacy PullEvent too: no 4.0 object made of 3.0
// keys); its 4.0 form is refused with a message saying to inject the 3.0
// one, since PullEvents gives every event in 3.0.
func TestInjectCatalogForms(t *testing.T) {
	s := listen(t, Config{NoAuth: true})
	g, err := generator.New(generator.Config{Seed: 2, Outcomes: []generator.Outcome{{Weight: 1, EventType: "PullComplete"}}})
	if err != nil {
		t.Fatal(err)
	}
	ev := g.Event(0)
	post := func(body []byte) (int, string) {
		resp, err := http.Post(s.URL()+AdminPrefix+"/events", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, b := post(generator.Encoding{Format: generator.FormatV4}.Marshal(&ev)); code != http.StatusBadRequest || !strings.Contains(b, "give its 3.0 form") {
		t.Errorf("a 4.0 PullComplete: %d %s, want 400 saying to inject the 3.0 form", code, b)
	}
	v3 := generator.Encoding{Format: generator.FormatV3}.Marshal(&ev)
	if code, b := post(v3); code != http.StatusOK {
		t.Fatalf("a 3.0 PullComplete: %d %s", code, b)
	}
	resp, err := http.Get(s.URL() + LegacyPath + "?Action=PullEvent")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	content := gjson.GetBytes(b, "eventList.0.eventContent").Raw
	if !bytes.Equal([]byte(content), v3) {
		t.Errorf("legacy PullEvent gave\n%s\nwant the 3.0 body injected\n%s", content, v3)
	}
}
