package sender

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/pace"
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
)

// ErrConfig is wrapped by every error Run returns for a bad Config.
var ErrConfig = errors.New("invalid send config")

// Error is the error this package returns for bad input: a Config that
// Run or Validate refuses, a target ParseTarget refuses, a header
// CheckHeader refuses, a journal ReadJournal cannot read, reports Merge
// cannot merge. It reads "<Kind>: <Reason>" and matches Kind (ErrConfig,
// ErrTarget, ErrHeader, ErrJournal or ErrMerge) under errors.Is; a caller
// that words its own message uses Reason, which says what is wrong and
// where.
type Error struct {
	Kind   error  // ErrConfig, ErrTarget, ErrHeader, ErrJournal or ErrMerge
	Reason string // what is wrong, without Kind's words
	Err    error  // the cause, if any (errors.Unwrap gives it)
}

func (e *Error) Error() string        { return e.Kind.Error() + ": " + e.Reason }
func (e *Error) Is(target error) bool { return target == e.Kind }
func (e *Error) Unwrap() error        { return e.Err }

// Reason is what err says is wrong: the Reason of the *Error it wraps,
// or err's whole message when it wraps none.
func Reason(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Reason
	}
	return err.Error()
}

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
	// from Seed with the default mix. When its events belong to files (a
	// generator.Generator with Flows), each file's events reach the
	// receiver in order: an event's first attempt starts only once its
	// file's previous event (in the Shard) has its final state, and the
	// wait counts as lateness (Report.Late, Report.Lateness); an event
	// whose file's previous event is held back for reordering is held
	// back with it. Files still interleave. A duplicate (Faults) goes
	// after its original's final state, and may arrive after its file's
	// next event.
	Source generator.Source
	// Payloads, when set, are the bodies to send instead of events made
	// by Source: event i's body is Payloads[i], sent as it is (a 3.0 body
	// is still signed with SignKey, and faults still apply to it). Count
	// 0 then means all of them, and may not be more. The report and the
	// journal read task ids from the payloads that decode as VOD events.
	Payloads [][]byte
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
	// the send time of the last of Count events; without a Profile, the
	// event no worker took by then is not counted at all, having no send
	// time), and the events in
	// flight finish their attempts: a run ends by the end of its schedule
	// plus one event's delivery (Timeout x Attempts, the waits between
	// attempts and any added delay), or Drain.
	Duration time.Duration
	// Drain bounds the time events still in flight when the schedule ends
	// are given to finish: an attempt still unanswered then is cut short
	// and its event counted Interrupted. 0 means no bound.
	Drain time.Duration
	// Profile is the send rate over time; empty means as fast as the
	// receiver allows (bounded by MaxInFlight). A paced run's workers
	// sleep in the kernel for their send times, at most one per Go
	// processor but one at once, so that one is left to read answers;
	// vodsim send also adds a processor (GOMAXPROCS) and calls
	// ShortSlices, which a program pacing at up to 5,000 events/s on few
	// cores may do too.
	Profile pace.Profile
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
	// now + generator.SignValidity) and Sign = md5(SignKey + T) are added to the
	// body. Up to generator.MaxSignKeyLen letters and digits; 4.0 carries no
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
	r.runCtx = ctx
	// The workers' context: the run's, also ended by the drain bound.
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()

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
	// A paced run's first events find their workers and some connections
	// ready (see warmUp); the clock starts after.
	warm, conns := r.warmCounts()
	for range warm {
		spawn()
	}
	r.warmUp(wctx, conns)
	if warm > 1 {
		warmHeap()
	}

	r.start = time.Now()
	t.start = r.start
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		t.collect(r.results)
	}()

	stats := r.dispatch(ctx, jobs, spawn, warm)
	close(jobs)
	if h := dispatchEndHook.Load(); h != nil {
		(*h)()
	}
	if r.drain > 0 {
		// What is still in flight gets Drain more, then is cut short.
		drained := time.AfterFunc(r.drain, wcancel)
		defer drained.Stop()
	}
	wg.Wait()
	close(r.results)
	<-collected
	end := time.Now()

	// The dispatcher says why the events it did not hand out were not
	// sent: a stop after the schedule's end (while the last events were
	// in flight) does not make them stopped.
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
