package receiver

import (
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/connlimit"
)

// MaxPayload is the largest body a Receiver reads.
const MaxPayload = 1 << 20

// DefaultMaxConns is how many connections a Receiver's server holds open
// at once when MaxConns is 0.
const DefaultMaxConns = 512

// DefaultWindow is how many distinct task ids a Receiver remembers when
// Window is 0: about 45 MB of memory once full (some 45 bytes an id).
const DefaultWindow = 1 << 20

// Receiver is a callback receiver that answers like a well-behaved app
// backend (200 with the body {}) and checks every payload with
// generator.Decode, strictly: a malformed body is counted, never
// rejected, as an app that must not make VOD retry would do. It counts
// distinct events and duplicates by task id, and checks 3.0 signatures
// when SignKey is set. It is an http.Handler; mount it on any path.
//
// To tell duplicates, a Receiver remembers the last Window distinct task
// ids, in the order first seen; when a new one comes with the window
// full, the oldest is forgotten, so memory stays bounded however long it
// runs. A task id that comes back after it was forgotten counts as a new
// distinct event, not a duplicate.
//
// A Receiver is safe for concurrent use. Its zero value is ready to use,
// prints nothing and checks no signature; set the fields before serving.
type Receiver struct {
	// SignKey, when set, makes the receiver verify T and Sign on 3.0
	// payloads (Sign = md5(SignKey + T), T not yet past); a 3.0 payload
	// without them counts as a bad signature.
	SignKey string
	// Log, when set, receives a line per request: text, or NDJSON when
	// NDJSON is set. Writes are serialised.
	Log    io.Writer
	NDJSON bool
	// Window is how many distinct task ids are remembered to tell
	// duplicates; 0 means DefaultWindow.
	Window int
	// MaxConns caps the connections the server of NewServer holds open
	// at once; 0 means DefaultMaxConns.
	MaxConns int

	mu    sync.Mutex
	logMu sync.Mutex          // serialises Log's writes, apart from mu
	seen  map[uint64]struct{} // the keys in ring
	ring  []uint64            // keys in the order first seen, up to Window
	next  int                 // ring's oldest key once it is full
	stats Stats
	// sprites counts the payloads of the sprite's type, kept apart from
	// stats.ByType and added to it by Stats.
	sprites uint64
}

// remember records task id key and reports whether it was already
// remembered. With the window full, the oldest key is forgotten to make
// room for a new one. rc.mu is held.
func (rc *Receiver) remember(key uint64) bool {
	if _, ok := rc.seen[key]; ok {
		return true
	}
	window := rc.Window
	if window <= 0 {
		window = DefaultWindow
	}
	if rc.seen == nil {
		// Room for a modest run up front; the map grows to the window.
		n := min(window, 1<<12)
		rc.seen = make(map[uint64]struct{}, n)
		rc.ring = make([]uint64, 0, n)
	}
	if len(rc.ring) < window {
		rc.ring = append(rc.ring, key)
	} else {
		delete(rc.seen, rc.ring[rc.next])
		rc.ring[rc.next] = key
		rc.next = (rc.next + 1) % len(rc.ring)
	}
	rc.seen[key] = struct{}{}
	return false
}

// Stats is what a Receiver has seen so far: a plain value, a
// snapshot (the zero value is a receiver's that saw nothing).
type Stats struct {
	// Requests is every request answered, POST or not.
	Requests uint64 `json:"requests"`
	// WellFormed and Malformed split the payloads by generator.Decode.
	WellFormed uint64 `json:"wellFormed"`
	Malformed  uint64 `json:"malformed"`
	// Distinct is the number of distinct task ids among the payloads that
	// parse as events (the well-formed ones and those whose only fault is
	// a bad signature: the event is there, its origin is in doubt);
	// Duplicates those payloads of a task id seen before and still
	// remembered (see Receiver.Window).
	Distinct   uint64 `json:"distinct"`
	Duplicates uint64 `json:"duplicates"`
	// Signed counts payloads carrying Sign and T; BadSignature those whose
	// signature did not verify against SignKey, was expired, or was
	// missing from a 3.0 payload while SignKey is set.
	Signed       uint64 `json:"signed"`
	BadSignature uint64 `json:"badSignature"`
	// ByType counts the payloads that parse as events by their event
	// type (EventType / eventType), duplicates included.
	ByType map[string]uint64 `json:"byType,omitempty"`
	// FirstError describes the first malformed payload, "" if none.
	FirstError string `json:"firstError,omitempty"`
}

