package pullevent

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestLegacyUnderscoreHandles: ConfirmEvent with msgHandle_N, as some
// clients write it, confirms like msgHandle.N; the signature is checked
// over the names as sent, and one N given both ways is refused.
func TestLegacyUnderscoreHandles(t *testing.T) {
	s := listen(t, Config{MaxEvents: 3})
	s.Queue().AddFrom(testGen(t), 0, 6)
	pull := func(t *testing.T) []string {
		t.Helper()
		m := legacyRequest(t, s, "GET", "", "", DefaultSecretKey, map[string]string{"Action": "PullEvent"})
		var hs []string
		for _, it := range m["eventList"].([]any) {
			hs = append(hs, it.(map[string]any)["msgHandle"].(string))
		}
		if len(hs) != 3 {
			t.Fatalf("pulled %v", m)
		}
		return hs
	}
	hs := pull(t)
	confirm := map[string]string{"Action": "ConfirmEvent", "msgHandle_0": hs[0], "msgHandle_1": hs[1], "msgHandle.2": hs[2]}
	for _, method := range []string{"GET", "POST"} {
		m := legacyRequest(t, s, method, "", "", DefaultSecretKey, confirm)
		if method == "GET" && m["code"] != 0.0 {
			t.Fatalf("confirm with msgHandle_N: %v", m)
		}
		if method == "POST" && m["code"] != 4000.0 { // already confirmed: the handles were read
			t.Fatalf("second confirm: %v", m)
		}
	}
	if st := s.Queue().Stats(); st.Confirmed != 3 || st.InFlight != 0 {
		t.Errorf("stats %+v", st)
	}
	hs = pull(t)
	for name, params := range map[string]map[string]string{
		"both spellings of one N": {"Action": "ConfirmEvent", "msgHandle_0": hs[0], "msgHandle.0": hs[1]},
		"msgHandle_x":             {"Action": "ConfirmEvent", "msgHandle_x": hs[0]},
	} {
		if m := legacyRequest(t, s, "GET", "", "", DefaultSecretKey, params); m["code"] != 4000.0 {
			t.Errorf("%s: %v", name, m)
		}
	}
	if st := s.Queue().Stats(); st.Confirmed != 3 || st.InFlight != 3 {
		t.Errorf("a refused confirm confirmed something: %+v", st)
	}
	for i := range hs {
		if m := legacyRequest(t, s, "GET", "", "", DefaultSecretKey, map[string]string{"Action": "ConfirmEvent", "msgHandle_" + strconv.Itoa(0): hs[i]}); m["code"] != 0.0 {
			t.Errorf("confirm %d: %v", i, m)
		}
	}
}

// TestAdminMethodNotAllowed: a method an admin path does not take is a 405
// whose Allow header names the methods it does take.
func TestAdminMethodNotAllowed(t *testing.T) {
	s := listen(t, Config{})
	for _, tc := range []struct{ method, path, allow string }{
		{http.MethodDelete, "/stats", "GET"},
		{http.MethodPost, "/stats", "GET"},
		{http.MethodGet, "/reset", "POST"},
		{http.MethodPut, "/events", "GET, POST"},
		{http.MethodDelete, "/events", "GET, POST"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.URL()+AdminPrefix+tc.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != tc.allow || !strings.Contains(string(b), tc.allow) {
				t.Errorf("%d Allow %q %s, want 405 Allow %q", resp.StatusCode, resp.Header.Get("Allow"), b, tc.allow)
			}
		})
	}
	resp, err := http.Get(s.URL() + AdminPrefix + "/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Allow") != "" {
		t.Errorf("unknown admin path: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// TestLegacyHandleGivenTwiceNamed: two parameters for one N are named as
// they were sent, whichever spellings they are.
func TestLegacyHandleGivenTwiceNamed(t *testing.T) {
	for params, want := range map[string]string{
		"msgHandle.1=a&msgHandle.01=b": "as msgHandle.01 and msgHandle.1",
		"msgHandle_1=a&msgHandle.1=b":  "as msgHandle.1 and msgHandle_1",
	} {
		p, err := parseLegacyParams(params)
		if err != nil {
			t.Fatalf("%s: %v", params, err)
		}
		_, herr := legacyHandles(p)
		if herr == nil || !strings.Contains(herr.Message, want) {
			t.Errorf("%s: error %+v, want one naming %q", params, herr, want)
		}
	}
}

// TestRequest3FormHandleGivenTwice: EventHandles.1 and EventHandles.01 are
// one element given twice, an error, not two handles.
func TestRequest3FormHandleGivenTwice(t *testing.T) {
	v, _ := url.ParseQuery("EventHandles.1=a&EventHandles.01=b")
	req, err := decodeRequest3Form("ConfirmEvents", v)
	if err == nil || err.Code != "InvalidParameter" {
		t.Errorf("accepted as %q (error %+v), want InvalidParameter", req.EventHandles, err)
	}
}
