package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/receiver"
)

func init() {
	register("trigger", "POST one event to a callback receiver and print what it answered", func(io stdio) command { return &triggerCmd{io: io} })
}

// DefaultTriggerEvent is the event type trigger sends when none is named.
const DefaultTriggerEvent = "CreateImageSpriteComplete"

// triggerSource returns a source whose event 0 is one event of kind k
// for seed: a success when code is 0, else a failure with that code. The
// generator's catalog is the one place event types are looked up.
func triggerSource(k *generator.Kind, seed int64, code int) (generator.Source, error) {
	out := generator.Outcome{Weight: 1, Success: &generator.Success{}}
	if code != 0 {
		if !k.CanFail {
			return nil, fmt.Errorf("--code: %s has no failure in VOD (no error field): leave --code out", k.Name)
		}
		if err := k.CheckCode(code); err != nil {
			return nil, fmt.Errorf("--code: %v", err)
		}
		out = generator.Outcome{Weight: 1, Failure: &generator.Failure{Codes: []int{code}}}
	}
	if k.Name != generator.EventType {
		out.EventType = k.Name
	}
	return generator.New(generator.Config{Seed: seed, Outcomes: []generator.Outcome{out}})
}

type triggerCmd struct{ io stdio }

func (c *triggerCmd) Run(ctx context.Context, args []string) error {
	var target, format, signKey string
	var seed int64
	var code int
	var sets []string
	fs := newFlagSet(c.io, "trigger", `
Usage: vodsim trigger [EVENT-TYPE] --target URL [flags]

POSTs one event (default CreateImageSpriteComplete, a success) to the
receiver at --target as send does, with VOD's retries (a 5 s timeout, at
most 3 attempts, only timeouts retried), and prints one line: the answer,
the time to it, and the event's outcome and task id.

--set PATH=VALUE changes a field of the payload before it is sent; PATH is
the field's JSON path in the wire format (data.fileId in 4.0,
CreateImageSpriteCompleteEvent.FileId in 3.0; array elements by index:
data.imageSpriteUrl.0) and must name a field the payload has. VALUE
takes the field's type: in a string field it is the text (quotes
optional), elsewhere it is read as JSON (a number, true, false, null, an
object or array; quoted, a string) or else as a string.
With --sign-key, T and Sign are added before the --set values are applied.

Exit status: 0 the receiver answered 2xx; 1 it did not (another status,
or no answer after the last attempt); 2 bad input (nothing is sent).

The examples expect a receiver on 127.0.0.1:9000, such as 'vodsim receive'
running in another terminal.`, `
  vodsim trigger --target http://127.0.0.1:9000/
  vodsim trigger CreateImageSpriteComplete --target http://127.0.0.1:9000/ --code -43001
  vodsim trigger --target http://127.0.0.1:9000/ --set data.fileId=5285890784363430543 --set 'data.message="123"'
  vodsim trigger --target http://127.0.0.1:9000/ --format v3 --sign-key abc123 --seed 7`)
	fs.StringVar(&target, "target", "", "receiver URL (required), user:password@ for Basic authorization")
	fs.IntVar(&code, "code", 0, "make the event a failure with this error code (the 4.0 status, the 3.0 ErrCode), e.g. -43001")
	fs.StringArrayVar(&sets, "set", nil, "set a payload field: PATH=VALUE, PATH a JSON path such as data.fileId (repeatable)")
	fs.StringVar(&format, "format", string(generator.DefaultFormat), "wire format: v4 (4.0 legacy envelope) or v3 (API 3.0)")
	fs.StringVar(&signKey, "sign-key", "", "sign the 3.0 body: T = now+10m, Sign = md5(key + T) (1 to 32 letters and digits)")
	fs.Int64Var(&seed, "seed", 0, "random seed: the same seed gives the same event (default: a new one each run, so each event has a task id of its own)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErrorf("trigger: one event type at most, got %q (run 'vodsim trigger --help')", fs.Args())
	}
	eventType := DefaultTriggerEvent
	if fs.NArg() == 1 {
		eventType = fs.Arg(0)
	}
	kind, ok := generator.LookupKind(eventType)
	if !ok {
		return usageErrorf("trigger: unknown event type %q: 'vodsim events' lists them", eventType)
	}
	if !fs.Changed("target") {
		return usageErrorf("trigger: --target is required: the receiver's URL, e.g. http://127.0.0.1:9000/callback")
	}
	if err := checkTarget(target); err != nil {
		return usageErrorf("trigger: %s", strings.TrimPrefix(err.Error(), "send: "))
	}
	if fs.Changed("code") && code == 0 {
		return usageErrorf("trigger: --code 0 is a success: give a failure's error code, e.g. -43001, or leave --code out")
	}
	f, err := generator.ParseFormat(format)
	if err != nil {
		return usageErrorf("trigger: --format: %v", err)
	}
	enc := generator.Encoding{Format: f}
	if !kind.Legacy && f != generator.FormatV3 {
		return usageErrorf("trigger: %s: VOD sends it only in the 3.0 format: add --format v3", kind.Name)
	}
	if fs.Changed("sign-key") {
		if err := generator.CheckSignKey(signKey); err != nil {
			return usageErrorf("trigger: --sign-key: %v", err)
		}
		if f != generator.FormatV3 {
			return usageErrorf("trigger: --sign-key signs 3.0 bodies; 4.0 carries no signature: add --format v3")
		}
	}
	if !fs.Changed("seed") {
		seed = time.Now().UnixNano()
	}
	src, err := triggerSource(kind, seed, code)
	if err != nil {
		return usageErrorf("trigger: %v", err)
	}
	var ev generator.Event
	src.Fill(&ev, 0)
	body := enc.Marshal(&ev)
	if signKey != "" {
		t := time.Now().Add(generator.SignValidity).Unix()
		body, _ = sjson.SetBytes(body, "T", t)
		body, _ = sjson.SetBytes(body, "Sign", generator.Sign(signKey, t))
	}
	for _, s := range sets {
		if body, err = setField(body, s); err != nil {
			return usageErrorf("trigger: --set %q: %v", s, err)
		}
	}

	tr := triggerTransport()
	defer tr.CloseIdleConnections()
	cfg := sender.Config{
		Target:    target,
		Source:    generator.NewReplay([]generator.Event{ev}),
		Encoding:  enc,
		Seed:      seed,
		Count:     1,
		Version:   Version(),
		Transport: bodyTransport{rt: tr, body: body},
	}
	rep, runErr := sender.Run(ctx, cfg)
	if errors.Is(runErr, sender.ErrConfig) {
		return usageErrorf("trigger: %s", sender.Reason(runErr))
	}
	if rep == nil {
		return fmt.Errorf("trigger: %w", runErr)
	}
	if ctx.Err() != nil {
		return errInterrupted
	}
	line := triggerLine(rep, body, kind.Name) // the catalog's name, whatever the case typed
	fmt.Fprintln(c.io.out, line)
	if rep.Acknowledged != 1 {
		return fmt.Errorf("%w: the receiver did not answer 2xx", errShortfall)
	}
	return nil
}

