package sender

import (
	"bufio"
	"container/heap"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vodsim/vodsim/generator"
	"golang.org/x/net/http/httpguts"
)

// More defaults; each is what a zero Config field means.
const (
	// DefaultConnections is the size of the keep-alive connection pool.
	// Without a rate it also bounds the workers on the wire: on a loopback
	// receiver, 64 delivered as much as 8 to 32 and more than 100
	// (BenchmarkSendDefaults).
	DefaultConnections = 64
	// DefaultMaxInFlight is the most events being delivered at once
	// (attempts, waits between attempts and added delays included).
	DefaultMaxInFlight = 1000
	// DefaultCount is how many events a run sends when neither Count nor
	// Duration is set.
	DefaultCount = 1000
	// DefaultMaxBackoff caps one wait between attempts.
	DefaultMaxBackoff = 30 * time.Second
	// DefaultReorderWindow is how many positions a reordered event can be
	// held back when Faults.ReorderWindow is 0.
	DefaultReorderWindow = 10
	// DefaultProgressInterval is how often Config.Progress is called.
	DefaultProgressInterval = time.Second
	// SuggestedGCPercent is the GOGC a program that mostly sends should
	// use (debug.SetGCPercent): vodsim send does, as do the benchmarks.
	// Run allocates per event; fewer collections keep lateness low at
	// tens of thousands of events per second, and the heap stays bounded
	// by MaxInFlight.
	SuggestedGCPercent = 400
	// SignValidity is how far in the future a 3.0 signature's T lies, as
	// the real service's default.
	SignValidity = 10 * time.Minute
	// MaxSignKeyLen is the longest SignKey the real service accepts.
	MaxSignKeyLen = 32
)

// ErrConfig is wrapped by every error Run returns for a bad Config.
var ErrConfig = errors.New("invalid send config")

// Config says what a run sends, where and how. Only Target is required:
// the zero value of every other field works and says below what it means.
// A Config is read by Run and not kept; it may be reused for another run.
type Config struct {
	// Target is the receiver's URL (http or https). A user:password in
	// it is sent as Basic authorization, as http.Client does (an
	// Authorization in Headers wins), and the report shows the target
	// with the password masked.
	Target string
	// Source makes the events; nil means a generator.Generator built
	// from Seed with the default mix.
	Source generator.Source
	// Encoding is the wire format; the zero value is the seed's 4.0 shape.
	Encoding generator.Encoding
	// Seed seeds the default Source and every per-event fault decision
	// and backoff jitter, so a run is reproducible at any concurrency.
	Seed int64
	// Count is how many events to send; 0 means no limit when Duration
	// is set, else DefaultCount. With a Shard, it is the whole run's count.
	Count uint64
	// Shard, when set, sends only the events of one shard of the run
	// (see Shard); the zero value sends the whole run.
	Shard Shard
	// Duration stops the run's schedule after this long (events whose
	// send time falls later are not generated); 0 means no limit. An
	// event whose send time falls inside it but that is still waiting for
	// an in-flight slot when it ends is not sent (so is one that waits at
	// the send time of the last of Count events), and the events in
	// flight finish their attempts: a run ends by the end of its schedule
	// plus one event's delivery (Timeout x Attempts, the waits between
	// attempts and any added delay), or Drain.
	Duration time.Duration
	// Drain bounds the time events still in flight when the schedule ends
	// are given to finish: an attempt still unanswered then is cut short
	// and its event counted Interrupted. 0 means no bound.
	Drain time.Duration
	// Profile is the send rate over time; empty means as fast as the
	// receiver allows (bounded by MaxInFlight).
	Profile Profile
	// Connections is the keep-alive pool size; 0 means DefaultConnections.
	Connections int
	// MaxInFlight bounds the events in delivery at once, and so memory;
	// an event whose turn comes while the bound is reached waits and is
	// counted late. 0 means DefaultMaxInFlight.
	MaxInFlight int
	// Retry is the retry policy; the zero value is VOD's.
	Retry RetryPolicy
	// Faults are deliberate imperfections; the zero value injects none.
	Faults Faults
	// Headers are added to every request; they may override User-Agent
	// but not the headers vodsim owns (see CheckHeader).
	Headers http.Header
	// SignKey, when set, signs 3.0 callbacks: T (expiry, UNIX seconds,
	// now + SignValidity) and Sign = md5(SignKey + T) are added to the
	// body. Up to MaxSignKeyLen letters and digits; 4.0 carries no
	// signature, so a SignKey with the 4.0 format is an error.
	SignKey string
	// Version goes into the User-Agent "vodsim/<Version>"; "" means "dev".
	Version string
	// Journal, when set, receives one NDJSON line per attempt, and an
	// "attempt":0 line for an event that ended without a further attempt
	// (not sent, or interrupted while waiting to retry; events never
	// handed to a worker as one line per run of indices, with "count"),
	// so its final states add up to the report's. It is written in whole
	// lines, at least every 100 ms, and is complete, flushed, when Run
	// returns, even after a cancellation.
	Journal io.Writer
	// Progress, when set, is called with a snapshot every
	// ProgressInterval while the run lasts, from a single goroutine.
	Progress func(Progress)
	// ProgressInterval is how often Progress is called; 0 means
	// DefaultProgressInterval.
	ProgressInterval time.Duration
	// InsecureTLS skips the check of an https receiver's certificate
	// (for a receiver with a self-signed one); it applies to the run's
	// own transport, so setting it with Transport is a config error.
	InsecureTLS bool
	// Transport sends the requests; nil means a keep-alive pool of
	// Connections HTTP/1.1 connections owned by the run.
	Transport http.RoundTripper
}

