package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/pullevent"
	"github.com/vodsim/vodsim/sender/pullevent/pulltest"
)

func TestServeUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		code    int
		out     string // in stdout
		errText string // in stderr
	}{
		{"help", []string{"serve", "--help"}, 0, "Examples:", ""},
		{"max events above 16", []string{"serve", "--max-events", "17"}, 2, "", "--max-events 17"},
		{"negative rate", []string{"serve", "--rate", "-1"}, 2, "", "--rate"},
		{"count without a rate", []string{"serve", "--count", "5"}, 2, "", "--count 5 counts the events arriving at a rate"},
		{"no-auth with a key", []string{"serve", "--no-auth", "--secret-key", "k"}, 2, "", "--no-auth checks no signature"},
		{"zero confirm window", []string{"serve", "--confirm-window", "0s"}, 2, "", "--confirm-window"},
		{"bad listen", []string{"serve", "--listen", "nohost"}, 2, "", "--listen"},
		{"empty key", []string{"serve", "--secret-key", ""}, 2, "", "--secret-key"},
		{"zero max conns", []string{"serve", "--max-conns", "0"}, 2, "", "--max-conns 0"},
		{"fill past max queue", []string{"serve", "--fill", "11", "--max-queue", "10"}, 2, "", "--fill 11 is more than the queue holds (--max-queue 10)"},
		{"zero max queue", []string{"serve", "--max-queue", "0"}, 2, "", "--max-queue 0"},
		{"empty admin token", []string{"serve", "--admin-token", " "}, 2, "", "--admin-token"},
		{"negative request limit", []string{"serve", "--request-limit", "-1"}, 2, "", "--request-limit -1"},
		{"unknown flag", []string{"serve", "--bogus"}, 2, "", "bogus"},
		{"argument", []string{"serve", "extra"}, 2, "", "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runBin(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", r.code, tt.code, r.stderr)
			}
			if !bytes.Contains(r.stdout, []byte(tt.out)) || !bytes.Contains(r.stderr, []byte(tt.errText)) {
				t.Errorf("stdout %q\nstderr %q", r.stdout, r.stderr)
			}
		})
	}
}