// triggerLine says what happened to the one event in one line, e.g.
// POST http://127.0.0.1:9000/ -> 200 OK in 1.2ms (CreateImageSpriteComplete success, vodTaskId CreateImageSprite-...)
func triggerLine(rep *sender.Report, body []byte, eventType string) string {
	// The event as sent: what --set made of it (its T and Sign, if signed,
	// aside: no key to check them against here).
	p := receiver.CheckPayload(body, "", time.Now())
	if p.Err != nil {
		return fmt.Sprintf("%s (%s, sent malformed: %v)", answerText(rep), eventType, p.Err)
	}
	d := p.Event
	outcome := "success"
	if d.Status != 0 {
		outcome = fmt.Sprintf("failure %d", d.Status)
	}
	if d.TaskID == "" {
		// A type that carries no task id (FileDeleted, NewFileUpload).
		return fmt.Sprintf("%s (%s %s)", answerText(rep), eventType, outcome)
	}
	idName := "vodTaskId"
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte(`{"EventType"`)) {
		idName = "TaskId"
	}
	return fmt.Sprintf("%s (%s %s, %s %s)", answerText(rep), eventType, outcome, idName, d.TaskID)
}

// answerText says how a one-event run was answered: "POST URL -> 200 OK
// in 1.2ms", or the error of its last attempt, and the attempts if more
// than one.
func answerText(rep *sender.Report) string {
	answer := "no answer"
	for st := range rep.StatusCodes {
		answer = fmt.Sprintf("%d %s", st, http.StatusText(st))
	}
	if rep.Failed > 0 {
		for kind := range rep.Errors {
			answer = kind
			if msg := rep.FirstErrors[kind]; msg != "" {
				answer += " (" + msg + ")"
			}
		}
	}
	took := fmtTook(rep.Latency.Max)
	if rep.Attempts > 1 {
		took += fmt.Sprintf(" after %d attempts", rep.Attempts)
	}
	return fmt.Sprintf("POST %s -> %s in %s", rep.Target, answer, took)
}