// Progress is a snapshot of a run in progress: a plain value, the
// callback's to keep.
type Progress struct {
	// Elapsed is the time since the run started.
	Elapsed time.Duration
	// Planned is the number of events the run will generate, 0 if not
	// known in advance (an unlimited rate bounded by a duration).
	Planned uint64
	// Started is how many events have had their first attempt started.
	Started uint64
	// Done is how many events have reached their final state.
	Done uint64
	// Acknowledged is how many of Done were answered 2xx.
	Acknowledged uint64
	// Errors is how many attempts failed or were answered non-2xx.
	Errors uint64
}

// run is one Run's normalised configuration and shared state.
type run struct {
	target      string
	src         generator.Source
	enc         generator.Encoding
	seed        int64
	count       uint64 // 0 = unlimited
	duration    time.Duration
	sched       *schedule // nil = as fast as possible
	inflight    int
	retry       RetryPolicy
	faults      Faults
	kinds       []Malformation
	header      http.Header
	signKey     string
	url         *url.URL
	rt          http.RoundTripper
	ownTr       *http.Transport
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
}

func configErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, a...))
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
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	r.shard = cfg.Shard
	u, err := ParseTarget(cfg.Target)
	if err != nil {
		return nil, configErr("target %q: %s", RedactTarget(cfg.Target), strings.TrimPrefix(err.Error(), ErrTarget.Error()+": "))
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
			return nil, fmt.Errorf("%w: %v", ErrConfig, err)
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
	if r.count == 0 && r.duration == 0 {
		r.count = DefaultCount
	}
	if len(cfg.Profile) > 0 {
		s, err := newSchedule(cfg.Profile)
		if err != nil {
			return nil, err
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
		if err := CheckSignKey(cfg.SignKey); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
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
				return nil, fmt.Errorf("%w: %w", ErrConfig, err)
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
		r.ownTr = &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: r.retry.Timeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
			ForceAttemptHTTP2:   false,
			// HTTP/1.1 only, as VOD's callbacks: no HTTP/2 over TLS either.
			TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{},
			TLSHandshakeTimeout: r.retry.Timeout,
		}
		if cfg.InsecureTLS {
			r.ownTr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		}
		tr = r.ownTr
	}
	r.rt = tr
	r.pool = newPool(conns)

	// How many events the run will generate, when that is known.
	switch {
	case r.duration > 0 && r.sched != nil:
		n := r.sched.countBefore(r.duration)
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
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	*p = p.WithDefaults()
	return nil
}

func (r *run) normaliseFaults() error {
	f := &r.faults
	if err := f.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
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

// RedactTarget returns target with the password of its userinfo, if any,
// replaced by "xxxxx" as url.URL.Redacted does, whether or not target
// parses as an http URL: "ci:s3cret@host/" (no scheme) parses with the
// password in its opaque part, which Redacted leaves as it is, and a
// target that does not parse has no URL to redact.
func RedactTarget(target string) string {
	if u, err := url.Parse(target); err == nil && u.Opaque == "" {
		return u.Redacted()
	}
	pre, rest := "", target
	if i := strings.Index(target, "://"); i >= 0 {
		pre, rest = target[:i+3], target[i+3:]
	}
	auth := rest
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		auth = rest[:end]
	}
	at := strings.LastIndexByte(auth, '@')
	if at < 0 {
		return target
	}
	colon := strings.IndexByte(auth[:at], ':')
	if colon < 0 {
		return target
	}
	return pre + auth[:colon+1] + "xxxxx" + rest[at:]
}

// ErrHeader is wrapped by CheckHeader's errors.
var ErrHeader = errors.New("bad header")

// ownedHeaders are set by vodsim (or the transport) on every request.
var ownedHeaders = []string{"Content-Type", "Content-Length", "Host", "Transfer-Encoding", "Trailer"}

// CheckHeader says whether a request may carry the header name: value as
// one of Config.Headers: the name must be an HTTP token and the value hold
// no control character but tab (as net/http checks them), and the name
// must not be one of the headers vodsim sets itself: Content-Type,
// Content-Length, Host, Transfer-Encoding and Trailer. Its error wraps
// ErrHeader.
func CheckHeader(name, value string) error {
	if name == "" {
		return fmt.Errorf("%w: empty name", ErrHeader)
	}
	for i := 0; i < len(name); i++ {
		if !httpguts.IsTokenRune(rune(name[i])) {
			return fmt.Errorf("%w: name %q: character %q at %d is not allowed in a header name", ErrHeader, name, name[i], i+1)
		}
	}
	for _, o := range ownedHeaders {
		if strings.EqualFold(name, o) {
			return fmt.Errorf("%w: %s is set by vodsim and cannot be given", ErrHeader, o)
		}
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Errorf("%w: %s: control character %q at %d is not allowed in a header value", ErrHeader, name, c, i+1)
		}
	}
	return nil
}

