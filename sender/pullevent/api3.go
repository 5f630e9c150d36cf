package pullevent

import (
	"encoding/json"
	"errors"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/vodsim/vodsim/generator"
)

// writeError3 answers an API 3.0 error. Like the real API, errors come
// with HTTP 200: the SDKs read the code from the envelope.
func writeError3(w http.ResponseWriter, e *apiError) {
	var env struct {
		Response struct {
			Error struct {
				Code    string `json:"Code"`
				Message string `json:"Message"`
			} `json:"Error"`
			RequestID string `json:"RequestId"`
		} `json:"Response"`
	}
	env.Response.Error.Code, env.Response.Error.Message = e.Code, e.Message
	env.Response.RequestID = newRequestID()
	b, _ := json.Marshal(env)
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) serveAPI3(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeError3(w, errf("UnsupportedOperation", "HTTP method %s is not supported; API 3.0 takes POST (or GET).", r.Method))
		return
	}
	// A request signed with HmacSHA1 or HmacSHA256 (signature v1) carries
	// its action and common parameters as parameters, in the query (GET) or
	// a form body (POST), instead of X-TC-* headers and Authorization.
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	v1 := r.Header.Get("X-TC-Action") == "" && r.Header.Get("Authorization") == "" &&
		(r.Method == http.MethodGet || ct == "application/x-www-form-urlencoded")
	limit := s.cfg.MaxBodyBytes
	if v1 {
		limit = min(limit, DefaultLegacyMaxBodyBytes)
	}
	// What the headers tell is checked before the body is read: a request
	// that is not signed, or not for us, costs no body.
	action := r.Header.Get("X-TC-Action")
	if !v1 {
		if e := checkActionVersion(action, r.Header.Get("X-TC-Version"),
			"the required header `X-TC-Action`", "the required header `X-TC-Version`"); e != nil {
			writeError3(w, e)
			return
		}
		if !s.cfg.NoAuth {
			if _, _, e := s.checkTC3Headers(r); e != nil {
				writeError3(w, e)
				return
			}
		}
	}
	// The body is only read while the request is served (parameters are
	// copied out of it), so its buffer goes back to the pool after.
	bp := bodyPool.Get().(*[]byte)
	body, err := s.readBodyInto((*bp)[:0], r, w, limit)
	defer func() {
		if cap(body) <= maxPooledBody {
			*bp = body[:0]
			bodyPool.Put(bp)
		}
	}()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError3(w, errf("RequestSizeLimitExceeded", "The request body is larger than the limit of %d bytes.", mbe.Limit))
			return
		}
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			writeError3(w, errf("InvalidParameter", "The request body did not arrive within %v.", s.to.read))
			return
		}
		writeError3(w, errf("InvalidParameter", "Reading the request body failed: %v.", err))
		return
	}
	if v1 {
		s.serveAPI3V1(w, r, body)
		return
	}
	if !s.cfg.NoAuth {
		if e := s.verifyTC3(r, body); e != nil {
			writeError3(w, e)
			return
		}
		if s.cfg.RejectReplays {
			ts, _ := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
			if s.seen.seenBefore(s.cfg.Clock.Now(), ts, "tc3", r.Header.Get("Authorization")) {
				writeError3(w, replayErr3())
				return
			}
		}
	}
	var req request3
	var aerr *apiError
	if r.Method == http.MethodGet {
		req, aerr = decodeRequest3Form(action, r.URL.Query())
	} else {
		switch ct {
		case "application/json":
			req, aerr = decodeRequest3JSON(action, body)
		case "application/x-www-form-urlencoded":
			v, err := parseForm(body)
			if err != nil {
				aerr = errf("InvalidParameter", "The form body is not correctly URL-encoded: %v.", err)
			} else {
				req, aerr = decodeRequest3Form(action, v)
			}
		default:
			aerr = errf("UnsupportedOperation", "Content-Type %q is not supported; send application/json.", r.Header.Get("Content-Type"))
		}
	}
	if aerr != nil {
		writeError3(w, aerr)
		return
	}
	s.answer3(w, r, action, req)
}

// checkActionVersion checks an API 3.0 request's action and version,
// however it carries them; actionIn and versionIn say where they go, for
// the error when one is missing.
func checkActionVersion(action, version, actionIn, versionIn string) *apiError {
	switch action {
	case "PullEvents", "ConfirmEvents", "DescribeEventsState":
	case "":
		return errf("MissingParameter", "The request is missing %s.", actionIn)
	default:
		return errf("InvalidAction", "The action `%s` is not found in vod %s; this endpoint serves PullEvents, ConfirmEvents and DescribeEventsState.", action, APIVersion)
	}
	switch version {
	case APIVersion:
		return nil
	case "":
		return errf("MissingParameter", "The request is missing %s.", versionIn)
	default:
		return errf("NoSuchVersion", "The version `%s` of %s is not found; use %s.", version, action, APIVersion)
	}
}