// startServe starts vodsim serve on a free port with args.
func startServe(t *testing.T, args ...string) *proc {
	t.Helper()
	return startBin(t, "", append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
}

func sdk(addr, key string) *common.Client {
	cp := profile.NewClientProfile()
	cp.HttpProfile.Endpoint = addr
	cp.HttpProfile.Scheme = "HTTP"
	return common.NewCommonClient(common.NewCredential(pullevent.DefaultSecretID, key), "ap-guangzhou", cp)
}

func sdkPull(t *testing.T, c *common.Client) []string {
	t.Helper()
	resp := tchttp.NewCommonResponse()
	if err := c.Send(tchttp.NewCommonRequest("vod", "2018-07-17", "PullEvents"), resp); err != nil {
		t.Fatalf("PullEvents: %v", err)
	}
	var pr struct {
		Response struct {
			EventSet []struct{ EventHandle string }
		}
	}
	if err := json.Unmarshal(resp.GetBody(), &pr); err != nil {
		t.Fatal(err)
	}
	var hs []string
	for _, e := range pr.Response.EventSet {
		hs = append(hs, e.EventHandle)
	}
	return hs
}

func getJSON(t *testing.T, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
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

// TestServeEndToEnd runs the built binary as a user would: the official SDK
// pulls and confirms, a wrong key is refused, signed legacy calls work and
// wrongly signed ones do not, and Ctrl-C ends it cleanly.
func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	p := startServe(t, "--fill", "20", "--wait", "0s", "--seed", "3")
	if hint := p.waitContains(t, "events queued"); !strings.Contains(hint, "20 events queued") {
		t.Errorf("second line %q", hint)
	}
	if hint := p.waitContains(t, "SecretKey"); !strings.Contains(hint, pullevent.DefaultSecretID) || !strings.Contains(hint, pullevent.DefaultSecretKey) {
		t.Errorf("hint %q does not show the key pair", hint)
	}
	c := sdk(p.addr, pullevent.DefaultSecretKey)

	hs := sdkPull(t, c)
	if len(hs) != 16 {
		t.Fatalf("pulled %d", len(hs))
	}
	req := tchttp.NewCommonRequest("vod", "2018-07-17", "ConfirmEvents")
	req.SetActionParameters(map[string]any{"EventHandles": hs[:10]})
	if err := c.Send(req, tchttp.NewCommonResponse()); err != nil {
		t.Fatalf("ConfirmEvents: %v", err)
	}

	err := sdk(p.addr, "wrong").Send(tchttp.NewCommonRequest("vod", "2018-07-17", "PullEvents"), tchttp.NewCommonResponse())
	var se *tcerr.TencentCloudSDKError
	if !errors.As(err, &se) || se.Code != "AuthFailure.SignatureFailure" {
		t.Fatalf("wrong key: %v", err)
	}

	// Legacy: a wrongly signed pull is refused, a correctly signed one
	// gets the 4 never pulled.
	legacy := func(key string) map[string]any {
		params := map[string]string{"Action": "PullEvent", "SecretId": pullevent.DefaultSecretID, "Region": "gz",
			"Timestamp": strconv.FormatInt(time.Now().Unix(), 10), "Nonce": "99", "SignatureMethod": "HmacSHA256"}
		params["Signature"] = pulltest.SignLegacy(key, "HmacSHA256", "GET", pulltest.LegacyHost, pullevent.LegacyPath, params)
		v := url.Values{}
		for k, val := range params {
			v.Set(k, val)
		}
		return getJSON(t, "http://"+p.addr+pullevent.LegacyPath+"?"+v.Encode())
	}
	if m := legacy("wrong"); m["code"] != 4100.0 {
		t.Errorf("wrongly signed legacy pull: %v", m)
	}
	if m := legacy(pullevent.DefaultSecretKey); m["code"] != 0.0 || len(m["eventList"].([]any)) != 4 {
		t.Errorf("signed legacy pull: %v", m)
	}
	if st := getJSON(t, "http://"+p.addr+"/_vodsim/stats"); st["confirmed"] != 10.0 || st["inFlight"] != 10.0 {
		t.Errorf("stats %v", st)
	}

	if code := p.stop(t); code != 0 || !strings.Contains(p.stdout(), "stopped; enqueued 20, confirmed 10") {
		t.Errorf("exit %d, output %q", code, p.stdout())
	}
}

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestServeRedelivers runs serve in this process with a clock the test
// moves: an event pulled and not confirmed within the window is pulled
// again, each time the window passes, and the stats and the last line
// count it.
func TestServeRedelivers(t *testing.T) {
	t.Parallel()
	g, err := generator.New(generator.Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{now: time.Now()}
	cfg := serveBase(events{source: g})
	cfg.listen, cfg.fill = "127.0.0.1:0", 20
	cfg.server.NoAuth, cfg.server.ConfirmWindow, cfg.server.Clock = true, time.Minute, clk

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	served := make(chan error, 1)
	go func() {
		served <- runServe(ctx, stdio{out: pw, err: pw}, cfg)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("serve printed nothing: %v", <-served)
	}
	m := listenRE.FindStringSubmatch(sc.Text())
	if m == nil {
		t.Fatalf("first line %q", sc.Text())
	}
	base := "http://" + m[1]
	lines := make(chan []string, 1)
	go func() {
		var ls []string
		for sc.Scan() {
			ls = append(ls, sc.Text())
		}
		lines <- ls
	}()

	pull := func() []string {
		t.Helper()
		r := getJSON(t, base+pullevent.LegacyPath+"?Action=PullEvent")
		var hs []string
		for _, e := range r["eventList"].([]any) {
			hs = append(hs, e.(map[string]any)["msgHandle"].(string))
		}
		return hs
	}
	hs := pull()
	if len(hs) != 16 {
		t.Fatalf("first pull: %d events, want 16", len(hs))
	}
	v := url.Values{"Action": {"ConfirmEvent"}}
	for i, h := range hs[:10] {
		v.Set("msgHandle."+strconv.Itoa(i), h)
	}
	if c := getJSON(t, base+pullevent.LegacyPath+"?"+v.Encode()); c["code"] != 0.0 {
		t.Fatalf("confirm: %v", c)
	}
	if n := len(pull()); n != 4 {
		t.Fatalf("second pull: %d events, want the 4 never pulled", n)
	}
	clk.advance(time.Minute - time.Millisecond)
	if st := getJSON(t, base+"/_vodsim/stats"); st["inFlight"] != 10.0 || st["available"] != 0.0 {
		t.Fatalf("stats just before the window ends: %v", st)
	}
	clk.advance(time.Millisecond)
	if n := len(pull()); n != 10 {
		t.Fatalf("pull after the window: %d events, want the 10 unconfirmed", n)
	}
	clk.advance(time.Minute) // the 10 come back once more
	if n := len(pull()); n != 10 {
		t.Fatalf("pull after the second window: %d events, want the 10 unconfirmed", n)
	}
	if st := getJSON(t, base+"/_vodsim/stats"); st["redelivered"] != 20.0 || st["confirmed"] != 10.0 {
		t.Errorf("stats %v", st)
	}

	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
	if ls := <-lines; len(ls) == 0 || !strings.Contains(ls[len(ls)-1], "stopped; enqueued 20, confirmed 10") {
		t.Errorf("output after the first line %q", ls)
	}
}

// TestServeRate: events arrive over time at --rate, up to --count.
func TestServeRate(t *testing.T) {
	t.Parallel()
	p := startServe(t, "--fill", "0", "--rate", "200", "--count", "50", "--no-auth", "--wait", "10m")
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := getJSON(t, "http://"+p.addr+"/_vodsim/stats")
		if st["enqueued"] == 50.0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats %v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Drain, confirming, then hold a poll open on the empty queue: Ctrl-C
	// answers it at once with an empty list (not after --wait 10m), and
	// serve exits 0. That no more than --count arrived is in the last
	// line.
	for n := 0; n < 50; {
		m := getJSON(t, "http://"+p.addr+"/v2/index.php?Action=PullEvent")
		list := m["eventList"].([]any)
		v := url.Values{"Action": {"ConfirmEvent"}}
		for i, e := range list {
			v.Set("msgHandle."+strconv.Itoa(i), e.(map[string]any)["msgHandle"].(string))
		}
		if c := getJSON(t, "http://"+p.addr+"/v2/index.php?"+v.Encode()); c["code"] != 0.0 {
			t.Fatalf("confirm: %v", c)
		}
		n += len(list)
	}
	held := make(chan string, 1)
	wrote := make(chan struct{})
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+p.addr+"/v2/index.php?Action=PullEvent", nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { close(wrote) },
		}))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			held <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		held <- string(b)
	}()
	// Once the request is on the wire the answer is the empty list, held
	// or not yet read; a short pause makes it the held case nearly always.
	select {
	case <-wrote:
		time.Sleep(50 * time.Millisecond)
	case b := <-held:
		t.Fatalf("poll on the empty queue answered before Ctrl-C: %s", b)
	}
	if code := p.stop(t); code != 0 || !strings.Contains(p.stdout(), "stopped; enqueued 50, confirmed 50") {
		t.Errorf("exit %d, output %q", code, p.stdout())
	}
	if b := <-held; b != `{"code":0,"message":"","eventList":[]}` {
		t.Errorf("held poll got %s", b)
	}
}