// AllWellFormed reports whether every payload decoded and every
// signature checked verified.
func (s Stats) AllWellFormed() bool { return s.Malformed == 0 && s.BadSignature == 0 }

// Stats returns a copy of the counts so far.
func (rc *Receiver) Stats() Stats {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	s := rc.stats
	if s.ByType != nil || rc.sprites > 0 {
		s.ByType = make(map[string]uint64, len(rc.stats.ByType)+1)
		for k, v := range rc.stats.ByType {
			s.ByType[k] = v
		}
		if rc.sprites > 0 {
			s.ByType[generator.EventType] += rc.sprites
		}
	}
	return s
}

// Payload is what a Receiver made of one request's body: a plain value.
type Payload struct {
	// Event is the decoded event, valid when Err is nil.
	Event generator.Event
	// Encoding is the payload's wire format, as Decode found it.
	Encoding generator.Encoding
	// Signed is true when the body carried T and Sign; T is the expiry.
	Signed bool
	T      int64
	Sign   string
	// Err is why the payload is malformed, nil when it is well-formed.
	Err error
}

// ErrSignature is wrapped by CheckPayload's error for a bad signature.
var ErrSignature = errors.New("bad signature")

// CheckPayload decodes a callback body as a Receiver does: a 3.0 body
// may carry T and Sign, which are taken off before the event is decoded
// strictly. When key is not empty a 3.0 body must carry them, and they
// must verify.
//
// A signed body that is compact, free of escapes and of the characters
// encoding/json escapes in HTML (<, >, &, U+2028, U+2029), with each
// top-level key once (in any case) and a decimal T, has T and Sign cut
// out of it as they are; any other takes the long way, through a map of
// its members and json.Marshal. Both give the same answer.
func CheckPayload(body []byte, key string, now time.Time) Payload {
	if p, ok := checkSprite(body, key, now); ok {
		return p
	}
	if p, ok := checkCut(body, key, now); ok {
		return p
	}
	return checkMap(body, key, now)
}

// checkMap is CheckPayload the long way.
func checkMap(body []byte, key string, now time.Time) Payload {
	var p Payload
	if bytes.Contains(body, []byte(`"Sign"`)) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err == nil {
			ts, hasT := m["T"]
			sg, hasSign := m["Sign"]
			if hasT && hasSign {
				p.Signed = true
				delete(m, "T")
				delete(m, "Sign")
				if err := json.Unmarshal(ts, &p.T); err != nil {
					p.Err = fmt.Errorf("%w: T %s is not a UNIX time in seconds", generator.ErrPayload, ts)
					return p
				}
				if err := json.Unmarshal(sg, &p.Sign); err != nil {
					p.Err = fmt.Errorf("%w: Sign %s is not a string", generator.ErrPayload, sg)
					return p
				}
				if stripped, err := json.Marshal(m); err == nil {
					body = stripped
				}
			}
		}
	}
	p.Event, p.Encoding, _, p.Err = generator.Decode(body)
	verify(&p, key, now)
	return p
}

// verify applies the signature rules to a decoded payload.
func verify(p *Payload, key string, now time.Time) {
	if p.Err == nil && p.Signed && p.Encoding.Format != generator.FormatV3 {
		p.Err = fmt.Errorf("%w: a 4.0 payload carries T and Sign", generator.ErrPayload)
	}
	if p.Err == nil && !p.Signed && key != "" && p.Encoding.Format == generator.FormatV3 {
		// With a key set, the service signs every 3.0 callback.
		p.Err = fmt.Errorf("%w: unsigned: a 3.0 payload without T and Sign", ErrSignature)
	}
	if p.Err == nil && p.Signed && key != "" {
		switch {
		case !signMatches(key, p.T, p.Sign):
			p.Err = fmt.Errorf("%w: Sign %q is not md5(key + T)", ErrSignature, p.Sign)
		case now.Unix() > p.T:
			p.Err = fmt.Errorf("%w: expired at T=%d", ErrSignature, p.T)
		}
	}
}