// job is one event handed to a worker.
type job struct {
	idx       uint64
	intended  time.Time // the schedule's send time (delay included by the worker)
	waited    bool      // the event waited for an in-flight slot
	reordered bool
	spin      time.Duration // the most the worker may spin for intended
}

// Run sends events to cfg.Target until Count or Duration is reached or
// ctx is cancelled, and returns the report of what happened to every
// event. A cancelled run returns its complete report together with
// ctx.Err(); a bad Config returns an error wrapping ErrConfig and no
// report. Run is safe to call from several goroutines at once with
// separate Configs; the Source is shared read-only.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	r, err := newRun(cfg)
	if err != nil {
		return nil, err
	}
	if r.ownTr != nil {
		defer r.ownTr.CloseIdleConnections()
	}
	var jw *bufio.Writer
	if r.journal != nil {
		jw = bufio.NewWriterSize(r.journal, journalBuffer)
	}
	t := newTally(r, jw)

	r.results = make(chan result, 1024)
	jobs := make(chan job)
	r.start = time.Now()
	t.start = r.start
	r.runCtx = ctx
	// The workers' context: the run's, also ended by the drain bound.
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()

	collected := make(chan struct{})
	go func() {
		defer close(collected)
		t.collect(r.results)
	}()

	// Workers start on demand, up to MaxInFlight: their number follows
	// the concurrency the receiver needs, not the bound.
	var wg sync.WaitGroup
	spawn := func() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(wctx, r)
			for j := range jobs {
				w.deliver(wctx, j)
				r.pool.done()
			}
		}()
	}

	stats := r.dispatch(ctx, jobs, spawn)
	close(jobs)
	if r.drain > 0 {
		// What is still in flight gets Drain more, then is cut short.
		drained := time.AfterFunc(r.drain, wcancel)
		defer drained.Stop()
	}
	wg.Wait()
	close(r.results)
	<-collected
	end := time.Now()

	if ctx.Err() != nil {
		stats.reason = ReasonStopped
	}
	rep := t.report(end, stats)
	rep.Version, rep.Start = cfg.Version, r.start
	rep.Shard = r.shard.String()
	if rep.Version == "" {
		rep.Version = "dev"
	}
	var jerr error
	if jw != nil {
		jerr = jw.Flush()
	}
	if err := ctx.Err(); err != nil {
		rep.Interrupted = true
		return rep, err
	}
	if jerr != nil {
		return rep, fmt.Errorf("write journal: %w", jerr)
	}
	if t.journalErr != nil {
		return rep, fmt.Errorf("write journal: %w", t.journalErr)
	}
	return rep, nil
}