// TestServeSignatureV1 runs the built binary against the SDK's HmacSHA256
// signing (parameters in a form body), a hand-signed HmacSHA1 GET, and a
// 405 from the admin API.
func TestServeSignatureV1(t *testing.T) {
	t.Parallel()
	p := startServe(t, "--fill", "3", "--wait", "0s", "--max-events", "1")
	type pullReq struct {
		*tchttp.BaseRequest
	}
	cp := profile.NewClientProfile()
	cp.SignMethod = "HmacSHA256"
	cp.HttpProfile.Endpoint = p.addr
	cp.HttpProfile.Scheme = "HTTP"
	pull := func(key string) ([]byte, error) {
		r := &pullReq{BaseRequest: &tchttp.BaseRequest{}}
		r.Init().WithApiInfo("vod", "2018-07-17", "PullEvents")
		resp := tchttp.NewCommonResponse()
		err := common.NewCommonClient(common.NewCredential(pullevent.DefaultSecretID, key), "ap-guangzhou", cp).Send(r, resp)
		return resp.GetBody(), err
	}
	if b, err := pull(pullevent.DefaultSecretKey); err != nil || !bytes.Contains(b, []byte(`"EventHandle"`)) {
		t.Fatalf("HmacSHA256 pull: %v %s", err, b)
	}
	_, err := pull("wrong")
	var se *tcerr.TencentCloudSDKError
	if !errors.As(err, &se) || se.Code != "AuthFailure.SignatureFailure" {
		t.Errorf("wrong key: %v", err)
	}

	params := map[string]string{"Action": "PullEvents", "Version": "2018-07-17", "SecretId": pullevent.DefaultSecretID,
		"Region": "ap-guangzhou", "Timestamp": strconv.FormatInt(time.Now().Unix(), 10), "Nonce": "7"}
	params["Signature"] = pulltest.SignLegacy(pullevent.DefaultSecretKey, "HmacSHA1", "GET", p.addr, "/", params)
	v := url.Values{}
	for k, val := range params {
		v.Set(k, val)
	}
	m := getJSON(t, "http://"+p.addr+"/?"+v.Encode())
	if r, _ := m["Response"].(map[string]any); r == nil || len(r["EventSet"].([]any)) != 1 {
		t.Errorf("HmacSHA1 GET pull: %v", m)
	}

	req, _ := http.NewRequest(http.MethodDelete, "http://"+p.addr+"/_vodsim/stats", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET" {
		t.Errorf("DELETE /_vodsim/stats: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	if code := p.stop(t); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestServeAdminToken(t *testing.T) {
	t.Parallel()
	p := startServe(t, "--secret-key", "mysupersecretkey", "--admin-token", "tok123")
	p.waitContains(t, "poll it")
	hint := p.stdout()
	if strings.Contains(hint, "mysupersecretkey") || !strings.Contains(hint, "my********ey") {
		t.Errorf("key not masked in %q", hint)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+p.addr+"/_vodsim/stats", nil)
	for _, tc := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer nope", 401}, {"Bearer tok123", 200}} {
		req.Header.Set("Authorization", tc.auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Authorization %q: %d, want %d", tc.auth, resp.StatusCode, tc.want)
		}
	}
	if code := p.stop(t); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// TestServeStateKillRestart: kill -9 a serve with --state between pulls and
// confirms, restart it with the same flags, and drain it: every event is
// confirmed exactly once across the crash.
func TestServeStateKillRestart(t *testing.T) {
	t.Parallel()
	state := filepath.Join(t.TempDir(), "q.state")
	args := []string{"--state", state, "--fill", "300", "--no-auth", "--wait", "0", "--confirm-window", "1s", "--seed", "5"}
	type ev struct {
		handle, content string
	}
	pull := func(addr string) []ev {
		m := getJSON(t, "http://"+addr+pullevent.LegacyPath+"?Action=PullEvent")
		list, _ := m["eventList"].([]any)
		var out []ev
		for _, x := range list {
			e := x.(map[string]any)
			b, _ := json.Marshal(e["eventContent"])
			out = append(out, ev{e["msgHandle"].(string), string(b)})
		}
		return out
	}
	confirm := func(addr, h string) {
		if m := getJSON(t, "http://"+addr+pullevent.LegacyPath+"?Action=ConfirmEvent&msgHandle.0="+h); m["code"] != 0.0 {
			t.Fatalf("confirm: %v", m)
		}
	}
	confirmed := map[string]int{}
	p := startServe(t, args...)
	for range 10 {
		for i, e := range pull(p.addr) {
			if i%3 != 0 { // a third stays in flight
				confirm(p.addr, e.handle)
				confirmed[e.content]++
			}
		}
	}
	p.cmd.Process.Kill() // kill -9: no shutdown
	<-p.done

	p = startServe(t, args...)
	if l := p.waitLine(t, func(l string) bool { return strings.Contains(l, "queued") || strings.Contains(l, "state ") }); !strings.Contains(l, "state "+state) || strings.Contains(l, "300 events queued") {
		t.Errorf("restart did not load the state: %q", l)
	}
	for tries := 0; tries < 200; tries++ {
		got := pull(p.addr)
		if len(got) == 0 {
			st := getJSON(t, "http://"+p.addr+"/_vodsim/stats")
			if st["inFlight"] == 0.0 && st["available"] == 0.0 {
				break
			}
			time.Sleep(200 * time.Millisecond) // in-flight ones come back after their window
			continue
		}
		for _, e := range got {
			confirm(p.addr, e.handle)
			confirmed[e.content]++
		}
	}
	if len(confirmed) != 300 {
		t.Errorf("%d distinct events confirmed, want 300", len(confirmed))
	}
	for c, n := range confirmed {
		if n != 1 {
			t.Errorf("event confirmed %d times: %.80s", n, c)
		}
	}
	if code := p.stop(t); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestServeStateBadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notState := filepath.Join(dir, "notes.txt")
	os.WriteFile(notState, []byte("my notes\n"), 0o644)
	r := runBin(t, "serve", "--listen", "127.0.0.1:0", "--state", notState)
	if r.code != 2 || !bytes.Contains(r.stderr, []byte("not a vodsim state file")) || !bytes.Contains(r.stderr, []byte(notState)) {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
}

// TestServeEventTypeAll: serve takes --event-type all, the types VOD
// sends only in 3.0 included (serve has no --format to ask for): the
// official SDK's PullEvents gets them in their own members, and the
// legacy PullEvent gives their 3.0 body.
func TestServeEventTypeAll(t *testing.T) {
	t.Parallel()
	p := startServe(t, "--event-type", "all", "--fill", "16", "--wait", "0s", "--seed", "4")
	p.waitContains(t, "events queued")
	resp := tchttp.NewCommonResponse()
	if err := sdk(p.addr, pullevent.DefaultSecretKey).Send(tchttp.NewCommonRequest("vod", "2018-07-17", "PullEvents"), resp); err != nil {
		t.Fatalf("PullEvents: %v", err)
	}
	var pr struct {
		Response struct{ EventSet []map[string]any }
	}
	if err := json.Unmarshal(resp.GetBody(), &pr); err != nil {
		t.Fatal(err)
	}
	only3 := 0
	for _, e := range pr.Response.EventSet {
		name, _ := e["EventType"].(string)
		k, ok := generator.LookupKind(name)
		if !ok {
			t.Fatalf("event type %q", name)
		}
		if _, ok := e[k.Member].(map[string]any); !ok {
			t.Errorf("%s: no %s object in %v", name, k.Member, e)
		}
		if !k.Legacy {
			only3++
		}
	}
	if len(pr.Response.EventSet) != 16 || only3 == 0 {
		t.Errorf("%d events, %d of a type VOD sends only in 3.0; want 16, some", len(pr.Response.EventSet), only3)
	}

	// The legacy PullEvent gives such a type in its 3.0 body.
	q := startServe(t, "--event-type", "EditMediaComplete", "--fill", "1", "--wait", "0s", "--no-auth")
	q.waitContains(t, "queued")
	m := getJSON(t, "http://"+q.addr+pullevent.LegacyPath+"?Action=PullEvent")
	list, _ := m["eventList"].([]any)
	if len(list) != 1 {
		t.Fatalf("legacy PullEvent: %v", m)
	}
	content, _ := list[0].(map[string]any)["eventContent"].(map[string]any)
	if _, ok := content["EditMediaCompleteEvent"].(map[string]any); !ok || content["EventType"] != "EditMediaComplete" {
		t.Errorf("legacy eventContent %v, want the 3.0 body of EditMediaComplete", content)
	}
}

// TestServeStateOtherFlags: a state file restarted with another seed is
// refused with exit 2 and a message saying why and what to do, and is left
// whole: restarted with its own flags it still holds its events.
func TestServeStateOtherFlags(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "q.state")
	p := startServe(t, "--state", path, "--fill", "5", "--seed", "3")
	p.waitContains(t, "queued")
	p.stop(t)
	r := runBin(t, "serve", "--listen", "127.0.0.1:0", "--state", path, "--seed", "4")
	if r.code != 2 || !strings.Contains(string(r.stderr), "made from other events than these") {
		t.Errorf("another seed: exit %d, stderr %q; want 2 and why", r.code, r.stderr)
	}
	q := startServe(t, "--state", path, "--seed", "3")
	if line := q.waitContains(t, "waiting"); !strings.Contains(line, "5 events waiting") {
		t.Errorf("restarted with its own seed: %q", line)
	}
}

// TestServeReplayV4Catalog: a scenario replaying a 4.0 fixture of another
// type than the sprite is refused (PullEvents gives every event in 3.0,
// and such an event is kept only in the form given); its 3.0 fixture is
// served.
func TestServeReplayV4Catalog(t *testing.T) {
	t.Parallel()
	r := runBinStdin(t, []byte("name: r\nformat: v4\nreplay: [v4-PullComplete-success]\n"), "serve", "--listen", "127.0.0.1:0", "--scenario", "-")
	if r.code != 2 || !strings.Contains(string(r.stderr), "replay 1: a 4.0 PullComplete") {
		t.Errorf("a 4.0 PullComplete replayed: exit %d, stderr %q", r.code, r.stderr)
	}
	file := filepath.Join(t.TempDir(), "r.yaml")
	os.WriteFile(file, []byte("name: r\nreplay: [v3-PullComplete-success]\n"), 0o644) // no format: serve has none to match
	p := startServe(t, "--scenario", file)
	if line := p.waitContains(t, "queued"); !strings.Contains(line, "1 event queued") {
		t.Errorf("its 3.0 fixture: %q", line)
	}
}

// TestServeCountZero: --count 0, the default (no end), is taken without a
// rate, where another count is refused.
func TestServeCountZero(t *testing.T) {
	t.Parallel()
	p := startServe(t, "--count", "0", "--fill", "1")
	if line := p.waitContains(t, "queued"); !strings.Contains(line, "1 event queued") {
		t.Errorf("serve --count 0: %q", line)
	}
}

// TestServeStateInUse: a second serve given the --state file of one that
// runs is refused with exit 2 and why, rather than writing into the file
// the first one keeps; the first goes on serving from it.
func TestServeStateInUse(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "q.state")
	p := startServe(t, "--state", path, "--fill", "5")
	p.waitContains(t, "queued")
	r := runBin(t, "serve", "--listen", "127.0.0.1:0", "--state", path)
	if r.code != 2 || !strings.Contains(string(r.stderr), "in use by another vodsim serve") || !strings.Contains(string(r.stderr), path) {
		t.Errorf("a second serve on the file: exit %d, stderr %q; want 2 and why", r.code, r.stderr)
	}
	p.stop(t)
	q := startServe(t, "--state", path)
	if line := q.waitContains(t, "waiting"); !strings.Contains(line, "5 events waiting") {
		t.Errorf("restarted: %q", line)
	}
}
