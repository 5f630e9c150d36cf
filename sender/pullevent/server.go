package pullevent

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
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
	s.router = s.routes()
	return s, nil
}

// Queue is the queue both APIs serve.
func (s *Server) Queue() *Queue { return s.q }

// Config is the configuration in effect, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

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

// --- legacy API ---
