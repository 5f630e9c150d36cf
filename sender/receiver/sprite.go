package receiver

import (
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/spritekeys"
)

// checkSprite is CheckPayload for the bodies a receiver meets most: a
// sprite event (CreateImageSpriteComplete), 3.0 signed or not, or 4.0
// unsigned, read in one pass over the body with no map, no second copy
// and no validation pass of its own. It takes only a strict subset of
// what the long way accepts, where both give the same event:
//
//   - compact: no space anywhere outside strings, nothing after the '}';
//   - no escape and none of the characters encoding/json escapes in HTML
//     (<, >, &, U+2028, U+2029) in any string, no control character, and
//     valid UTF-8;
//   - every key spelt exactly as the format spells it and present once:
//     3.0's EventType, EventHandle (a string or null), the other event
//     members (null) and CreateImageSpriteCompleteEvent, with T (a
//     decimal integer of at most 18 digits) and Sign (a string) together
//     or not at all; 4.0's eventType, version ("4.0" or 4) and data,
//     unsigned;
//   - the event's members each of its type: integers of at most 18
//     digits, strings, an array of strings; no null.
//
// It reports false, to take the long way, for any other body, including
// every body the long way finds malformed, so that the error is the long
// way's; the signature rules (verify) then apply as they do there.
func checkSprite(body []byte, key string, now time.Time) (Payload, bool) {
	return readSprite(body, key, now, false)
}

// readSprite is checkSprite; with view set, the payload's strings are
// the body's bytes, not a copy of them: for a caller that is done with
// the payload before the body changes (ServeHTTP, whose line and counts
// keep copies).
func readSprite(body []byte, key string, now time.Time, view bool) (Payload, bool) {
	var p Payload
	var r spriteReader
	if !r.read(body) {
		return p, false
	}
	if r.high && !utf8.Valid(body) {
		return p, false
	}
	s := &r.s
	if !s.has[spritekeys.Status] || !s.has[spritekeys.Message] || !s.has[spritekeys.Task] || !s.has[spritekeys.File] {
		return p, false
	}
	v4 := r.top&(1<<topEventType4) != 0
	if v4 {
		// eventType, version and data, nothing else.
		if r.top != 1<<topEventType4|1<<topVersion|1<<topData {
			return p, false
		}
		if s.ints[spritekeys.Status] != 0 {
			if s.has[spritekeys.Definition] || s.has[spritekeys.Total] || s.has[spritekeys.URLs] || s.has[spritekeys.WebVTT] {
				return p, false
			}
		} else if !s.has[spritekeys.Definition] || !s.has[spritekeys.Total] || !s.has[spritekeys.URLs] {
			return p, false
		}
		p.Encoding = generator.Encoding{Format: generator.FormatV4, NumericVersion: r.numericVersion}
	} else {
		const v3 = 1<<topEventType3 | 1<<topMember3
		if r.top&v3 != v3 || r.top&(1<<topVersion|1<<topData) != 0 {
			return p, false
		}
		signed := r.top & (1<<topT | 1<<topSign)
		if signed != 0 && signed != 1<<topT|1<<topSign {
			return p, false
		}
		p.Signed = signed != 0
		p.Encoding = generator.Encoding{Format: generator.FormatV3}
	}
	// One copy of the body: the strings of the payload are slices of it.
	var text string
	if view {
		text = unsafe.String(&body[0], len(body))
	} else {
		text = string(body)
	}
	str := func(sp span) string { return text[sp.from:sp.to] }
	e := &p.Event
	e.Status = s.ints[spritekeys.Status]
	e.Message, e.TaskID, e.FileID = str(s.strs[spritekeys.Message]), str(s.strs[spritekeys.Task]), str(s.strs[spritekeys.File])
	e.TotalCount = s.ints[spritekeys.Total]
	e.WebVTTURL = str(s.strs[spritekeys.WebVTT])
	if s.has[spritekeys.URLs] {
		e.SpriteURLs = make([]string, s.nURLs, max(s.nURLs, 4))
		for i, sp := range s.urls[:s.nURLs] {
			e.SpriteURLs[i] = str(sp)
		}
	}
	switch {
	case v4:
		if e.Status == 0 {
			e.Template = templateFor(s.ints[spritekeys.Definition])
			if s.has[spritekeys.WebVTT] {
				p.Encoding.WebVTT = true
			}
		}
	case s.has[spritekeys.Definition] && (s.ints[spritekeys.Definition] != 0 || e.Status == 0):
		e.Template = templateFor(s.ints[spritekeys.Definition])
	}
	if p.Signed {
		p.T, p.Sign = r.t, str(r.sign)
	}
	verify(&p, key, now)
	return p, true
}

// templateFor is the template a sprite event's definition names, as
// generator.Decode gives it.
func templateFor(def int) generator.Template {
	if def == generator.PresetTemplate.Definition {
		return generator.PresetTemplate
	}
	return generator.Template{Definition: def}
}

// The top-level members checkSprite knows, as bits of spriteReader.top.
const (
	topEventType3 = iota // EventType
	topHandle            // EventHandle
	topMember3           // CreateImageSpriteCompleteEvent
	topT
	topSign
	topEventType4 // eventType
	topVersion
	topData
	topNull // the first of v3Nullable's, in its order
)

// v3Nullable are the members of a 3.0 sprite payload that may be there
// as null: the other event types' members.
var v3Nullable = [...]string{"FileUploadEvent", "ProcedureStateChangeEvent", "FileDeleteEvent", "PullCompleteEvent",
	"EditMediaCompleteEvent", "WechatPublishCompleteEvent", "TranscodeCompleteEvent", "ConcatCompleteEvent", "ClipCompleteEvent"}