// signMatches reports whether sign is generator.Sign(key, t), without
// building either string. The last key and T are remembered with their
// signature: a sender signs its callbacks with one T for a while.
func signMatches(key string, t int64, sign string) bool {
	last := lastSign.Load()
	if last == nil || last.t != t || last.key != key {
		var in [64]byte
		sum := md5.Sum(strconv.AppendInt(append(in[:0], key...), t, 10))
		last = &signed{key: key, t: t}
		hex.Encode(last.sign[:], sum[:])
		lastSign.Store(last)
	}
	return len(sign) == len(last.sign) && subtle.ConstantTimeCompare(last.sign[:], []byte(sign)) == 1
}

// signed is a key and T with their signature.
type signed struct {
	key  string
	t    int64
	sign [2 * md5.Size]byte
}

// lastSign is the signature signMatches computed last.
var lastSign atomic.Pointer[signed]

// cutBufs holds the buffers checkCut writes a body without T and Sign
// into; Decode keeps nothing of its input.
var cutBufs = sync.Pool{New: func() any { return new([]byte) }}

// checkCut is CheckPayload for the bodies it can read without a map: a
// body without "Sign" is decoded as it is; a signed one that is compact
// (see canonical), has each top-level key once in any case and in ASCII, a decimal
// T and a string Sign is decoded with T and Sign cut out, which gives
// what json.Marshal of its other members gives. It reports false, to
// take the long way, for any other body, and for one that does not
// decode (so that the error names the fault the long way names).
func checkCut(body []byte, key string, now time.Time) (Payload, bool) {
	var p Payload
	if !hasSignKey(body) {
		p.Event, p.Encoding, _, p.Err = generator.Decode(body)
		verify(&p, key, now)
		return p, true
	}
	if !canonical(body) || !utf8.Valid(body) {
		return p, false
	}
	// An object compact and free of escapes is read by eachMember in one
	// pass. It is valid JSON when its members are so delimited, T and Sign
	// are checked here and the rest decodes (Decode checks all of it).
	bp := cutBufs.Get().(*[]byte)
	defer cutBufs.Put(bp)
	cut := append((*bp)[:0], '{')
	var keys [24][]byte
	n, hasT, hasSign, good := 0, false, false, true
	whole := eachMember(body, func(k, raw []byte) bool {
		// k is the key's text, in its quotes; raw the value as it is.
		name := k[1 : len(k)-1]
		if n == len(keys) {
			good = false
			return false
		}
		for _, c := range name {
			if c >= utf8.RuneSelf {
				// encoding/json folds some letters beyond ASCII too.
				good = false
				return false
			}
		}
		for _, o := range keys[:n] {
			if bytes.EqualFold(o, name) {
				// Two keys in the same case fold: encoding/json
				// decodes both into one field, so their order counts.
				good = false
				return false
			}
		}
		keys[n] = name
		n++
		switch string(name) {
		case "T":
			t, err := strconv.ParseInt(string(raw), 10, 64)
			if !jsonInt(raw) || err != nil {
				good = false
				return false
			}
			p.T, hasT = t, true
		case "Sign":
			if !jsonPlainString(raw) {
				good = false
				return false
			}
			// Free of escapes: the string is its text.
			p.Sign, hasSign = string(raw[1:len(raw)-1]), true
		default:
			if len(cut) > 1 {
				cut = append(cut, ',')
			}
			cut = append(cut, k...)
			cut = append(cut, ':')
			cut = append(cut, raw...)
		}
		return true
	})
	cut = append(cut, '}')
	*bp = cut
	if !whole || !good || !hasT || !hasSign {
		return p, false
	}
	p.Signed = true
	p.Event, p.Encoding, _, p.Err = generator.Decode(cut)
	if p.Err != nil {
		return p, false
	}
	verify(&p, key, now)
	return p, true
}