// Validate returns the error Run would return for cfg before sending
// anything (one wrapping ErrConfig), or nil: a caller can check a config
// before it removes the output of an earlier run.
func (cfg Config) Validate() error {
	r, err := newRun(cfg)
	if err == nil && r.ownTr != nil {
		r.ownTr.CloseIdleConnections()
	}
	return err
}

// stopReason is why an event that the workers' context stopped before
// its first attempt was not sent: the run was stopped, or the drain ended.
func (r *run) stopReason() string {
	if r.runCtx.Err() != nil {
		return ReasonStopped
	}
	return ReasonDrainEnded
}

// scheduleEnd is when the run's schedule ends, zero if it has none (a
// count sent as fast as possible): Duration after the start, or the send
// time of the last of Count events. An event still waiting for an
// in-flight slot then is not sent.
func (r *run) scheduleEnd() time.Time {
	switch {
	case r.duration > 0:
		return r.start.Add(r.duration)
	case r.sched != nil && r.count > 0:
		if n := r.shard.Count(r.count); n > 0 {
			return r.start.Add(r.sched.at(r.shard.index(n - 1)))
		}
		return r.start
	}
	return time.Time{}
}

// dispatchStats is what the dispatcher knows at the end.
type dispatchStats struct {
	generated uint64 // events taken from the source
	// intended send times of the first and last event dispatched, to
	// compute the rate the schedule asked for.
	firstIntended, lastIntended time.Time
	dispatched                  uint64
	// reason is why the events not dispatched were not sent.
	reason string
}

// dispatch walks the schedule: it waits for each event's send time and
// hands the event to a worker, holding back the events chosen for
// reordering. It returns when the schedule ends or ctx is cancelled.
func (r *run) dispatch(ctx context.Context, jobs chan<- job, spawn func()) dispatchStats {
	var st dispatchStats
	workers := 0
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var held heldQueue
	var prevOff time.Duration
	done := ctx.Done()
	// ended is closed at the schedule's end: an event still waiting for
	// an in-flight slot then is not sent, so that the run ends by the end
	// of the schedule plus one event's delivery.
	var ended chan struct{}
	if at := r.scheduleEnd(); !at.IsZero() {
		ended = make(chan struct{})
		endT := time.AfterFunc(time.Until(at), func() { close(ended) })
		defer endT.Stop()
	}
	st.reason = ReasonStopped

	send := func(j job) bool {
		for {
			select {
			case jobs <- j:
			default:
				wait := done
				// Without a rate, a worker beyond the connections only
				// queues for one (see pool).
				capped := r.sched == nil && r.pool.full()
				switch {
				case workers < r.inflight && !capped:
					// No idle worker: start one; it takes this job.
					spawn()
					workers++
				case workers < r.inflight:
					// Every connection busy: the next idle worker takes
					// the job, unless one goes to sleep first.
					select {
					case jobs <- j:
					case <-r.pool.wake:
						continue
					case <-wait:
						return false
					case <-ended:
						st.reason = ReasonScheduleEnded
						return false
					}
					goto handed
				default:
					j.waited = true
				}
				var end chan struct{}
				if j.waited {
					end = ended
				}
				select {
				case jobs <- j:
				case <-wait:
					return false
				case <-end:
					st.reason = ReasonScheduleEnded
					return false
				}
			}
		handed:
			r.pool.handed()
			if st.dispatched == 0 {
				st.firstIntended = j.intended
			}
			st.lastIntended = j.intended
			st.dispatched++
			return true
		}
	}

	// k walks the whole run's indices; a shard takes every N-th.
	for k := r.shard.first(); ; k += r.shard.step() {
		if r.count > 0 && k >= r.count {
			break
		}
		var when time.Time
		var spin time.Duration
		if r.sched != nil {
			off := r.sched.at(k)
			if r.duration > 0 && off >= r.duration {
				break
			}
			when = r.start.Add(off)
			// At low rates the event goes to its worker a little early,
			// and the worker waits for the send time (preciseWait).
			var lead time.Duration
			lead, spin = handLead(off - prevOff)
			hand := when.Add(-lead)
			prevOff = off
			if !waitUntil(ctx, timer, hand) {
				return st
			}
		} else {
			when = time.Now()
			if r.duration > 0 && when.Sub(r.start) >= r.duration {
				break
			}
		}
		if ctx.Err() != nil {
			return st
		}
		// Held-back events whose new turn has come go first.
		for held.Len() > 0 && held.peek().release <= k {
			h := held.pop()
			if !send(job{idx: h.idx, intended: when, reordered: true, spin: spin}) {
				return st
			}
		}
		st.generated++
		if r.faults.Reorder > 0 && unit(r.seed, saltReorder, k) < r.faults.Reorder {
			d := 1 + mix(r.seed, saltReorderBy, k)%uint64(r.faults.ReorderWindow)
			held.push(heldEvent{release: k + d, idx: k})
			continue
		}
		if !send(job{idx: k, intended: when, spin: spin}) {
			return st
		}
	}
	// The schedule ended: what is still held goes now, in order.
	for held.Len() > 0 {
		h := held.pop()
		if !send(job{idx: h.idx, intended: time.Now(), reordered: true}) {
			return st
		}
	}
	return st
}

