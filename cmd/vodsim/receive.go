package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/value"
	"github.com/vodsim/vodsim/sender/receiver"
)

func init() {
	register("receive", "run a checking callback receiver that prints a line per event", func(io stdio) command { return &receiveCmd{io: io} })
}

// DefaultReceiveListen is where receive listens unless told otherwise.
const DefaultReceiveListen = "127.0.0.1:9000"

type receiveCmd struct{ io stdio }

func (c *receiveCmd) Run(ctx context.Context, args []string) error {
	var listen, signKey, status, delay, summaryJSON string
	var ndjson, strict bool
	var window, maxConns int
	var count uint64
	var timeout value.Duration
	fs := newFlagSet(c.io, "receive", `
Usage: vodsim receive [--listen ADDR] [--ndjson] [--sign-key KEY] [--window N]
                      [--count N] [--timeout D] [--status CODE[:SHARE]]
                      [--delay D|LO..HI] [--summary-json FILE] [--strict]

Runs the callback receiver that send embeds: it answers every POST with
200 {} as a well-behaved app backend does, checks each payload strictly
(either format), and prints a line per request on stdout: well-formed or
MALFORMED, duplicate task ids, the event type (a sprite event's tiles and
sheets instead), the task and file ids. With --sign-key it
also verifies the T and Sign of 3.0 payloads: one unsigned, signed with
another key or expired is printed BAD SIGN and counted in the summary.

To tell duplicates it remembers the last --window distinct task ids (some
45 bytes each: 45 MB at the default), so its memory stays bounded however
long it runs: once the window is full the oldest id is forgotten, and a
task id that comes back after it was forgotten counts as a new distinct
event, not a duplicate.

As a test double: --count N exits 0 once N distinct events have arrived
(and been answered); --timeout D exits 1 if they have not within D (without
--count, it just stops after D). --status answers with another status,
to every request (--status 500) or to a share of them, spread evenly
(--status 500:10% answers every tenth request 500, the others 200).
--delay holds each answer for D, or for a time drawn uniformly from LO to
HI (--delay 100ms..2s). --summary-json FILE writes the counts when it
exits (distinct, duplicates, malformed, payloads by the event type they
name), whole or not at all; a FILE from an earlier run is removed when
it starts listening. With --strict a malformed or badly signed payload
makes the exit status 1.

It runs until interrupted (Ctrl-C) or --count or --timeout ends it, then
prints a summary on stderr. Exit status: 0; 1 --timeout came first or
--strict saw a bad payload; 2 bad flags.

Like serve, it closes a connection whose headers take over 10 s or whose
whole request takes over 30 s, closes keep-alive connections idle for 60 s,
reads at most 1 MB of a body, and holds at most --max-conns connections.`, `
  vodsim receive                                  # listens on 127.0.0.1:9000
  vodsim receive --listen 127.0.0.1:8080 --ndjson > received.ndjson
  vodsim send --target http://127.0.0.1:9000/ --count 100 --rate 50   # in another terminal
  vodsim receive --sign-key abc123                # then: vodsim send --target http://127.0.0.1:9000/ --format v3 --sign-key abc123
  vodsim receive --count 100 --timeout 30s --strict --summary-json summary.json
  vodsim receive --status 503:20% --delay 50ms..500ms    # a flaky, slow webhook`)
	fs.StringVar(&listen, "listen", DefaultReceiveListen, "address to listen on, host:port (port 0 picks a free one)")
	fs.BoolVar(&ndjson, "ndjson", false, "print one JSON object per request instead of text")
	fs.StringVar(&signKey, "sign-key", "", "verify 3.0 payloads' Sign = md5(key + T) (1 to 32 letters and digits)")
	fs.IntVar(&window, "window", receiver.DefaultWindow, "distinct task ids remembered to tell duplicates; the oldest is forgotten first")
	fs.Uint64Var(&count, "count", 0, "exit 0 once this many distinct events have arrived (0 = run until stopped)")
	fs.Var(&timeout, "timeout", "stop after this long; exit 1 if --count was not reached (0 = no limit)")
	fs.StringVar(&status, "status", "", "answer with this HTTP status (200 to 599), to every request or to a share of them: 500, 500:10% (default 200)")
	fs.StringVar(&delay, "delay", "", "hold each answer this long, or for a time drawn from LO..HI, e.g. 200ms or 100ms..2s")
	fs.StringVar(&summaryJSON, "summary-json", "", "write the counts as JSON to FILE when it exits")
	fs.BoolVar(&strict, "strict", false, "exit 1 if any payload was malformed or badly signed")
	fs.IntVar(&maxConns, "max-conns", receiver.DefaultMaxConns, "connections held open at once; at the cap the longest-idle one is closed, or a new one waits")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("receive: unexpected argument %q (run 'vodsim receive --help')", fs.Arg(0))
	}
	if fs.Changed("sign-key") {
		if err := generator.CheckSignKey(signKey); err != nil {
			return usageErrorf("receive: --sign-key: %v", err)
		}
	}
	if window < 1 {
		return usageErrorf("receive: --window %d: must be at least 1", window)
	}
	d := &double{want: count, reached: make(chan struct{}), types: map[string]uint64{}}
	var err error
	if fs.Changed("status") {
		if d.status, d.share, err = parseStatusShare(status); err != nil {
			return usageErrorf("receive: --status %q: %v", status, err)
		}
	}
	if fs.Changed("delay") {
		if d.delayLo, d.delayHi, err = parseDelayRange(delay); err != nil {
			return usageErrorf("receive: --delay %q: %v", delay, err)
		}
	}
	var summary *reportFile
	if summaryJSON != "" {
		if summary, err = openReportFile(summaryJSON); err != nil {
			return usageErrorf("receive: --summary-json: %v", err)
		}
	}
	if maxConns < 1 {
		return usageErrorf("receive: --max-conns %d: must be at least 1", maxConns)
	}
	setReceiveGC(window)
	// The lines go out in batches (at least every 100 ms, and all of them
	// once the server has stopped): a write(2) per request would cost
	// about as much as the checks.
	lines := receiver.NewLineBuffer(c.io.out, 0)
	defer lines.Close()
	rcv := &receiver.Receiver{SignKey: signKey, Log: lines, NDJSON: ndjson, Window: window, MaxConns: maxConns}
	d.rcv = rcv
	// The double stands in front only when a flag asks for what it does:
	// a plain receive serves the receiver itself, at its full speed.
	d.countTypes = summary != nil
	var front http.Handler
	if count > 0 || d.status != 0 || d.delayLo > 0 || d.delayHi > 0 || d.countTypes {
		front = d
	}
	stop, url, err := serveReceiver(rcv, front, listen)
	if err != nil {
		return listenError("receive", listen, err)
	}
	if summary != nil {
		// An earlier run's summary goes now: the file holds this run's
		// counts or nothing.
		if err := summary.begin(); err != nil {
			stop()
			return fmt.Errorf("receive: --summary-json: %w", err)
		}
	}
	fmt.Fprintf(c.io.err, "vodsim receive: listening on %s/ (Ctrl-C to stop)\n", url)
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout))
		defer t.Stop()
		expired = t.C
	}
	timedOut := false
	select {
	case <-ctx.Done():
	case <-d.reached:
	case <-expired:
		timedOut = true
	}
	stop()
	lines.Close()
	st := rcv.Stats()
	fmt.Fprintf(c.io.err, "vodsim receive: %s, %d well-formed, %d malformed, %s, %s",
		nouns(st.Requests, "request", "requests"), st.WellFormed, st.Malformed,
		nouns(st.Distinct, "distinct event", "distinct events"), nouns(st.Duplicates, "duplicate", "duplicates"))
	if st.Signed > 0 || st.BadSignature > 0 {
		// Bad signatures count the 3.0 payloads that came unsigned too:
		// not a share of the signed ones.
		fmt.Fprintf(c.io.err, ", %d signed, %s (wrong, expired or missing)", st.Signed, nouns(st.BadSignature, "bad signature", "bad signatures"))
	}
	fmt.Fprintln(c.io.err)
	if len(st.ByType) > 0 {
		fmt.Fprintf(c.io.err, "vodsim receive: by type: %s\n", byTypeLine(st.ByType))
	}
	if summary != nil {
		out := receiveSummary{Stats: st, EventTypes: d.eventTypes(), Count: count, TimedOut: timedOut && count > 0}
		b, _ := json.MarshalIndent(out, "", "  ")
		if err := summary.write(func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err }); err != nil {
			return fmt.Errorf("receive: --summary-json: %w", err)
		}
	}
	var short []string
	if timedOut && count > 0 && st.Distinct < count {
		short = append(short, fmt.Sprintf("--timeout %v: %d of %d distinct events arrived", timeout, st.Distinct, count))
	}
	if strict && !st.AllWellFormed() {
		short = append(short, fmt.Sprintf("--strict: %d malformed, %d badly signed payloads (first: %s)", st.Malformed, st.BadSignature, st.FirstError))
	}
	if len(short) > 0 {
		return fmt.Errorf("%w: receive: %s", errShortfall, strings.Join(short, "; "))
	}
	return nil
}