// eachMember calls f with each top-level member of obj, a JSON object
// with no space between tokens and no escape (see canonical): the key
// with its quotes and the value's text, until f returns false. With no
// escape a string ends at the next quote, and with no space a value ends
// at the first ',' or '}' outside strings at its own depth. It reports
// whether obj is members so delimited, each a quoted key, ':' and a
// value, to its last byte, the object's '}' (the values themselves are
// left to the caller to check).
func eachMember(obj []byte, f func(key, raw []byte) bool) bool {
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return false
	}
	i := 1
	for i < len(obj) && obj[i] == '"' {
		q := bytes.IndexByte(obj[i+1:], '"')
		if q < 0 {
			return false
		}
		kEnd := i + 1 + q + 1 // past the key's closing quote
		if kEnd >= len(obj) || obj[kEnd] != ':' {
			return false
		}
		v := kEnd + 1
		depth, j := 0, v
	scan:
		for ; j < len(obj); j++ {
			switch obj[j] {
			case '"':
				q := bytes.IndexByte(obj[j+1:], '"')
				if q < 0 {
					return false
				}
				j += 1 + q
			case '{', '[':
				depth++
			case ']':
				depth--
			case '}':
				if depth == 0 {
					break scan
				}
				depth--
			case ',':
				if depth == 0 {
					break scan
				}
			}
		}
		if j >= len(obj) || v == j || !f(obj[i:kEnd], obj[v:j]) {
			return false
		}
		if obj[j] == '}' {
			return j == len(obj)-1
		}
		i = j + 1
	}
	return false
}

// jsonInt reports whether b is a JSON number without fraction or
// exponent: -?(0|[1-9][0-9]*).
func jsonInt(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || (b[0] == '0' && len(b) > 1) {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// jsonPlainString reports whether b is one JSON string with neither an
// escape nor a control character in it.
func jsonPlainString(b []byte) bool {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return false
	}
	for _, c := range b[1 : len(b)-1] {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// hasSignKey reports whether body holds "Sign" (with its quotes), as
// bytes.Contains would: it looks for the rare 'S' first, where a search
// starting at the quote stops at every string of the body.
func hasSignKey(body []byte) bool {
	for i := 1; i < len(body); {
		j := bytes.Index(body[i:], []byte(`Sign"`))
		if j < 0 {
			return false
		}
		if body[i+j-1] == '"' {
			return true
		}
		i += j + 1
	}
	return false
}

// canonical reports whether json.Marshal would write body's members as
// they are: no space between tokens, and none of the characters it
// escapes (<, >, &, U+2028, U+2029) nor an escape of its own. Only such
// a body can have T and Sign cut out of it in place of a re-encoding.
func canonical(body []byte) bool {
	in := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !canonSpecial[c] {
			continue
		}
		switch c {
		case '"':
			in = !in
		case ' ', '\t', '\n', '\r':
			if !in {
				return false
			}
		case '<', '>', '&', '\\':
			return false
		case 0xE2:
			if i+2 < len(body) && body[i+1] == 0x80 && body[i+2]&^1 == 0xA8 {
				return false
			}
		}
	}
	return true
}

// canonSpecial marks the bytes canonical looks at; it skips the others
// with a table lookup in place of a switch.
var canonSpecial = [256]bool{'"': true, ' ': true, '\t': true, '\n': true, '\r': true, '<': true, '>': true, '&': true, '\\': true, 0xE2: true}

// Connection timeouts of the receiver's server, the ones vodsim serve
// uses: a request's headers must arrive within ReadHeaderTimeout
// and the whole request within ReadTimeout; an idle keep-alive
// connection is closed after IdleTimeout.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	IdleTimeout       = 60 * time.Second
)

// NewServer returns an http.Server for rc with the receiver's connection
// timeouts, and ln wrapped in its connection cap (MaxConns): serve the
// returned listener with it.
func (rc *Receiver) NewServer(ln net.Listener) (*http.Server, net.Listener) {
	cl := connlimit.New(rc.MaxConns)
	return &http.Server{
		Handler:           rc,
		ConnState:         cl.ConnState,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      ReadTimeout,
		IdleTimeout:       IdleTimeout,
	}, cl.Listener(ln)
}

// bodyBufs holds the buffers requests are read into: nothing of a body is
// kept once its request is answered.
var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// FNV-1a, 64 bits, over strings without copying them (hash/fnv takes
// []byte through an interface).
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv1a(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// ServeHTTP answers 200 {} to every POST and counts what it received.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		rc.mu.Lock()
		rc.stats.Requests++
		rc.mu.Unlock()
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "callbacks are POSTed", http.StatusMethodNotAllowed)
		return
	}
	buf := bodyBufs.Get().(*bytes.Buffer)
	defer bodyBufs.Put(buf)
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(req.Body, MaxPayload+1))
	body := buf.Bytes()
	now := time.Now()
	var p Payload
	switch {
	case err != nil:
		p.Err = fmt.Errorf("read body: %w", err)
	case len(body) > MaxPayload:
		p.Err = fmt.Errorf("%w: body larger than %d bytes", generator.ErrPayload, MaxPayload)
	default:
		// The payload is done with before buf goes back to its pool:
		// what is kept of it (the counts, the line, FirstError) is
		// copied, so the common bodies are read without a copy.
		var ok bool
		if p, ok = readSprite(body, rc.SignKey, now, true); !ok {
			p = CheckPayload(body, rc.SignKey, now)
		}
	}
	dup := false
	// The duplicate key is hashed before the lock is taken, and the line
	// is written after it is released: the lock covers the counts only.
	counted := p.Err == nil || errors.Is(p.Err, ErrSignature)
	var key uint64
	if counted {
		key = fnv1a(fnvOffset, p.Event.TaskID)
		if p.Event.Kind != nil {
			// Another type than the sprite's: one task can notify more
			// than once (a flow's PROCESSING and FINISH) and some events
			// have no task id, so the event is its type and payload.
			key = fnv1a(key, p.Event.Kind.Name)
			key = fnv1a(key, p.Event.FileID)
			key = fnv1a(key, string(p.Event.Raw))
		}
	}
	rc.mu.Lock()
	s := &rc.stats
	s.Requests++
	if p.Signed {
		s.Signed++
	}
	switch {
	case errors.Is(p.Err, ErrSignature):
		s.BadSignature++
		if s.FirstError == "" {
			s.FirstError = p.Err.Error()
		}
	case p.Err != nil:
		s.Malformed++
		if s.FirstError == "" {
			s.FirstError = p.Err.Error()
		}
	}
	if counted {
		if p.Err == nil {
			s.WellFormed++
		}
		if p.Event.Kind == nil {
			rc.sprites++ // the sprite's type, the most common, without a map
		} else {
			if s.ByType == nil {
				s.ByType = map[string]uint64{}
			}
			s.ByType[p.Event.TypeName()]++
		}
		if rc.remember(key) {
			s.Duplicates++
			dup = true
		} else {
			s.Distinct++
		}
	}
	rc.mu.Unlock()
	if rc.Log != nil {
		rc.logLine(now, req, &p, dup)
	}
	w.Header()["Content-Type"] = jsonContentType
	io.WriteString(w, "{}")
}

