package pullevent

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveWith serves a new Server for cfg with shrunk connection timeouts.
func serveWith(t *testing.T, cfg Config, to timeouts) *Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.to = to
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	s.ln = ln
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s
}

// TestSlowClientDisconnected: a client that trickles its headers or its
// body, one byte at a time, is cut off once the read timeouts pass instead
// of holding the connection for as long as it keeps trickling.
func TestSlowClientDisconnected(t *testing.T) {
	to := timeouts{readHeader: 150 * time.Millisecond, read: 300 * time.Millisecond, idle: time.Second, writeMargin: time.Second}
	s := serveWith(t, Config{NoAuth: true}, to)
	for _, tc := range []struct {
		name, head, trickle string
	}{
		{"headers", "POST / HTTP/1.1\r\nHost: x\r\n", strings.Repeat("X-Slow: a\r\n", 1000)},
		{"body", "POST / HTTP/1.1\r\nHost: x\r\nX-TC-Action: PullEvents\r\nX-TC-Version: " + APIVersion +
			"\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n", strings.Repeat(" ", 5000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", s.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			closed := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(c)
				closed <- b
			}()
			start := time.Now()
			if _, err := io.WriteString(c, tc.head); err != nil {
				t.Fatal(err)
			}
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case b := <-closed:
					el := time.Since(start)
					if el < to.readHeader/2 {
						t.Errorf("closed after %v, before any timeout could pass", el)
					}
					if strings.Contains(string(b), "EventSet") {
						t.Errorf("a trickled request was served: %q", b)
					}
					return
				case <-tick.C:
				}
				// The timeouts are tenths of a second: this long
				// means they never fired, however busy the machine.
				if time.Since(start) > 30*time.Second {
					t.Fatalf("still connected after %v of trickling", time.Since(start))
				}
				if i < len(tc.trickle) {
					c.Write([]byte{tc.trickle[i]}) // fails once the server has closed
				}
			}
		})
	}
}

// TestHeldPollOutlivesReadTimeout: a poll held longer than the read
// timeout is answered, not cut when the read deadline passes.
func TestHeldPollOutlivesReadTimeout(t *testing.T) {
	// The write margin is generous: the write deadline is not what is
	// tested, and 100 ms of slack was not always enough on a loaded
	// machine running under -race for the answer to get out in time.
	to := timeouts{readHeader: 100 * time.Millisecond, read: 100 * time.Millisecond, idle: 5 * time.Second, writeMargin: 5 * time.Second}
	s := serveWith(t, Config{NoAuth: true, Wait: 400 * time.Millisecond}, to)
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Action", "PullEvents")
	req.Header.Set("X-TC-Version", APIVersion)
	c := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 350*time.Millisecond {
		t.Errorf("empty poll answered after %v, want it held about 400ms", el)
	}
	if !strings.Contains(string(b), `"EventSet":[]`) {
		t.Errorf("answer %s", b)
	}
}