// waitUntil returns at when (true), or when ctx ends first (false).
//
// Go's timers sleep in the poller, which on Linux has a resolution of a
// millisecond (epoll_wait): a timer fires up to 1 ms after its time, so
// at low rates every event would start that late, and the lateness would
// be counted in the receiver's latency. So a long wait sleeps on the
// timer until coarseBelow before when, and in preciseSleep (a nanosleep
// where the system has one) for the rest.
func waitUntil(ctx context.Context, timer *time.Timer, when time.Time) bool {
	d := time.Until(when)
	if d <= 0 {
		return ctx.Err() == nil
	}
	if coarseBelow == 0 || d <= 2*coarseBelow {
		// Short waits (high rates): the processors are busy and check
		// timers often; blocking a thread would stall the workers.
		timer.Reset(d)
		select {
		case <-timer.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	timer.Reset(d - coarseBelow)
	select {
	case <-timer.C:
	case <-ctx.Done():
		return false
	}
	if d = time.Until(when); d > 0 {
		preciseSleep(d)
	}
	return ctx.Err() == nil
}

// heldEvent is an event held back for reordering until position release.
type heldEvent struct{ release, idx uint64 }

// heldQueue is a min-heap (container/heap) of held events by release
// position (then index).
type heldQueue []heldEvent

func (q heldQueue) Len() int        { return len(q) }
func (q heldQueue) peek() heldEvent { return q[0] }
func (q heldQueue) Less(a, b int) bool {
	if q[a].release != q[b].release {
		return q[a].release < q[b].release
	}
	return q[a].idx < q[b].idx
}
func (q heldQueue) Swap(a, b int) { q[a], q[b] = q[b], q[a] }
func (q *heldQueue) Push(x any)   { *q = append(*q, x.(heldEvent)) }
func (q *heldQueue) Pop() any {
	h := *q
	e := h[len(h)-1]
	*q = h[:len(h)-1]
	return e
}

func (q *heldQueue) push(e heldEvent) { heap.Push(q, e) }
func (q *heldQueue) pop() heldEvent   { return heap.Pop(q).(heldEvent) }

// durationSeconds converts a float number of seconds to a Duration,
// saturating instead of overflowing.
func durationSeconds(s float64) time.Duration {
	if s >= float64(math.MaxInt64)/1e9 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * 1e9)
}