// jsonContentType is the answer's Content-Type, shared: net/http copies
// the header before it writes it.
var jsonContentType = []string{"application/json"}

// lineBufs holds the buffers log lines are written in.
var lineBufs = sync.Pool{New: func() any { return new([]byte) }}

// logLine writes one line about a payload: composed apart, written under
// rc.logMu.
func (rc *Receiver) logLine(now time.Time, req *http.Request, p *Payload, dup bool) {
	bp := lineBufs.Get().(*[]byte)
	defer lineBufs.Put(bp)
	b := (*bp)[:0]
	e := &p.Event
	if rc.NDJSON {
		b = append(b, `{"time":"`...)
		b = now.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","remote":`...)
		b = strconv.AppendQuote(b, req.RemoteAddr)
		b = append(b, `,"wellFormed":`...)
		b = strconv.AppendBool(b, p.Err == nil)
		if p.Err != nil {
			b = append(b, `,"error":`...)
			b = strconv.AppendQuote(b, p.Err.Error())
		}
		// What was read of the event: all of a well-formed one (some
		// types carry no task id), or a malformed one's up to its task id.
		if p.Err == nil || e.TaskID != "" {
			b = append(b, `,"format":"`...)
			b = append(b, p.Encoding.Format...)
			b = append(b, `","eventType":`...)
			b = strconv.AppendQuote(b, e.TypeName())
			b = append(b, `,"taskId":`...)
			b = strconv.AppendQuote(b, e.TaskID)
			b = append(b, `,"fileId":`...)
			b = strconv.AppendQuote(b, e.FileID)
			b = append(b, `,"status":`...)
			b = strconv.AppendInt(b, int64(e.Status), 10)
			if e.Kind == nil {
				b = append(b, `,"sheets":`...)
				b = strconv.AppendInt(b, int64(len(e.SpriteURLs)), 10)
			}
			b = append(b, `,"duplicate":`...)
			b = strconv.AppendBool(b, dup)
		}
		if p.Signed {
			b = append(b, `,"signed":true`...)
		}
		if errors.Is(p.Err, ErrSignature) {
			b = append(b, `,"badSign":true`...)
		}
		b = append(b, "}\n"...)
	} else {
		b = appendClock(b, now)
		badSign := errors.Is(p.Err, ErrSignature)
		switch {
		case p.Err != nil && e.TaskID == "":
			b = append(b, "  MALFORMED  "...)
			b = append(b, p.Err.Error()...)
		default:
			if badSign {
				b = append(b, "  BAD SIGN   "...)
			} else if p.Err != nil {
				b = append(b, "  MALFORMED  "...)
			} else if dup {
				b = append(b, "  duplicate  "...)
			} else {
				b = append(b, "  ok         "...)
			}
			b = append(b, p.Encoding.Format...)
			b = append(b, ' ')
			if e.Kind != nil {
				// Another type of the catalog: its name, as it has no
				// sheets to count.
				b = append(b, e.Kind.Name...)
				b = append(b, ' ')
			}
			if e.TaskID != "" {
				b = append(b, e.TaskID...)
				b = append(b, ' ')
			}
			b = append(b, "file "...)
			b = append(b, e.FileID...)
			if e.Status == 0 && e.Kind != nil {
				b = append(b, " success"...)
			} else if e.Status == 0 {
				b = append(b, " success, "...)
				b = strconv.AppendInt(b, int64(e.TotalCount), 10)
				b = append(b, " tiles in "...)
				b = strconv.AppendInt(b, int64(len(e.SpriteURLs)), 10)
				if len(e.SpriteURLs) == 1 {
					b = append(b, " sheet"...)
				} else {
					b = append(b, " sheets"...)
				}
			} else {
				b = append(b, " failed, status "...)
				b = strconv.AppendInt(b, int64(e.Status), 10)
			}
			if p.Err != nil {
				b = append(b, ": "...)
				b = append(b, p.Err.Error()...)
			}
		}
		b = append(b, '\n')
	}
	*bp = b
	rc.logMu.Lock()
	rc.Log.Write(b)
	rc.logMu.Unlock()
}

