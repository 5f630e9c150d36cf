package sender

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/pace"
)

// run is one Run's normalised configuration and shared state.
type run struct {
	target      string
	src         generator.Source
	payloads    [][]byte // nil = events made by src
	enc         generator.Encoding
	seed        int64
	count       uint64 // 0 = unlimited
	duration    time.Duration
	sched       *pace.Schedule // nil = as fast as possible
	inflight    int
	retry       RetryPolicy
	faults      Faults
	kinds       []Malformation
	header      http.Header
	signKey     string
	url         *url.URL
	rt          http.RoundTripper // Config.Transport; nil when fast is used
	fast        *fastClient       // the run's own client
	ownTr       interface{ CloseIdleConnections() }
	planned     uint64 // 0 = not known
	shard       Shard
	progress    func(Progress)
	progressInt time.Duration
	journal     io.Writer
	results     chan result
	start       time.Time
	drain       time.Duration
	pool        *pool
	runCtx      context.Context // the caller's, to tell a stop from the drain's end
	files       *fileGate       // nil: no order per file to keep
	sleepers    chan struct{}   // a token per worker allowed in preciseSleep (see preciseWait)
}

func configErr(format string, a ...any) error {
	return &Error{Kind: ErrConfig, Reason: fmt.Sprintf(format, a...)}
}

