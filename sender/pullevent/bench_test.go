package pullevent

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// signedPost sends a signed API 3.0 request as an SDK would and returns the
// body of the answer.
func signedPost(c *http.Client, addr, action string, body []byte) ([]byte, error) {
	ts := time.Now().Unix()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	canon := "POST\n/\n\ncontent-type:application/json\nhost:" + addr + "\n\ncontent-type;host\n" + sha256Hex(body)
	sig := signTC3(DefaultSecretKey, Service, ts, canon)
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("X-TC-Action", action)
	h.Set("X-TC-Version", APIVersion)
	h.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
	h.Set("Authorization", "TC3-HMAC-SHA256 Credential="+DefaultSecretID+"/"+time.Unix(ts, 0).UTC().Format("2006-01-02")+"/vod/tc3_request, SignedHeaders=content-type;host, Signature="+sig)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

var handleKey = []byte(`"EventHandle":"`)

// BenchmarkRoundTrip measures signed PullEvents + ConfirmEvents round trips
// (one event each) on loopback, and a bare net/http handler's round trip in
// the same run; the ratio says what the API costs over plain HTTP.
func BenchmarkRoundTrip(b *testing.B) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()

	var bare float64
	b.Run("bare-net-http", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"Response":{"RequestId":"x"}}`))
		})}
		go hs.Serve(ln)
		defer hs.Close()
		url := "http://" + ln.Addr().String() + "/"
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				for range 2 { // two requests, like pull + confirm
					resp, err := client.Post(url, "application/json", bytes.NewReader([]byte("{}")))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		})
		b.StopTimer()
		bare = float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(bare, "roundtrips/s")
	})

	var plain float64
	signed := func(state bool) func(b *testing.B) {
		return func(b *testing.B) {
			s, err := Listen("127.0.0.1:0", Config{MaxEvents: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			g, _ := generator.New(generator.Config{Seed: 1})
			src := generator.NewReplay([]generator.Event{g.Event(0)})
			if state {
				if _, err := s.Queue().OpenState(filepath.Join(b.TempDir(), "q.state"), false, src); err != nil {
					b.Fatal(err)
				}
				defer s.Queue().CloseState()
				// Compact every 256 KB of log (about 4,000 round trips)
				// rather than 8 MB, so that a run pays for compactions.
				l := s.Queue().journal.(*stateLog)
				l.min = 256 << 10
				defer func() { b.ReportMetric(float64(l.compactions), "compactions") }()
			}
			s.Queue().AddFrom(src, 0, uint64(b.N)+64)
			var empty atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body, err := signedPost(client, s.Addr(), "PullEvents", []byte("{}"))
					if err != nil {
						b.Error(err)
						return
					}
					i := bytes.Index(body, handleKey)
					if i < 0 {
						if empty.Add(1) == 1 {
							b.Logf("empty answer: %s", body)
						}
						continue
					}
					h := body[i+len(handleKey) : i+len(handleKey)+32]
					ans, err := signedPost(client, s.Addr(), "ConfirmEvents", []byte(`{"EventHandles":["`+string(h)+`"]}`))
					if err != nil || bytes.Contains(ans, []byte(`"Error"`)) {
						b.Errorf("confirm: %v %s", err, ans)
						return
					}
				}
			})
			b.StopTimer()
			rate := float64(b.N) / time.Since(start).Seconds()
			b.ReportMetric(rate, "roundtrips/s")
			if bare > 0 {
				b.ReportMetric(rate/bare, "x-bare")
			}
			if state && plain > 0 {
				b.ReportMetric(rate/plain, "x-without-state")
			} else if !state {
				plain = rate
			}
			if n := empty.Load(); n > 0 {
				b.Fatalf("%d pulls came back empty", n)
			}
		}
	}
	// With --state every pull and confirm is written to the state file
	// before it is answered.
	b.Run("signed-pull-confirm", signed(false))
	b.Run("signed-pull-confirm-state", signed(true))
}

// BenchmarkQueuePullConfirm measures the queue alone.
func BenchmarkQueuePullConfirm(b *testing.B) {
	q := NewQueue(Config{})
	g, _ := generator.New(generator.Config{Seed: 1})
	q.AddFrom(generator.NewReplay([]generator.Event{g.Event(0)}), 0, uint64(b.N)*16+16)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ms, _ := q.Pull(b.Context(), 16, 0)
		hs := make([]string, len(ms))
		for i := range ms {
			hs[i] = ms[i].Handle
		}
		if err := q.Confirm(hs...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyTC3 measures the signature check of one signed
// PullEvents request, the API 3.0 hot path's own work.
func BenchmarkVerifyTC3(b *testing.B) {
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	ts := time.Now().Unix()
	body := []byte("{}")
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9090/", bytes.NewReader(body))
	canon := "POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1:9090\n\ncontent-type;host\n" + sha256Hex(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+DefaultSecretID+"/"+time.Unix(ts, 0).UTC().Format("2006-01-02")+
		"/vod/tc3_request, SignedHeaders=content-type;host, Signature="+signTC3(DefaultSecretKey, Service, ts, canon))
	b.ReportAllocs()
	for b.Loop() {
		if e := s.verifyTC3(req, body); e != nil {
			b.Fatal(e)
		}
	}
}
