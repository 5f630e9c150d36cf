package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var forwardLineRE = regexp.MustCompile(`(?m)^CreateImageSpriteComplete (CreateImageSprite-[0-9a-f]{32}): POST http://127\.0\.0\.1:\d+/cb -> (\d+) [A-Za-z ]+ in [0-9.]+(µs|ms|s)(?: after \d+ attempts)?, (confirmed|left to be delivered again)$`)

// TestForwardServeToReceive: serve's queue, pulled through the SDK by
// forward, arrives at receive as push callbacks, each once, and is
// confirmed.
func TestForwardServeToReceive(t *testing.T) {
	t.Parallel()
	sp := startServe(t, "--fill", "4", "--wait", "1s", "--seed", "5")
	path := filepath.Join(t.TempDir(), "summary.json")
	rp := startReceiveProc(t, "--count", "4", "--timeout", "60s", "--strict", "--summary-json", path)
	r := runBin(t, "forward", "--from", "http://"+sp.addr, "--to", rp.url+"cb", "--count", "4")
	lines := forwardLineRE.FindAllStringSubmatch(string(r.stdout), -1)
	if r.code != 0 || len(lines) != 4 {
		t.Fatalf("forward: exit %d, %d event lines\nstdout:\n%s\nstderr:\n%s", r.code, len(lines), r.stdout, r.stderr)
	}
	for _, l := range lines {
		if l[2] != "200" || l[4] != "confirmed" {
			t.Errorf("line %q: want 200 and confirmed", l[0])
		}
	}
	if code, stderr := rp.wait(t); code != 0 {
		t.Fatalf("receive: exit %d, %s", code, stderr)
	}
	if m := readSummary(t, path); m["distinct"] != 4.0 || m["duplicates"] != 0.0 || m["malformed"] != 0.0 {
		t.Errorf("receive summary %v", m)
	}
	// Everything was confirmed: nothing is left in serve's queue.
	if got := getJSON(t, "http://"+sp.addr+"/_vodsim/stats"); got["confirmed"] != 4.0 || got["available"] != 0.0 || got["inFlight"] != 0.0 {
		t.Errorf("serve's stats after forwarding: %v; want 4 confirmed, none left", got)
	}
}

// TestForwardV4AndRedelivery: --format v4 posts the 4.0 envelope; an event
// answered 500 is not confirmed and comes back after the confirm window.
func TestForwardV4AndRedelivery(t *testing.T) {
	t.Parallel()
	sp := startServe(t, "--fill", "2", "--wait", "1s", "--confirm-window", "1s", "--seed", "5")
	url, out, stop := startReceive(t, "--status", "500:50%", "--ndjson")
	r := runBin(t, "forward", "--from", "http://"+sp.addr, "--to", url+"cb", "--count", "3", "--format", "v4")
	lines := forwardLineRE.FindAllStringSubmatch(string(r.stdout), -1)
	if r.code != 1 || len(lines) != 3 {
		t.Fatalf("forward: exit %d, %d event lines; want 1 (one POST answered 500) and 3\nstdout:\n%s\nstderr:\n%s", r.code, len(lines), r.stdout, r.stderr)
	}
	if lines[1][2] != "500" || lines[1][4] != "left to be delivered again" || lines[2][1] != lines[1][1] || lines[2][4] != "confirmed" {
		t.Errorf("want the second event answered 500, then delivered again and confirmed:\n%s", r.stdout)
	}
	stop()
	if n := strings.Count(out.String(), `"format":"v4"`); n != 3 {
		t.Errorf("receive saw %d 4.0 payloads, want 3:\n%s", n, out)
	}
}

func TestForwardBadInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--to", "http://127.0.0.1:9/"}, "--from is required"},
		{[]string{"--from", "127.0.0.1:9090", "--to", "http://127.0.0.1:9/"}, "scheme"},
		{[]string{"--from", "http://127.0.0.1:9090/v2/index.php", "--to", "http://127.0.0.1:9/"}, "root"},
		{[]string{"--from", "http://127.0.0.1:9090"}, "--to is required"},
		{[]string{"--from", "http://127.0.0.1:9090", "--to", "ftp://x/"}, "--to"},
		{[]string{"--from", "http://127.0.0.1:9090", "--to", "http://127.0.0.1:9/", "--format", "v5"}, "--format"},
		{[]string{"--from", "http://127.0.0.1:9090", "--to", "http://127.0.0.1:9/", "--format", "v4", "--sign-key", "abc"}, "--sign-key"},
		{[]string{"--from", "http://127.0.0.1:9090", "--to", "http://127.0.0.1:9/", "--count", "0"}, "--count 0"},
		{[]string{"--from", "http://127.0.0.1:9090", "--to", "http://127.0.0.1:9/", "extra"}, "unexpected argument"},
	} {
		r := runBin(t, append([]string{"forward"}, c.args...)...)
		if r.code != 2 || !bytes.Contains(r.stderr, []byte(c.want)) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestForwardWrongKey: the endpoint refusing the signature is exit 1 with
// the API's error.
func TestForwardWrongKey(t *testing.T) {
	t.Parallel()
	sp := startServe(t, "--fill", "1")
	r := runBin(t, "forward", "--from", "http://"+sp.addr, "--to", "http://127.0.0.1:9/", "--secret-key", "wrong", "--count", "1")
	if r.code != 1 || !bytes.Contains(r.stderr, []byte("AuthFailure")) {
		t.Errorf("exit %d, stderr %q; want 1 and AuthFailure", r.code, r.stderr)
	}
}

// TestForwardV4CatalogAsPulled: with --format v4, an event of another type
// than the sprite is posted in the 3.0 form it was pulled in, whole (its
// 4.0 object has other fields, which vodsim does not make up), and the
// line says so; the checking receiver takes every body.
func TestForwardV4CatalogAsPulled(t *testing.T) {
	t.Parallel()
	sp := startServe(t, "--fill", "3", "--wait", "1s", "--seed", "5", "--event-type", "TranscodeComplete,FileDeleted,PullComplete")
	path := filepath.Join(t.TempDir(), "summary.json")
	rp := startReceiveProc(t, "--count", "3", "--timeout", "60s", "--strict", "--summary-json", path)
	r := runBin(t, "forward", "--from", "http://"+sp.addr, "--to", rp.url+"cb", "--count", "3", "--format", "v4")
	if r.code != 0 || strings.Count(string(r.stdout), "sent as 3.0: no 4.0 form of a pulled ") != 3 {
		t.Fatalf("forward: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if code, stderr := rp.wait(t); code != 0 {
		t.Fatalf("receive: exit %d, %s", code, stderr)
	}
	if m := readSummary(t, path); m["malformed"] != 0.0 || m["distinct"] != 3.0 {
		t.Errorf("receive summary %v: want 3 distinct, none malformed", m)
	}
}

// TestForwardConfirmsEachAtOnce: with a webhook slower than the confirm
// window allows for a whole pull, each event is confirmed as soon as it
// is answered 2xx: the endpoint refuses a ConfirmEvents call naming one
// late handle, which must not take the events answered in time with it,
// nor stop forward. A line says "confirmed" only for what the endpoint
// confirmed.
func TestForwardConfirmsEachAtOnce(t *testing.T) {
	t.Parallel()
	sp := startServe(t, "--fill", "3", "--wait", "1s", "--confirm-window", "2s", "--seed", "5")
	url, _, stop := startReceive(t, "--delay", "800ms")
	defer stop()
	// The third answer comes at least 2.4 s after the pull, past the
	// window however fast the machine; the first 0.8 s after it, 1.2 s
	// inside it.
	r := runBin(t, "forward", "--from", "http://"+sp.addr, "--to", url+"cb", "--count", "3")
	out := string(r.stdout)
	confirmed := strings.Count(out, ", confirmed\n")
	late := strings.Count(out, "its confirm window had passed")
	if r.code != 1 || confirmed+late != 3 || late == 0 || bytes.Contains(r.stderr, []byte("ConfirmEvents")) {
		t.Fatalf("forward: exit %d, %d confirmed, %d late; want 1, every line either, some late, no ConfirmEvents failure\nstdout:\n%s\nstderr:\n%s", r.code, confirmed, late, r.stdout, r.stderr)
	}
	if confirmed == 0 {
		t.Errorf("no event confirmed: the first is answered well within the window\n%s", out)
	}
	if got := getJSON(t, "http://"+sp.addr+"/_vodsim/stats"); got["confirmed"] != float64(confirmed) {
		t.Errorf("serve confirmed %v events, forward's lines say %d:\n%s", got["confirmed"], confirmed, out)
	}
}