// span is a string's text in the body, without its quotes.
type span struct{ from, to int }

// maxURLs is how many sprite sheets checkSprite reads; a longer list
// takes the long way.
const maxURLs = 64

// spriteMembers are a sprite event's members as read.
type spriteMembers struct {
	has   [8]bool
	ints  [8]int
	strs  [8]span
	urls  [maxURLs]span
	nURLs int
}

// spriteReader reads a body for checkSprite.
type spriteReader struct {
	b              []byte
	i              int
	high           bool   // a byte beyond ASCII was seen, in a string
	top            uint32 // the top-level members seen
	numericVersion bool
	t              int64
	sign           span
	s              spriteMembers
}

// strByte marks the bytes a string's scan stops at: the closing quote,
// and those that make checkSprite give up or look closer.
var strByte = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	for _, c := range []byte{'"', '\\', '<', '>', '&'} {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// str reads a string at r.i (its opening quote) and returns its text.
func (r *spriteReader) str() (span, bool) {
	b := r.b
	if r.i >= len(b) || b[r.i] != '"' {
		return span{}, false
	}
	from := r.i + 1
	for j := from; j < len(b); j++ {
		c := b[j]
		if !strByte[c] {
			continue
		}
		switch {
		case c == '"':
			r.i = j + 1
			return span{from, j}, true
		case c >= 0x80:
			r.high = true
			// U+2028 and U+2029, which encoding/json escapes.
			if c == 0xE2 && j+2 < len(b) && b[j+1] == 0x80 && b[j+2]&^1 == 0xA8 {
				return span{}, false
			}
		default:
			return span{}, false
		}
	}
	return span{}, false
}

// lit reads the literal s at r.i.
func (r *spriteReader) lit(s string) bool {
	if len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// int reads an integer at r.i: -?(0|[1-9][0-9]*), at most 18 digits.
func (r *spriteReader) int() (int64, bool) {
	b, i := r.b, r.i
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	from := i
	var n int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if d := i - from; d == 0 || d > 18 || (b[from] == '0' && d > 1) {
		return 0, false
	}
	if neg {
		n = -n
	}
	r.i = i
	return n, true
}

// read reads the whole body: an object of the members checkSprite knows.
func (r *spriteReader) read(body []byte) bool {
	r.b = body
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' {
		return false
	}
	r.i = 1
	for {
		k, ok := r.str()
		if !ok || !r.lit(":") {
			return false
		}
		bit, ok := r.member(string(body[k.from:k.to]))
		if !ok || r.top&(1<<bit) != 0 {
			return false
		}
		r.top |= 1 << bit
		if r.i >= len(body) {
			return false
		}
		switch body[r.i] {
		case ',':
			r.i++
		case '}':
			return r.i == len(body)-1
		default:
			return false
		}
	}
}

// member reads the value of top-level member key and returns its bit.
func (r *spriteReader) member(key string) (int, bool) {
	switch key {
	case "EventType":
		return topEventType3, r.lit(`"` + generator.EventType + `"`)
	case "eventType":
		return topEventType4, r.lit(`"` + generator.EventType + `"`)
	case "EventHandle":
		if r.lit("null") {
			return topHandle, true
		}
		_, ok := r.str()
		return topHandle, ok
	case "CreateImageSpriteCompleteEvent":
		return topMember3, r.sprite(0)
	case "data":
		return topData, r.sprite(1)
	case "version":
		if r.lit(`"4.0"`) {
			return topVersion, true
		}
		r.numericVersion = true
		return topVersion, r.lit("4")
	case "T":
		t, ok := r.int()
		r.t = t
		return topT, ok
	case "Sign":
		sp, ok := r.str()
		r.sign = sp
		return topSign, ok
	}
	for i, n := range v3Nullable {
		if key == n {
			return topNull + i, r.lit("null")
		}
	}
	return 0, false
}

// sprite reads a 3.0 (format 0) or 4.0 (1) sprite member: every key
// known and once, no null, integers, strings, an array of strings.
func (r *spriteReader) sprite(format int) bool {
	s := &r.s
	if !r.lit("{") {
		return false
	}
	if r.lit("}") {
		return true
	}
	for {
		k, ok := r.str()
		if !ok || !r.lit(":") {
			return false
		}
		key := string(r.b[k.from:k.to])
		m := 0
		for m < len(spritekeys.Keys[format]) && spritekeys.Keys[format][m] != key {
			m++
		}
		if m == len(spritekeys.Keys[format]) || s.has[m] {
			return false
		}
		s.has[m] = true
		switch m {
		case spritekeys.Status, spritekeys.Definition, spritekeys.Total:
			n, ok := r.int()
			if !ok {
				return false
			}
			s.ints[m] = int(n)
		case spritekeys.URLs:
			if !r.urls() {
				return false
			}
		default:
			if s.strs[m], ok = r.str(); !ok {
				return false
			}
		}
		if r.lit(",") {
			continue
		}
		return r.lit("}")
	}
}

// urls reads an array of strings.
func (r *spriteReader) urls() bool {
	s := &r.s
	if !r.lit("[") {
		return false
	}
	if r.lit("]") {
		return true
	}
	for {
		if s.nURLs == maxURLs {
			return false
		}
		sp, ok := r.str()
		if !ok {
			return false
		}
		s.urls[s.nURLs] = sp
		s.nURLs++
		if r.lit(",") {
			continue
		}
		return r.lit("]")
	}
}