// receiveSummary is what --summary-json writes.
type receiveSummary struct {
	receiver.Stats
	// EventTypes counts the POSTed payloads by the event type they name
	// (eventType in 4.0, EventType in 3.0; "" when they name none).
	EventTypes map[string]uint64 `json:"eventTypes"`
	// Count is --count (0 when not given); TimedOut is true when
	// --timeout ended the run before Count distinct events arrived.
	Count    uint64 `json:"count"`
	TimedOut bool   `json:"timedOut"`
}

// double stands in front of the receiver: it holds answers (--delay),
// answers another status (--status), counts payloads by event type and
// says when --count distinct events have arrived.
type double struct {
	rcv              *receiver.Receiver
	status           int     // 0: the receiver's own 200
	share            float64 // of requests answered status
	n                atomic.Uint64
	delayLo, delayHi time.Duration

	want    uint64
	reached chan struct{}
	once    sync.Once

	countTypes bool // --summary-json: count payloads by the type they name
	mu         sync.Mutex
	types      map[string]uint64
}

func (d *double) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodPost {
		// Read up front: a request held by --delay and then given up by
		// its client still counts as received.
		body, err := io.ReadAll(io.LimitReader(req.Body, receiver.MaxPayload+1))
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		if d.countTypes {
			typ := gjson.GetBytes(body, "eventType").String()
			if typ == "" {
				typ = gjson.GetBytes(body, "EventType").String()
			}
			d.mu.Lock()
			d.types[typ]++
			d.mu.Unlock()
		}
	}
	if wait := d.delay(); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-req.Context().Done():
			t.Stop()
		}
	}
	if d.status != 0 {
		k := d.n.Add(1) - 1
		if uint64(float64(k+1)*d.share) > uint64(float64(k)*d.share) {
			w = &statusWriter{ResponseWriter: w, status: d.status}
		}
	}
	d.rcv.ServeHTTP(w, req)
	if d.want > 0 && d.rcv.Stats().Distinct >= d.want {
		d.once.Do(func() { close(d.reached) })
	}
}

