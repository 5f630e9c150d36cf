package pullevent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/connlimit"
	"golang.org/x/time/rate"
)

// APIVersion is the API 3.0 version of PullEvents and ConfirmEvents.
const APIVersion = "2018-07-17"

// AdminPrefix is the path prefix of the admin API.
const AdminPrefix = "/_vodsim"

// ShutdownTimeout bounds a graceful shutdown: requests still running after
// it are cut.
const ShutdownTimeout = 5 * time.Second

// Connection timeouts of the HTTP server Serve runs, so that a slow or
// stalled client cannot hold a connection forever: its headers must arrive
// within ReadHeaderTimeout, the whole request (headers and body) within
// ReadTimeout, and an idle keep-alive connection is closed after
// IdleTimeout. The write timeout, counted from the end of the request's
// headers, is ReadTimeout (for the body) plus the held poll (Config.Wait)
// plus WriteTimeoutMargin. Once a request's body has been read, net/http
// lifts the read deadline, so a held poll (--wait) longer than ReadTimeout
// is not cut.
const (
	ReadHeaderTimeout  = 10 * time.Second
	ReadTimeout        = 30 * time.Second
	IdleTimeout        = 60 * time.Second
	WriteTimeoutMargin = 10 * time.Second
)

// timeouts are the http.Server timeouts; tests shrink them.
type timeouts struct {
	readHeader, read, idle, writeMargin time.Duration
}

// Server serves the legacy and API 3.0 pull APIs and the admin API over
// one Queue. It is an http.Handler, safe for concurrent use. Build one with
// New (then Serve it) or Listen; the zero value is not usable.
type Server struct {
	cfg    Config
	q      *Queue
	to     timeouts
	router *mux.Router
	tc3    atomic.Pointer[tc3Day]   // the last date's signing key
	limits map[string]*rate.Limiter // per API 3.0 action; nil = no limit

	// Set by Listen.
	ln     net.Listener
	cancel context.CancelFunc
	served chan error
	once   sync.Once
	cerr   error
	active atomic.Int64 // requests running

	bodies chan struct{} // a slot per large body being read
	seen   replays       // signed requests, to refuse replays

	// adminOff is set by Serve when it listens beyond the loopback and no
	// AdminToken is configured: the admin API is then closed.
	adminOff atomic.Bool
}

// New returns a Server for cfg with an empty queue.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("pullevent: %w", err)
	}
	s := &Server{cfg: cfg.withDefaults()}
	s.to = timeouts{readHeader: ReadHeaderTimeout, read: ReadTimeout, idle: IdleTimeout, writeMargin: WriteTimeoutMargin}
	s.q = NewQueue(cfg)
	s.bodies = make(chan struct{}, maxLargeBodies)
	if l := cfg.RequestLimit; l > 0 {
		burst := max(1, int(math.Ceil(l)))
		s.limits = map[string]*rate.Limiter{
			"PullEvents":          rate.NewLimiter(rate.Limit(l), burst),
			"ConfirmEvents":       rate.NewLimiter(rate.Limit(l), burst),
			"DescribeEventsState": rate.NewLimiter(rate.Limit(l), burst),
		}
	}
	r := mux.NewRouter()
	r.HandleFunc("/", s.serveAPI3)
	r.HandleFunc(LegacyPath, s.serveLegacy)
	a := r.PathPrefix(AdminPrefix).Subrouter()
	a.Handle("/stats", byMethod{http.MethodGet: s.adminStats})
	a.Handle("/events", byMethod{http.MethodGet: s.adminPeek, http.MethodPost: s.adminInject})
	a.Handle("/reset", byMethod{http.MethodPost: s.adminReset})
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		adminError(w, http.StatusNotFound, fmt.Sprintf("no such path %s: the APIs are POST / (API 3.0), %s (legacy) and %s/ (admin)", r.URL.Path, LegacyPath, AdminPrefix))
	})
	s.router = r
	return s, nil
}

// byMethod routes a path's requests by HTTP method; a method it does not
// take is answered 405 with an Allow header naming the ones it does.
type byMethod map[string]http.HandlerFunc

func (m byMethod) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	allow := make([]string, 0, len(m))
	for k := range m {
		allow = append(allow, k)
	}
	sort.Strings(allow)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	adminError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s; it takes %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
}

// Queue is the queue both APIs serve.
func (s *Server) Queue() *Queue { return s.q }

