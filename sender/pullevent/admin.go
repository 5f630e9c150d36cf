package pullevent

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// DefaultPeekLimit is how many events GET /_vodsim/events shows when no
// limit is given; MaxPeekLimit is the most one page shows.
const (
	DefaultPeekLimit = 100
	MaxPeekLimit     = 1000
)

// adminMaxBody limits an inject request.
const adminMaxBody = 32 << 20

func adminError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	writeJSON(w, status, append(b, '\n'))
}

func adminJSON(w http.ResponseWriter, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	writeJSON(w, http.StatusOK, append(b, '\n'))
}

// GET /_vodsim/stats
func (s *Server) adminStats(w http.ResponseWriter, r *http.Request) {
	adminJSON(w, s.q.Stats())
}

// POST /_vodsim/reset
func (s *Server) adminReset(w http.ResponseWriter, r *http.Request) {
	if err := s.q.Reset(); err != nil {
		adminError(w, http.StatusInternalServerError, "reset: "+err.Error())
		return
	}
	adminJSON(w, s.q.Stats())
}

// peekItem is one event in GET /_vodsim/events.
type peekItem struct {
	Seq        uint64          `json:"seq"`
	Deliveries int             `json:"deliveries"`
	Added      time.Time       `json:"added"`
	Event      json.RawMessage `json:"event"`
}

// GET /_vodsim/events?limit=N&after=SEQ&format=v4|v3: a page of at most
// MaxPeekLimit events; "next" is the after of the next page, present when
// more may follow.
func (s *Server) adminPeek(w http.ResponseWriter, r *http.Request) {
	limit := DefaultPeekLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			adminError(w, http.StatusBadRequest, fmt.Sprintf("limit %q: want a whole number, 0 or more (0 or over %d: a whole page, %d)", v, MaxPeekLimit, MaxPeekLimit))
			return
		}
		limit = n
	}
	if limit == 0 || limit > MaxPeekLimit {
		limit = MaxPeekLimit
	}
	var after uint64
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			adminError(w, http.StatusBadRequest, fmt.Sprintf("after %q: want the seq of the last event of the previous page", v))
			return
		}
		after = n
	}
	enc := generator.Encoding{Format: generator.FormatV4}
	if v := r.URL.Query().Get("format"); v != "" {
		f, err := generator.ParseFormat(v)
		if err != nil {
			adminError(w, http.StatusBadRequest, "format: "+err.Error())
			return
		}
		enc.Format = f
	}
	msgs := s.q.PeekAfter(after, limit)
	items := make([]peekItem, len(msgs))
	for i := range msgs {
		items[i] = peekItem{Seq: msgs[i].Seq, Deliveries: msgs[i].Deliveries, Added: msgs[i].Added, Event: enc.Marshal(&msgs[i].Event)}
	}
	page := map[string]any{"events": items}
	if len(msgs) == limit {
		page["next"] = msgs[len(msgs)-1].Seq
	}
	adminJSON(w, page)
}

// POST /_vodsim/events: one JSON event or NDJSON (one per line), each in
// the 4.0 or the 3.0 format. All or nothing: one bad event adds none.
func (s *Server) adminInject(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(r, w, adminMaxBody)
	if err != nil {
		adminError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body unreadable or larger than %d bytes: %v", adminMaxBody, err))
		return
	}
	events, err := decodeEvents(body)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.q.Add(events...); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, ErrQueueFull) {
			status = http.StatusTooManyRequests
		}
		adminError(w, status, fmt.Sprintf("none of the %d events added: %v", len(events), err))
		return
	}
	adminJSON(w, map[string]any{"added": len(events), "stats": s.q.Stats()})
}

// decodeEvents parses one JSON object, or several one per line, each an
// event payload of any catalog type in either format.
func decodeEvents(body []byte) ([]generator.Event, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("empty body: send an event as JSON (4.0 or 3.0 format), or several as NDJSON")
	}
	// A single (possibly pretty-printed) object.
	if ev, _, _, err := generator.Decode(body); err == nil {
		if err := Servable(ev); err != nil {
			return nil, fmt.Errorf("event: %v", err)
		}
		return []generator.Event{ev}, nil
	} else if bytes.Count(bytes.TrimSpace(body), []byte("\n")) == 0 {
		return nil, fmt.Errorf("event: %v", err)
	}
	var out []generator.Event
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), adminMaxBody)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		ev, _, _, err := generator.Decode(b)
		if err == nil {
			err = Servable(ev)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		out = append(out, ev)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %v", line+1, err)
	}
	return out, nil
}

// Servable returns the error a server's queue has for ev, an event of its
// own (injected, or replayed by vodsim serve's scenario), nil if none: one
// of another type than CreateImageSpriteComplete in the 4.0 format. Such a
// type's 4.0 object has other fields than its 3.0 member, and an event
// given is kept only in the form it came in (the sprite event's two forms
// are made from its fields), while PullEvents gives every event in 3.0;
// its 3.0 form serves both APIs (the legacy PullEvent gives it as it is).
func Servable(ev generator.Event) error {
	if f, ok := ev.KeptFormat(); ok && f == generator.FormatV4 {
		return fmt.Errorf("a 4.0 %s: PullEvents gives every event in 3.0, and vodsim keeps this type only in the form it was given: give its 3.0 form (the legacy PullEvent then gives that)", ev.Kind.Name)
	}
	return nil
}

// AdminOpen reports whether the admin API answers without a token: it
// does unless Serve listens beyond the loopback (or a token is set).
func (s *Server) AdminOpen() bool { return s.cfg.AdminToken == "" && !s.adminOff.Load() }

// adminAllowed checks an admin request's access and answers 401 when it
// is refused: with an AdminToken the request must carry it as a bearer
// token (compared in constant time); without one the admin API is closed
// when the server listens beyond the loopback.
func (s *Server) adminAllowed(w http.ResponseWriter, r *http.Request) bool {
	tok := s.cfg.AdminToken
	if tok == "" {
		if !s.adminOff.Load() {
			return true
		}
		adminError(w, http.StatusUnauthorized, "the admin API is off: the server listens beyond the loopback and no admin token is set (vodsim serve --admin-token)")
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(tok)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vodsim admin"`)
		adminError(w, http.StatusUnauthorized, "the admin API needs the header Authorization: Bearer TOKEN with the admin token")
		return false
	}
	return true
}

// IsLoopback reports whether addr is a TCP address on a loopback
// interface only (127.0.0.0/8 or ::1); an unspecified address (0.0.0.0,
// ::) listens on every interface and is not.
func IsLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// MaskKey returns key with all but its first and last two characters
// hidden (all of a key of 8 or fewer), for printing; the documented default key is shown as is.
func MaskKey(key string) string {
	if key == DefaultSecretKey || key == "" {
		return key
	}
	if len(key) <= 8 {
		return "********"
	}
	return key[:2] + "********" + key[len(key)-2:]
}