// fmtTook formats a short duration for people: 1.2ms, 350µs, 2.004s.
func fmtTook(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d/time.Microsecond)
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.3fs", d.Seconds())
	}
}

// setField applies one PATH=VALUE to the JSON body. The path must name a
// field the body has; the value takes that field's type (see the help).
func setField(body []byte, spec string) ([]byte, error) {
	path, value, ok := strings.Cut(spec, "=")
	if !ok || path == "" {
		return nil, errors.New("want PATH=VALUE, e.g. data.fileId=5285890784363430543")
	}
	if strings.ContainsAny(path, "*?#|@!{}[],") {
		return nil, fmt.Errorf("path %q: use plain keys and array indexes joined by dots, e.g. data.imageSpriteUrl.0", path)
	}
	cur := gjson.GetBytes(body, path)
	if !cur.Exists() {
		return nil, fmt.Errorf("the payload has no field %s (its fields: %s)", path, strings.Join(jsonPaths(body), ", "))
	}
	var raw []byte
	switch {
	case cur.Type == gjson.String:
		var s string
		if json.Unmarshal([]byte(value), &s) != nil {
			s = value
		}
		raw, _ = json.Marshal(s)
	case json.Valid([]byte(value)):
		raw = []byte(strings.TrimSpace(value))
	default:
		raw, _ = json.Marshal(value)
	}
	out, err := sjson.SetRawBytes(body, path, raw)
	if err != nil {
		return nil, fmt.Errorf("path %q: %v", path, err)
	}
	return out, nil
}

// jsonPaths lists the paths of a JSON document's scalar fields, in order,
// arrays by their first element.
func jsonPaths(body []byte) []string {
	var out []string
	var walk func(prefix string, r gjson.Result)
	walk = func(prefix string, r gjson.Result) {
		switch {
		case r.IsObject():
			r.ForEach(func(k, v gjson.Result) bool {
				p := k.String()
				if prefix != "" {
					p = prefix + "." + p
				}
				walk(p, v)
				return true
			})
		case r.IsArray():
			if a := r.Array(); len(a) > 0 {
				walk(prefix+".0", a[0])
			} else {
				out = append(out, prefix)
			}
		default:
			out = append(out, prefix)
		}
	}
	walk("", gjson.ParseBytes(body))
	return out
}

// bodyTransport sends every request with body in place of the one it
// carries: the payload as --set made it, delivered by the sender's usual
// attempts and retries.
type bodyTransport struct {
	rt   http.RoundTripper
	body []byte
}

func (t bodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(t.body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(t.body)), nil }
	r.ContentLength = int64(len(t.body))
	return t.rt.RoundTrip(r)
}

// triggerTransport is one HTTP/1.1 connection, as the sender's own.
func triggerTransport() *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: sender.DefaultTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxConnsPerHost:     1,
		DisableCompression:  true,
		TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{},
		TLSHandshakeTimeout: sender.DefaultTimeout,
	}
}