// Config is the configuration in effect, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// ServeHTTP routes r to the API it addresses. The two pull APIs, the hot
// paths, skip the router.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		s.serveAPI3(w, r)
	case LegacyPath:
		s.serveLegacy(w, r)
	default:
		if strings.HasPrefix(r.URL.Path, AdminPrefix+"/") && !s.adminAllowed(w, r) {
			return
		}
		s.router.ServeHTTP(w, r)
	}
}

// Serve answers requests on ln until ctx is cancelled, then shuts down
// gracefully: held polls return at once (with whatever is available),
// running requests get ShutdownTimeout to finish, and idle connections are
// closed as soon as no request is running. It returns nil after a shutdown
// caused by ctx, or the error that stopped serving. Call it once: its
// shutdown closes the queue for good.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.adminOff.Store(s.cfg.AdminToken == "" && !IsLoopback(ln.Addr()))
	to := s.to
	cl := connlimit.New(s.cfg.MaxConns)
	ln = cl.Listener(ln)
	hs := &http.Server{
		Handler:           http.HandlerFunc(s.serveCounted),
		ConnState:         cl.ConnState,
		ReadHeaderTimeout: to.readHeader,
		ReadTimeout:       to.read,
		WriteTimeout:      to.read + s.cfg.Wait + to.writeMargin,
		IdleTimeout:       to.idle,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.q.Close()
		return err
	case <-ctx.Done():
	}
	s.q.Close()
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- hs.Shutdown(sctx) }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		select {
		case err = <-shut:
			break wait
		case <-tick.C:
			// http.Server.Shutdown waits up to 5 s for connections that
			// never sent a request; with no request running, close them.
			if s.active.Load() == 0 {
				hs.Close()
			}
		}
	}
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (s *Server) serveCounted(w http.ResponseWriter, r *http.Request) {
	s.active.Add(1)
	defer s.active.Add(-1)
	s.ServeHTTP(w, r)
}

// Listen binds addr (e.g. "127.0.0.1:0") and serves a new Server for cfg
// on it in the background until Close.
func Listen(addr string, cfg Config) (*Server, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pullevent: listen %s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.ln, s.cancel, s.served = ln, cancel, make(chan error, 1)
	go func() { s.served <- s.Serve(ctx, ln) }()
	return s, nil
}

// Addr is the address a Server from Listen listens on, "" otherwise.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// URL is "http://" + Addr().
func (s *Server) URL() string { return "http://" + s.Addr() }

// Close shuts a Server from Listen down gracefully and waits for it; for
// any Server it releases held polls. It is safe to call more than once.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.q.Close()
		if s.cancel != nil {
			s.cancel()
			s.cerr = <-s.served
		}
	})
	return s.cerr
}

// --- API 3.0 ---

// newRequestID returns a fresh RequestId: a random (version 4) UUID, as
// the real API's.
func newRequestID() string { return uuid.NewString() }

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

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

// Bodies larger than smallBody are read by at most maxLargeBodies
// requests at once, so that the memory held by bodies being read stays
// bounded (about maxLargeBodies times the body limit) however many arrive.
const (
	smallBody      = 64 << 10
	maxLargeBodies = 8
)

// readBody reads r's body, at most limit bytes.
func (s *Server) readBody(r *http.Request, w http.ResponseWriter, limit int64) ([]byte, error) {
	return s.readBodyInto(nil, r, w, limit)
}

// bodyPool holds API 3.0 request body buffers; a buffer that grew past
// maxPooledBody is left to the garbage collector.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledBody = 64 << 10

// readBodyInto appends r's body, at most limit bytes, to dst. A body
// declared larger than limit is refused unread; a large one waits for
// one of maxLargeBodies slots.
func (s *Server) readBodyInto(dst []byte, r *http.Request, w http.ResponseWriter, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return dst, nil
	}
	if r.ContentLength > limit {
		return dst, &http.MaxBytesError{Limit: limit}
	}
	if r.ContentLength < 0 || r.ContentLength > smallBody {
		select {
		case s.bodies <- struct{}{}:
			defer func() { <-s.bodies }()
		case <-r.Context().Done():
			return dst, r.Context().Err()
		}
	}
	if n := int(r.ContentLength); n > 0 && cap(dst)-len(dst) < n+1 {
		dst = append(make([]byte, 0, len(dst)+n+1), dst...)
	}
	rd := http.MaxBytesReader(w, r.Body, limit)
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := rd.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
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

// --- legacy API ---

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