// appendClock appends now's local time of day as "15:04:05.000" does,
// the seconds' text formatted once a second.
func appendClock(b []byte, now time.Time) []byte {
	sec := now.Unix()
	c := lastClock.Load()
	if c == nil || c.sec != sec {
		c = &clockText{sec: sec}
		now.Local().AppendFormat(c.text[:0], "15:04:05")
		lastClock.Store(c)
	}
	ms := now.Nanosecond() / 1e6
	return append(append(b, c.text[:]...), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
}

// clockText is a second's local time of day, as text.
type clockText struct {
	sec  int64
	text [8]byte
}

// lastClock is the second appendClock formatted last.
var lastClock atomic.Pointer[clockText]

// Add adds o's counts to s, as for the receivers of several shards of one
// run; s keeps its FirstError, or takes o's when it has none.
func (s *Stats) Add(o Stats) {
	s.Requests += o.Requests
	s.WellFormed += o.WellFormed
	s.Malformed += o.Malformed
	s.Distinct += o.Distinct
	s.Duplicates += o.Duplicates
	s.Signed += o.Signed
	s.BadSignature += o.BadSignature
	if len(o.ByType) > 0 {
		if s.ByType == nil {
			s.ByType = map[string]uint64{}
		}
		for k, v := range o.ByType {
			s.ByType[k] += v
		}
	}
	if s.FirstError == "" {
		s.FirstError = o.FirstError
	}
}
