// Package payloadcorpus builds the callback bodies that the decoder's
// differential tests run over: every fixture, every catalog type's
// generated payloads in each format and encoding, the bodies the sender's
// malformed-body faults send (by running the sender against a recording
// server on 127.0.0.1), the seeds of the fuzz tests of generator.Decode and
// receiver.CheckPayload, and edge cases of JSON that a strict decoder
// must treat with care (spacing, escapes, duplicate keys, keys in another
// case, nulls, numbers out of range, truncations). It is for tests.
package payloadcorpus

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/vodsim/vodsim/fixtures"
	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender"
)

// Body is one body of the corpus and where it comes from.
type Body struct {
	Name string
	Data []byte
}

// Encodings are the wire encodings the corpus generates payloads in.
var Encodings = []generator.Encoding{
	{Format: generator.FormatV4},
	{Format: generator.FormatV4, WebVTT: true},
	{Format: generator.FormatV4, NumericVersion: true},
	{Format: generator.FormatV3},
}

// Valid returns the well-formed bodies: the fixtures and, for the sprite
// event and every catalog type, perEvent generated events (successes and
// failures) in every encoding the type has, and 3.0 sprites with an
// EventHandle.
func Valid(perEvent int) ([]Body, error) {
	var out []Body
	for _, name := range fixtures.Names() {
		b, err := fixtures.Read(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Body{"fixture " + name, b})
	}
	outcomes := map[string][]generator.Outcome{generator.EventType: generator.Mix(0.5)}
	for _, k := range generator.Kinds {
		if k.Name != generator.EventType {
			outcomes[k.Name] = []generator.Outcome{{Weight: 1, EventType: k.Name}}
		}
	}
	for _, k := range generator.Kinds {
		g, err := generator.New(generator.Config{Seed: 11, Outcomes: outcomes[k.Name]})
		if err != nil {
			return nil, fmt.Errorf("generator for %s: %w", k.Name, err)
		}
		for i := range perEvent {
			e := g.Event(uint64(i))
			for _, enc := range Encodings {
				if enc.Format == generator.FormatV4 && !k.Legacy {
					continue
				}
				out = append(out, Body{fmt.Sprintf("%s %d %+v", k.Name, i, enc), enc.Marshal(&e)})
			}
			if e.Kind == nil {
				out = append(out, Body{fmt.Sprintf("%s %d with a handle", k.Name, i), generator.AppendEventContent(nil, &e, fmt.Sprintf("handle-%d", i))})
			}
		}
	}
	return out, nil
}

// Malformed returns the bodies that the sender sends with its
// malformed-body faults, count for each kind of malformation and format,
// over every catalog type: it runs the sender against a server on
// 127.0.0.1 that records them.
func Malformed(ctx context.Context, count uint64) ([]Body, error) {
	var mu sync.Mutex
	var got [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, b)
		mu.Unlock()
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	var out []Body
	for _, f := range []generator.Format{generator.FormatV4, generator.FormatV3} {
		outcomes := generator.Mix(0.3)
		for _, k := range generator.Kinds {
			if k.Name != generator.EventType && (f == generator.FormatV3 || k.Legacy) {
				outcomes = append(outcomes, generator.Outcome{Weight: 0.1, EventType: k.Name})
			}
		}
		for _, m := range sender.Malformations {
			g, err := generator.New(generator.Config{Seed: 5, Outcomes: outcomes})
			if err != nil {
				return nil, err
			}
			got = got[:0]
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			_, err = sender.Run(ctx, sender.Config{
				Target:      srv.URL,
				Source:      g,
				Encoding:    generator.Encoding{Format: f},
				Count:       count,
				Connections: 4,
				Faults:      sender.Faults{Malformed: 1, MalformedKinds: []sender.Malformation{m}},
			})
			cancel()
			if err != nil {
				return nil, fmt.Errorf("send %s %s bodies: %w", f, m, err)
			}
			mu.Lock()
			for i, b := range got {
				out = append(out, Body{fmt.Sprintf("malformed %s %s %d", f, m, i), b})
			}
			mu.Unlock()
		}
	}
	return out, nil
}

// FuzzSeeds returns the seed corpus of generator's FuzzDecode and
// receiver's FuzzCheckPayload, built the same way.
func FuzzSeeds() []Body {
	var out []Body
	g, _ := generator.New(generator.Config{Seed: 1, Outcomes: generator.Mix(0.5)})
	for i := uint64(0); i < 4; i++ {
		ev := g.Event(i)
		out = append(out, Body{"FuzzDecode v4", generator.Encoding{}.Marshal(&ev)})
		out = append(out, Body{"FuzzDecode v3", generator.Encoding{Format: generator.FormatV3}.Marshal(&ev)})
	}
	out = append(out, Body{"FuzzDecode null type", []byte(`{"EventType":null}`)}, Body{"FuzzDecode null data", []byte(`{"version":4,"data":null}`)})
	g2, _ := generator.New(generator.Config{Seed: 2})
	e := g2.Event(3)
	out = append(out,
		Body{"FuzzCheckPayload v4", generator.Encoding{}.Marshal(&e)},
		Body{"FuzzCheckPayload v3 signed", generator.AppendSignature(generator.Encoding{Format: generator.FormatV3}.Marshal(&e), "k", 1)},
		Body{"FuzzCheckPayload T and Sign", []byte(`{"T":1,"Sign":"x","EventType":"CreateImageSpriteComplete"}`)},
	)
	return out
}

