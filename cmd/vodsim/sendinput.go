package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
	"github.com/tidwall/gjson"
	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender"
)

// maxInputLine is the longest line --input takes: a payload larger than
// any VOD event by far, the most the checking receiver reads.
const maxInputLine = 1 << 20

// readInput reads NDJSON payloads, one a line, from name ("-": in). Blank
// lines are skipped. A line that is not JSON is an error naming
// name:LINE; all such lines are named (up to 10), and no payload is
// returned. The format is 3.0 when the first payload names an EventType,
// else 4.0.
func readInput(name string, in io.Reader) ([][]byte, generator.Format, error) {
	label := name
	r := in
	if name == "-" {
		label = "stdin"
		if r == nil {
			r = strings.NewReader("")
		}
	} else {
		f, err := openInFile(name)
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var payloads [][]byte
	var bad []string
	for line := 1; ; line++ {
		b, err := br.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) {
			// A long line: gather it whole.
			more := append([]byte(nil), b...)
			b, err = br.ReadSlice('\n')
			b = append(more, b...)
			if len(b) > maxInputLine {
				return nil, "", fmt.Errorf("%s:%d: a line of over %d bytes: one payload a line", label, line, maxInputLine)
			}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, "", fmt.Errorf("%s:%d: %w", label, line, err)
		}
		p := bytes.TrimSpace(b)
		if len(p) > 0 {
			if !json.Valid(p) {
				bad = append(bad, fmt.Sprintf("%s:%d: not JSON: %s", label, line, clip(p, 60)))
			} else if len(bad) == 0 {
				payloads = append(payloads, append([]byte(nil), p...))
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if len(bad) > 0 {
		more := ""
		if len(bad) > 10 {
			more = fmt.Sprintf("\n(and %d more lines that are not JSON)", len(bad)-10)
			bad = bad[:10]
		}
		return nil, "", fmt.Errorf("%s%s\nnothing was sent: one JSON payload a line", strings.Join(bad, "\n"), more)
	}
	if len(payloads) == 0 {
		return nil, "", fmt.Errorf("%s: no payload: one JSON payload a line", label)
	}
	// The first payload's format: 3.0 names its type in EventType, 4.0 in
	// eventType (a match by exact case: encoding/json's would take either
	// for the other).
	format := generator.FormatV4
	if _, enc, _, err := generator.Decode(payloads[0]); err == nil {
		format = enc.Format
	} else if gjson.GetBytes(payloads[0], "EventType").Exists() {
		format = generator.FormatV3
	}
	return payloads, format, nil
}

// clip is b cut to n bytes, with "..." when cut.
func clip(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

// applyInput makes cfg send the payloads of --input instead of events:
// the event flags that choose events do not apply, the format is the
// payloads' unless --format is given, and the count is all of them unless
// --count is given.
func applyInput(cfg *sender.Config, fs *pflag.FlagSet, o *sendOpts, in io.Reader) error {
	for _, f := range []string{"event-type", "failure-ratio", "app-id", "webvtt", "numeric-version"} {
		if fs.Changed(f) {
			return usageErrorf("send: --%s does not apply with --input: the payloads are sent as they are", f)
		}
	}
	payloads, format, err := readInput(o.input, in)
	if err != nil {
		return usageErrorf("send: --input: %v", err)
	}
	cfg.Payloads, cfg.Source = payloads, nil
	if !fs.Changed("format") {
		cfg.Encoding = generator.Encoding{Format: format}
	}
	if !fs.Changed("count") {
		cfg.Count = 0 // all of them
	} else if o.count > uint64(len(payloads)) {
		return usageErrorf("send: --count %d: --input has %s", o.count, nouns(uint64(len(payloads)), "payload", "payloads"))
	}
	return nil
}
