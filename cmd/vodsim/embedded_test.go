package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vodsim/vodsim/sender/receiver"
)

// TestServeReceiverEveryPath: the embedded receiver answers on any path,
// an uncleaned one included, without a redirect.
func TestServeReceiverEveryPath(t *testing.T) {
	rcv := &receiver.Receiver{}
	stop, url, err := serveReceiver(rcv, nil, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, p := range []string{"/", "/callback", "//x/../y"} {
		resp, err := http.Post(url+p, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != p {
			t.Errorf("POST %s: %d at %s", p, resp.StatusCode, resp.Request.URL.Path)
		}
	}
	if n := rcv.Stats().Requests; n != 3 {
		t.Errorf("receiver counted %d requests, want 3", n)
	}
}