// Variants returns bodies made from b: spaced out, with a key twice,
// a key in another case, nulls, escapes, numbers out of range, every
// member dropped in turn, trailing data, and prefixes (truncations).
func Variants(b []byte) []Body {
	var out []Body
	add := func(name string, d []byte) { out = append(out, Body{name, d}) }
	s := string(b)
	add("spaced", []byte(strings.NewReplacer(`,"`, ", \"", `":`, `" : `).Replace(s)))
	add("indented", []byte("\n\t "+strings.ReplaceAll(s, "{", "{\n  ")+" \n"))
	add("trailing brace", []byte(s+"}"))
	add("trailing bracket", []byte(s+"]"))
	add("trailing value", []byte(s+"{}"))
	add("html", []byte(strings.Replace(s, `"Message":""`, `"Message":"a<b>&c\u2028"`, 1)))
	add("html v4", []byte(strings.Replace(s, `"message":""`, `"message":"a<b>&c"`, 1)))
	add("escaped", []byte(strings.Replace(s, "Sprite-", `Sprite\u002d`, 1)))
	add("escaped key", []byte(strings.Replace(s, `"EventType"`, `"Event\u0054ype"`, 1)))
	add("non-ASCII", []byte(strings.Replace(s, `"Message":""`, `"Message":"失败 ſ K"`, 1)))
	add("invalid UTF-8", []byte(strings.Replace(s, `"Message":""`, "\"Message\":\"\xff\xfe\"", 1)))
	for _, k := range []string{"EventType", "eventType", "version", "data", "EventHandle", "ErrCode", "status", "TaskId", "vodTaskId", "FileId", "fileId", "Message", "message", "Definition", "definition", "TotalCount", "totalCount", "WebVttUrl", "webVttUrl", "ImageSpriteUrlSet", "imageSpriteUrl", "ErrCodeExt", "Status", "Output", "MetaData", "FileUploadEvent", "T", "Sign"} {
		key := `"` + k + `":`
		i := strings.Index(s, key)
		if i < 0 {
			continue
		}
		add("null "+k, []byte(s[:i]+key+"null,"+s[i:]))
		add("twice "+k, []byte(s[:i]+key+`"x",`+s[i:]))
		add("lower "+k, []byte(s[:i]+strings.ToLower(key)+s[i+len(key):]))
		add("upper "+k, []byte(s[:i]+strings.ToUpper(key)+s[i+len(key):]))
		add("lower too "+k, []byte(s[:i]+strings.ToLower(key)+`"x",`+s[i:]))
		add("number "+k, []byte(s[:i]+key+"1e999,"+s[i:]))
		add("float "+k, []byte(s[:i]+key+"1.0,"+s[i:]))
		add("object "+k, []byte(s[:i]+key+"{},"+s[i:]))
		add("array "+k, []byte(s[:i]+key+"[null],"+s[i:]))
		add("bool "+k, []byte(s[:i]+key+"true,"+s[i:]))
		// The member dropped: its key to the next comma at the same depth.
		if j := valueEnd(s, i+len(key)); j > 0 {
			rest := strings.TrimPrefix(s[j:], ",")
			add("without "+k, []byte(strings.Replace(s[:i]+rest, ",}", "}", 1)))
		}
	}
	// Every prefix of a short body, some 200 spread over a long one.
	step := max(1, len(b)/200)
	for n := 0; n < len(b); n += step {
		add(fmt.Sprintf("prefix %d", n), b[:n])
	}
	return out
}

// valueEnd is the end of the JSON value that starts at i in s, or -1.
func valueEnd(s string, i int) int {
	depth, str := 0, false
	for j := i; j < len(s); j++ {
		c := s[j]
		switch {
		case str:
			if c == '\\' {
				j++
			} else if c == '"' {
				str = false
			}
		case c == '"':
			str = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return j
			}
			depth--
		case c == ',' && depth == 0:
			return j
		}
	}
	return -1
}

// Signed returns b with T and Sign as the service adds them (key, expiry t).
func Signed(b []byte, key string, t int64) []byte {
	return generator.AppendSignature(bytes.Clone(b), key, t)
}