func newRun(cfg Config) (*run, error) {
	r := &run{
		enc: cfg.Encoding, seed: cfg.Seed, count: cfg.Count, duration: cfg.Duration,
		inflight: cfg.MaxInFlight, retry: cfg.Retry, faults: cfg.Faults, signKey: cfg.SignKey,
		progress: cfg.Progress, progressInt: cfg.ProgressInterval, journal: cfg.Journal,
	}
	if cfg.Target == "" {
		return nil, configErr("no target URL")
	}
	if err := cfg.Shard.Validate(); err != nil {
		return nil, &Error{Kind: ErrConfig, Reason: err.Error(), Err: err}
	}
	r.shard = cfg.Shard
	u, err := ParseTarget(cfg.Target)
	if err != nil {
		return nil, configErr("target %q: %s", RedactTarget(cfg.Target), Reason(err))
	}
	// The report and every message show the target with its password
	// masked; the userinfo becomes a Basic Authorization header below, as
	// http.Client would send it, and is taken off the URL the requests carry.
	r.target = u.Redacted()
	r.url = u
	if u.User != nil {
		bare := *u
		bare.User = nil
		r.url = &bare
	}
	if r.enc.Format == "" {
		r.enc.Format = generator.DefaultFormat
	}
	if r.enc.Format != generator.FormatV4 && r.enc.Format != generator.FormatV3 {
		return nil, configErr("unknown format %q", r.enc.Format)
	}
	r.src = cfg.Source
	if r.src == nil {
		g, err := generator.New(generator.Config{Seed: cfg.Seed})
		if err != nil {
			return nil, &Error{Kind: ErrConfig, Reason: err.Error()}
		}
		r.src = g
	}
	if cfg.Duration < 0 {
		return nil, configErr("duration %v is negative", cfg.Duration)
	}
	if cfg.Drain < 0 {
		return nil, configErr("drain %v is negative", cfg.Drain)
	}
	r.drain = cfg.Drain
	if cfg.Payloads != nil {
		n := uint64(len(cfg.Payloads))
		if n == 0 {
			return nil, configErr("no payloads to send")
		}
		if r.count > n {
			return nil, configErr("count %d is more than the %d payloads given", r.count, n)
		}
		if r.count == 0 {
			r.count = n
		}
		r.payloads = cfg.Payloads
	}
	if r.count == 0 && r.duration == 0 {
		r.count = DefaultCount
	}
	if r.payloads == nil {
		r.files = newFileGate(r.src, r.shard)
	}
	if len(cfg.Profile) > 0 {
		s, err := pace.NewSchedule(cfg.Profile)
		if err != nil {
			return nil, &Error{Kind: ErrConfig, Reason: err.Error(), Err: err}
		}
		r.sched = s
	}
	switch {
	case cfg.Connections < 0:
		return nil, configErr("connections %d is negative", cfg.Connections)
	case cfg.MaxInFlight < 0:
		return nil, configErr("max in-flight %d is negative", cfg.MaxInFlight)
	}
	if r.inflight == 0 {
		r.inflight = DefaultMaxInFlight
	}
	r.sleepers = newSleepers()
	if err := r.normaliseRetry(); err != nil {
		return nil, err
	}
	if err := r.normaliseFaults(); err != nil {
		return nil, err
	}
	if cfg.SignKey != "" {
		if r.enc.Format != generator.FormatV3 {
			return nil, configErr("a sign key needs the 3.0 format (v3): the 4.0 format carries no signature")
		}
		if err := generator.CheckSignKey(cfg.SignKey); err != nil {
			return nil, &Error{Kind: ErrConfig, Reason: err.Error(), Err: err}
		}
	}
	if r.progressInt <= 0 {
		r.progressInt = DefaultProgressInterval
	}

	// Headers: ours first, the user's over them, Content-Type fixed.
	version := cfg.Version
	if version == "" {
		version = "dev"
	}
	r.header = http.Header{"User-Agent": {"vodsim/" + version}}
	for k, vs := range cfg.Headers {
		for _, v := range vs {
			if err := CheckHeader(k, v); err != nil {
				return nil, &Error{Kind: ErrConfig, Reason: err.Error(), Err: err}
			}
		}
	}
	// Keys that differ only in case ("x-env", "X-Env") are one header:
	// their values are gathered, not the last one's kept. A header given
	// replaces vodsim's default (User-Agent).
	given := make(http.Header, len(cfg.Headers))
	for k, vs := range cfg.Headers {
		ck := http.CanonicalHeaderKey(k)
		given[ck] = append(given[ck], vs...)
	}
	for ck, vs := range given {
		r.header[ck] = vs
	}
	r.header["Content-Type"] = []string{"application/json"}
	if u.User != nil && r.header.Get("Authorization") == "" {
		// As http.Client does: a header the user gave wins.
		pass, _ := u.User.Password()
		r.header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
	}

	conns := cfg.Connections
	if conns == 0 {
		conns = DefaultConnections
	}
	tr := cfg.Transport
	if tr != nil && cfg.InsecureTLS {
		// Ignored, it would leave certificates checked while the caller
		// believes they are not.
		return nil, configErr("InsecureTLS applies to the run's own transport: with a Transport, set its TLS config instead")
	}
	if tr == nil {
		// HTTP/1.1 only, as VOD's callbacks, and the cheapest per event:
		// see fastClient.
		r.fast = newFastClient(r.url, r.header, conns, cfg.InsecureTLS)
		r.ownTr = r.fast
	}
	r.rt = tr
	r.pool = newPool(conns)

	// How many events the run will generate, when that is known.
	switch {
	case r.duration > 0 && r.sched != nil:
		n := r.sched.Due(r.duration - 1)
		if r.count == 0 || n < r.count {
			r.planned = n
		} else {
			r.planned = r.count
		}
	case r.count > 0:
		r.planned = r.count
	}
	r.planned = r.shard.Count(r.planned)
	return r, nil
}

func (r *run) normaliseRetry() error {
	p := &r.retry
	if err := p.Validate(); err != nil {
		return &Error{Kind: ErrConfig, Reason: err.Error(), Err: err}
	}
	*p = p.WithDefaults()
	return nil
}

func (r *run) normaliseFaults() error {
	f := &r.faults
	if err := f.Validate(); err != nil {
		return &Error{Kind: ErrConfig, Reason: err.Error(), Err: err}
	}
	if f.ReorderWindow == 0 {
		f.ReorderWindow = DefaultReorderWindow
	}
	r.kinds = f.MalformedKinds
	if len(r.kinds) == 0 {
		r.kinds = Malformations
	}
	return nil
}
