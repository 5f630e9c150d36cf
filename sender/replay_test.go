package sender

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/vodsim/vodsim/generator"
)

// bodyTransport answers 200 at once and keeps every body it is sent.
type bodyTransport struct {
	mu     sync.Mutex
	bodies []string
}

func (t *bodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(req.Body)
	req.Body.Close()
	t.mu.Lock()
	t.bodies = append(t.bodies, string(b))
	t.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), ContentLength: 2, Request: req}, nil
}

// TestReplaySentWhole: a Replay's events are sent whole every time they
// come round, by the same worker too: a worker done with an event leaves
// the Replay's own (shared) URLs as they were.
func TestReplaySentWhole(t *testing.T) {
	g, err := generator.New(generator.Config{Seed: 1, Outcomes: generator.Mix(0)})
	if err != nil {
		t.Fatal(err)
	}
	ev := g.Event(0)
	if len(ev.SpriteURLs) == 0 {
		t.Fatal("the event has no sprite URLs")
	}
	urls := strings.Clone(strings.Join(ev.SpriteURLs, "\n"))
	tr := &bodyTransport{}
	rep := send(t, Config{Target: "http://127.0.0.1:1/cb", Count: 4, MaxInFlight: 1, Transport: tr,
		Source: generator.NewReplay([]generator.Event{ev})})
	want(t, "acknowledged", rep.Acknowledged, 4)
	for i, b := range tr.bodies {
		for _, u := range strings.Split(urls, "\n") {
			if !strings.Contains(b, u) {
				t.Errorf("event %d: sprite URL %q missing from its body %s", i, u, b)
				break
			}
		}
	}
}