// serveAPI3V1 serves an API 3.0 request signed with signature v1: every
// parameter, common ones included, is in the query or the form body.
func (s *Server) serveAPI3V1(w http.ResponseWriter, r *http.Request, body []byte) {
	raws := []string{r.URL.RawQuery}
	if r.Method == http.MethodPost && len(body) > 0 {
		raws = append(raws, string(body))
	}
	v, aerr := parseParams3(raws...)
	if aerr != nil {
		writeError3(w, aerr)
		return
	}
	action := v.Get("Action")
	if e := checkActionVersion(action, v.Get("Version"),
		"the required parameter `Action` (or, signed with TC3-HMAC-SHA256, the header `X-TC-Action`)",
		"the required parameter `Version`"); e != nil {
		writeError3(w, e)
		return
	}
	if !s.cfg.NoAuth {
		if e := s.verifyV1(r, v); e != nil {
			writeError3(w, e)
			return
		}
		if s.cfg.RejectReplays {
			ts, _ := strconv.ParseInt(v.Get("Timestamp"), 10, 64)
			if s.seen.seenBefore(s.cfg.Clock.Now(), ts, "v1", v.Get("SecretId"), v.Get("Timestamp"), v.Get("Nonce")) {
				writeError3(w, replayErr3())
				return
			}
		}
	}
	req, aerr := decodeRequest3Form(action, v)
	if aerr != nil {
		writeError3(w, aerr)
		return
	}
	s.answer3(w, r, action, req)
}

// answer3 carries out a checked API 3.0 request and answers it.
func (s *Server) answer3(w http.ResponseWriter, r *http.Request, action string, req request3) {
	if l := s.limits[action]; l != nil && !l.AllowN(s.cfg.Clock.Now(), 1) {
		writeError3(w, errf("RequestLimitExceeded", "The requests to `%s` exceed the frequency limit of %g a second. Please reduce the frequency of calls.", action, s.cfg.RequestLimit))
		return
	}
	if action == "DescribeEventsState" {
		// The real count is documented as approximate, about 3
		// minutes behind; this one is exact.
		bp := bufPool.Get().(*[]byte)
		b := append((*bp)[:0], `{"Response":{"CountOfEventsToPull":`...)
		b = strconv.AppendInt(b, int64(s.q.Stats().Available), 10)
		b = append(b, `,"RequestId":"`...)
		b = append(b, newRequestID()...)
		b = append(b, `"}}`...)
		writeJSON(w, http.StatusOK, b)
		*bp = b
		bufPool.Put(bp)
		return
	}
	if action == "ConfirmEvents" {
		if err := s.q.Confirm(req.EventHandles...); err != nil {
			if !errors.Is(err, ErrHandle) {
				writeError3(w, errf("InternalError", "The events could not be confirmed: %v. None was confirmed.", err))
				return
			}
			writeError3(w, errf("InvalidParameterValue", "%s.", strings.TrimPrefix(err.Error(), ErrHandle.Error()+": ")+" (EventHandles)"))
			return
		}
		bp := bufPool.Get().(*[]byte)
		b := append((*bp)[:0], `{"Response":{"RequestId":"`...)
		b = append(b, newRequestID()...)
		b = append(b, `"}}`...)
		writeJSON(w, http.StatusOK, b)
		*bp = b
		bufPool.Put(bp)
		return
	}
	msgs, err := s.q.Pull(r.Context(), 0, -1)
	if err != nil {
		return // the client went away
	}
	bp := bufPool.Get().(*[]byte)
	b := append((*bp)[:0], `{"Response":{"EventSet":[`...)
	for i := range msgs {
		if i > 0 {
			b = append(b, ',')
		}
		b = generator.AppendEventContent(b, &msgs[i].Event, msgs[i].Handle)
	}
	b = append(b, `],"RequestId":"`...)
	b = append(b, newRequestID()...)
	b = append(b, `"}}`...)
	writeJSON(w, http.StatusOK, b)
	*bp = b
	bufPool.Put(bp)
}

// replayErr3 answers an API 3.0 request seen before when RejectReplays is
// set. The real API documents no code for it; vodsim answers the
// signature failure code.
func replayErr3() *apiError {
	return errf("AuthFailure.SignatureFailure", "The request was seen before: vodsim (RejectReplays, --reject-replays) refuses a signed request sent again within its 5-minute window.")
}