func (d *double) delay() time.Duration {
	if d.delayHi <= d.delayLo {
		return d.delayLo
	}
	return d.delayLo + rand.N(d.delayHi-d.delayLo+1)
}

func (d *double) eventTypes() map[string]uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]uint64, len(d.types))
	for k, v := range d.types {
		out[k] = v
	}
	return out
}

// errReader returns err (or EOF) after the body read up front.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}

// statusWriter answers status in place of the one the handler writes.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(int) {
	if !s.wrote {
		s.wrote = true
		s.ResponseWriter.WriteHeader(s.status)
	}
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.WriteHeader(0)
	return s.ResponseWriter.Write(b)
}

// parseStatusShare reads CODE or CODE:SHARE, SHARE a percentage (10%) or
// a fraction (0.1) above 0 and at most 1.
func parseStatusShare(s string) (int, float64, error) {
	codeStr, shareStr, hasShare := strings.Cut(s, ":")
	code, err := strconv.Atoi(strings.TrimSpace(codeStr))
	if err != nil || code < 100 || code > 599 {
		return 0, 0, fmt.Errorf("want an HTTP status from 200 to 599, optionally with a share: 500 or 500:10%%")
	}
	if code < 200 {
		// net/http sends a 1xx as an interim answer and then the
		// receiver's 200 (101 without an upgrade is no answer either).
		return 0, 0, fmt.Errorf("%d is an interim (1xx) status, not an answer: give one from 200 to 599", code)
	}
	share := 1.0
	if hasShare {
		shareStr = strings.TrimSpace(shareStr)
		pct := strings.HasSuffix(shareStr, "%")
		share, err = strconv.ParseFloat(strings.TrimSuffix(shareStr, "%"), 64)
		if pct {
			share /= 100
		}
		if err != nil || !(share > 0 && share <= 1) {
			return 0, 0, fmt.Errorf("share %q: want a percentage above 0 and at most 100%% (10%%) or a fraction (0.1)", shareStr)
		}
		if code == http.StatusOK && share < 1 {
			return 0, 0, fmt.Errorf("200 to a share: the others are answered 200 too; give another status (500:10%%)")
		}
	}
	return code, share, nil
}

// parseDelayRange reads D or LO..HI, durations with LO <= HI.
func parseDelayRange(s string) (lo, hi time.Duration, err error) {
	loStr, hiStr, isRange := strings.Cut(s, "..")
	if lo, err = time.ParseDuration(strings.TrimSpace(loStr)); err != nil || lo < 0 {
		return 0, 0, fmt.Errorf("want a duration such as 200ms, or a range such as 100ms..2s")
	}
	hi = lo
	if isRange {
		if hi, err = time.ParseDuration(strings.TrimSpace(hiStr)); err != nil || hi < lo {
			return 0, 0, fmt.Errorf("want a range LO..HI of durations with LO <= HI, such as 100ms..2s")
		}
	}
	return lo, hi, nil
}
