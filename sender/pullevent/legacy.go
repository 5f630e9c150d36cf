package pullevent

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/vodsim/vodsim/generator"
)

// legacyInternalError is the legacy API's code for a server-side error.
const legacyInternalError = 6000

func writeLegacyError(w http.ResponseWriter, e *apiError) {
	b, _ := json.Marshal(struct {
		Code     int    `json:"code"`
		Message  string `json:"message"`
		CodeDesc string `json:"codeDesc"`
	}{e.Legacy, e.Message, e.LegacyDesc})
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) serveLegacy(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		writeLegacyError(w, legacyErr(legacyInvalidParameter, "InvalidParameter", "HTTP method %s is not supported; use GET or POST", r.Method))
		return
	}
	limit := min(s.cfg.MaxBodyBytes, DefaultLegacyMaxBodyBytes)
	body, err := s.readBody(r, w, limit)
	if err != nil {
		writeLegacyError(w, legacyErr(legacyInvalidParameter, "InvalidParameter", "request body unreadable or larger than %d bytes: %v", limit, err))
		return
	}
	raws := []string{r.URL.RawQuery}
	if r.Method == http.MethodPost && len(body) > 0 {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "" && ct != "application/x-www-form-urlencoded" {
			writeLegacyError(w, legacyErr(legacyInvalidParameter, "InvalidParameter", "Content-Type %q is not supported; send the parameters form-encoded (application/x-www-form-urlencoded)", ct))
			return
		}
		raws = append(raws, string(body))
	}
	p, aerr := parseLegacyParams(raws...)
	if aerr != nil {
		writeLegacyError(w, aerr)
		return
	}
	if p["Action"] == "" {
		writeLegacyError(w, legacyErr(legacyInvalidParameter, "InvalidParameter", "missing required common parameter Action"))
		return
	}
	if !s.cfg.NoAuth {
		if e := s.verifyLegacy(r, p); e != nil {
			writeLegacyError(w, e)
			return
		}
		// The legacy API's Nonce and Timestamp make each request run once:
		// a repeat is code 4500, as Tencent's common error codes say.
		ts, _ := strconv.ParseInt(p["Timestamp"], 10, 64)
		if s.seen.seenBefore(s.cfg.Clock.Now(), ts, "legacy", p["SecretId"], p["Timestamp"], p["Nonce"]) {
			writeLegacyError(w, legacyErr(legacyReplay, "ReplayAttack", "Nonce %s with Timestamp %s was used before: each request must have a new Nonce", p["Nonce"], p["Timestamp"]))
			return
		}
	}
	switch p["Action"] {
	case "PullEvent":
		msgs, err := s.q.Pull(r.Context(), 0, -1)
		if err != nil {
			return
		}
		bp := bufPool.Get().(*[]byte)
		b := append((*bp)[:0], `{"code":0,"message":"","eventList":[`...)
		enc := s.cfg.Legacy
		enc.Format = generator.FormatV4
		for i := range msgs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"msgHandle":"`...)
			b = append(b, msgs[i].Handle...)
			b = append(b, `","eventContent":`...)
			b = enc.Append(b, &msgs[i].Event)
			b = append(b, '}')
		}
		b = append(b, "]}"...)
		writeJSON(w, http.StatusOK, b)
		*bp = b
		bufPool.Put(bp)
	case "ConfirmEvent":
		hs, aerr := legacyHandles(p)
		if aerr != nil {
			writeLegacyError(w, aerr)
			return
		}
		if err := s.q.Confirm(hs...); err != nil {
			if !errors.Is(err, ErrHandle) {
				writeLegacyError(w, legacyErr(legacyInternalError, "InternalError", "the events could not be confirmed: %v; none was confirmed", err))
				return
			}
			writeLegacyError(w, legacyErr(legacyInvalidParameter, "InvalidParameter", "msgHandle %s", strings.TrimPrefix(err.Error(), ErrHandle.Error()+": ")))
			return
		}
		writeJSON(w, http.StatusOK, []byte(`{"code":0,"message":""}`))
	default:
		writeLegacyError(w, legacyErr(legacyNoSuchAction, "InvalidAction", "Action %q is not supported by this endpoint; it serves PullEvent and ConfirmEvent", p["Action"]))
	}
}
