package sender

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// State is the final state of an event: every event generated ends in
// exactly one of the five below. The zero value "" is none of them.
type State string

// The final states.
const (
	// Acknowledged: an attempt was answered 2xx.
	Acknowledged State = "acknowledged"
	// OtherStatus: the last attempt was answered, with a non-2xx status.
	OtherStatus State = "other-status"
	// Failed: the last attempt timed out or its connection failed.
	Failed State = "failed"
	// Interrupted: an attempt was started and the run stopped (a
	// cancellation, or the end of Config.Drain) before the event got a
	// final answer: cut short during an attempt, or while waiting to
	// retry. The receiver may or may not have got it.
	Interrupted State = "interrupted"
	// NotSent: no attempt was ever started, so the receiver cannot have
	// got the event; the report says why (NotSentReasons).
	NotSent State = "not-sent"
)

// Why an event was not sent: the keys of Report.NotSentReasons and the
// "reason" of its journal line. The final journal line of an interrupted
// event gives ReasonStopped or ReasonDrainEnded too: what cut it short.
const (
	// ReasonStopped: the run was stopped (its context ended) first.
	ReasonStopped = "run stopped"
	// ReasonScheduleEnded: the schedule ended (Duration, or the last
	// event's send time) while the event waited for an in-flight slot,
	// or, without a rate, Duration ended before the rest of Count.
	ReasonScheduleEnded = "schedule ended"
	// ReasonDrainEnded: Config.Drain ended while the event waited out an
	// added delay.
	ReasonDrainEnded = "drain ended"
)

// Error kinds of an attempt that got no answer.
const (
	ErrKindTimeout     = "timeout"     // no answer within the timeout
	ErrKindRefused     = "refused"     // the connection was refused
	ErrKindReset       = "reset"       // the connection was reset
	ErrKindClosed      = "closed"      // the receiver closed the connection without an answer
	ErrKindDNS         = "dns"         // the host name did not resolve
	ErrKindConn        = "conn"        // any other connection or protocol error
	ErrKindInterrupted = "interrupted" // the run was stopped during the attempt
)

// result is one attempt's outcome, sent by a worker to the collector.
type result struct {
	idx       uint64
	taskID    string
	attempt   int // 1-based; 0 for an event stopped before any attempt
	duplicate bool
	intended  time.Time // send time, delay included
	start     time.Time
	service   time.Duration
	status    int           // 0 when no answer
	errKind   string        // "" when answered
	err       error         // why, when errKind is set
	connWait  time.Duration // the attempt's wait for a connection, -1 if none
	outcome   int           // the event's Status: 0 success, else its error code
	notVOD    bool          // a given payload that is not a VOD event: no outcome
	malformed Malformation
	reordered bool
	waited    bool
	delayed   bool
	delay     time.Duration // the added delay, when delayed
	attempted bool          // at least one attempt was made
	final     bool          // the event's (or duplicate's) last attempt
	state     State         // on final results
	reason    string        // why, on a NotSent or Interrupted result
}

// bodyCap is the room made for a payload: most are under 1 KB.
const bodyCap = 1024

// scratchPool holds the rooms payloads are encoded in: with the run's own
// client, the body of the event a worker holds; with Config.Transport,
// where each body is then copied into one of its own size, only while
// encoding. Shared, not one per worker: a run can have MaxInFlight
// workers, most of them idle at a rate.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, bodyCap); return &b }}

// worker delivers events, one at a time.
type worker struct {
	r  *run
	ev generator.Event
	// body is the current event's payload. With Config.Transport, each
	// event gets a new one: a RoundTripper may read a request body after
	// RoundTrip has returned (http.Transport does when an answer comes
	// before the body is sent) and says so only by closing it, which
	// would hide the body from http.Transport as one in memory and cost
	// a write per request. The run's own client is done with a body when
	// its attempt returns: the body is then in room, taken from
	// scratchPool for the event and given back after it (idle).
	body   []byte
	room   *[]byte
	req    *http.Request    // the POST every attempt copies
	answer io.LimitedReader // reads an answer's body, up to maxAnswer
	// ctx is the run's context; with Config.Transport, with a trace that
	// times the current attempt's wait for a connection, from GetConn to
	// GotConn, into getConn and gotConn (zero: not reached), which the
	// run's own client sets itself.
	ctx              context.Context
	getConn, gotConn time.Time
	pw               preciseWait
	// fx is the worker's state for the run's own client; nil when the
	// run sends through Config.Transport.
	fx *fastExchange
}

// maxAnswer is as much of an answer's body as is read (and discarded)
// so that its connection can be reused.
const maxAnswer = 1 << 20

func newWorker(ctx context.Context, r *run) *worker {
	if r.fast != nil {
		// The run's own client: no request, no trace, no per-attempt
		// context; the client reads the run's context once.
		r.fast.watch(ctx)
		w := &worker{r: r, fx: newFastExchange(r.fast), ctx: ctx, pw: preciseWait{sleepers: r.sleepers}}
		w.ev.ReuseRoom() // an event's strings are done with when its body is made
		return w
	}
	req := &http.Request{
		Method: http.MethodPost, URL: r.url, Host: r.url.Host, Header: r.header,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
	w := &worker{r: r, req: req, pw: preciseWait{sleepers: r.sleepers}}
	w.ev.ReuseRoom()
	trace := &httptrace.ClientTrace{
		GetConn: func(string) { w.getConn = time.Now() },
		GotConn: func(httptrace.GotConnInfo) { w.gotConn = time.Now() },
	}
	// Once per worker, not per attempt: an attempt's context derives
	// from this one, and the trace reads only the worker's fields.
	w.ctx = httptrace.WithClientTrace(ctx, trace)
	return w
}

// connWait is how long the attempt that ended at end waited for a
// connection: until it got one, or until it ended without one; -1 when
// it never asked for one.
func (w *worker) connWait(end time.Time) time.Duration {
	switch {
	case w.getConn.IsZero():
		return -1
	case w.gotConn.IsZero():
		return end.Sub(w.getConn)
	}
	return w.gotConn.Sub(w.getConn)
}

// deliver sends event j with its faults and retries and reports every
// attempt on r.results.
func (w *worker) deliver(ctx context.Context, j job) {
	defer w.idle()
	var base result
	duplicate, ok := w.prepare(ctx, j, &base)
	if !ok {
		return
	}
	w.send(ctx, &base)
	w.r.files.finish(j)
	if duplicate && ctx.Err() == nil {
		base.duplicate = true
		base.intended = time.Now()
		w.send(ctx, &base)
	}
}

// prepare readies event j for its first attempt (deliver's first part,
// apart so that its frame is off the stack during the attempts: a
// worker's stack then stays within 4 KB): it makes the body, waits out
// an added delay and the event's file's previous event, then the send
// time. It returns false when the event ended there, its result sent.
func (w *worker) prepare(ctx context.Context, j job, out *result) (duplicate, ok bool) {
	r := w.r
	f := r.decide(j.idx)
	base := result{idx: j.idx, intended: j.intended, malformed: f.malform, reordered: j.reordered, waited: j.waited || j.chained}
	var payload []byte
	if r.payloads != nil {
		// A given payload: its task id and status when it decodes as a
		// VOD event, else none.
		payload = r.payloads[j.idx]
		base.notVOD = !w.decode(payload)
	} else {
		r.src.Fill(&w.ev, j.idx)
	}
	base.taskID = w.ev.TaskID
	base.outcome = w.ev.Status
	if f.delay > 0 {
		base.delayed, base.delay = true, f.delay
		base.intended = j.intended.Add(f.delay)
		r.pool.asleep()
		slept := sleepCtx(ctx, time.Until(base.intended))
		r.pool.awake()
		if !slept {
			base.final, base.state, base.reason = true, NotSent, r.stopReason()
			r.results <- base
			r.files.finish(j)
			return
		}
	}
	if j.after != nil {
		// The file's previous event is not done: wait for it, late.
		select {
		case <-j.after:
		default:
			base.waited = true
			r.pool.asleep()
			select {
			case <-j.after:
			case <-ctx.Done():
			}
			r.pool.awake()
		}
	}
	if ctx.Err() != nil {
		// Handed over as the run stopped: no attempt is started.
		base.final, base.state, base.reason = true, NotSent, r.stopReason()
		r.results <- base
		r.files.finish(j)
		return
	}
	// The run's own client is done with a body when its attempt returns:
	// the body stays in the room for the event. A Config.Transport gets
	// each event's body in its own slice (see worker.body), encoded in the
	// room first.
	sp := scratchPool.Get().(*[]byte)
	room := (*sp)[:0]
	var b []byte
	if payload != nil {
		b = append(room, payload...)
	} else {
		b = r.enc.Append(room, &w.ev)
	}
	if r.signKey != "" {
		b = generator.AppendSignature(b, r.signKey, time.Now().Add(generator.SignValidity).Unix())
	}
	*sp = b[:0]
	if f.malform != "" {
		b = malform(b, f.malform, r.enc, draw(r.seed, saltCut, j.idx))
	}
	if w.fx == nil {
		// The event's own body, sized to it rather than to bodyCap.
		w.body = append([]byte(nil), b...)
		scratchPool.Put(sp)
	} else {
		w.body, w.room = b, sp
	}
	// Handed over before its send time (see earlyLead): wait for it.
	if !w.pw.until(ctx, base.intended, j.spin) {
		base.final, base.state, base.reason = true, NotSent, r.stopReason()
		r.results <- base
		r.files.finish(j)
		return false, false
	}
	*out = base
	return f.duplicate, true
}

// decode sets the worker's event to payload's when it decodes as a VOD
// event, else to none, and says which. (Not in prepare: an event is large, and prepare's
// frame is on a worker's stack whenever it makes an event.)
//
//go:noinline
func (w *worker) decode(payload []byte) bool {
	w.ev.Clear()
	e, _, _, err := generator.Decode(payload)
	if err == nil {
		w.ev = e
	}
	return err == nil
}

// idle lets go of what the worker held for its last event, so that an
// idle worker holds little: its body's room goes back to scratchPool,
// and the event's strings are let go (its SpriteURLs keep their room).
func (w *worker) idle() {
	if w.room != nil {
		scratchPool.Put(w.room)
		w.room = nil
	}
	w.body = nil
	w.ev.Clear()
}

// send makes up to Attempts attempts of the same body, each reported
// as base with the attempt's outcome (base itself is left as it is).
func (w *worker) send(ctx context.Context, base *result) {
	r := w.r
	res := *base
	p := &r.retry
	for attempt := 1; ; attempt++ {
		res.attempt, res.attempted = attempt, true
		res.start = time.Now()
		status, retryAfter, err := w.attempt(ctx)
		end := time.Now()
		res.service = end.Sub(res.start)
		res.connWait = w.connWait(end)
		res.status, res.errKind, res.err = status, "", err
		var cond RetryOn
		switch {
		case err != nil:
			res.errKind = classify(ctx, err)
			switch res.errKind {
			case ErrKindTimeout:
				cond = RetryTimeout
			case ErrKindInterrupted:
			default:
				cond = RetryConnError
			}
		case status == http.StatusTooManyRequests:
			cond = RetryTooMany
		case status >= 500:
			cond = RetryServerError
		}
		retry := cond != 0 && p.On&cond != 0 && attempt < p.Attempts && ctx.Err() == nil
		if !retry {
			res.final = true
			switch {
			case res.errKind == ErrKindInterrupted:
				res.state, res.reason = Interrupted, r.stopReason()
			case res.errKind != "":
				res.state = Failed
			case status >= 200 && status < 300:
				res.state = Acknowledged
			default:
				res.state = OtherStatus
			}
			r.results <- res
			return
		}
		r.results <- res
		if wait := r.backoff(res.idx, attempt, retryAfter); wait > 0 {
			r.pool.asleep()
			slept := sleepCtx(ctx, wait)
			r.pool.awake()
			if !slept {
				// Stopped while waiting to retry: the event ends here,
				// with no further attempt made.
				res.attempt, res.status, res.errKind, res.err = 0, 0, ErrKindInterrupted, nil
				res.final, res.state, res.reason = true, Interrupted, r.stopReason()
				r.results <- res
				return
			}
		}
	}
}

// attempt makes one POST of w.body and returns the answer's status and
// its Retry-After wait, if any.
func (w *worker) attempt(ctx context.Context) (int, time.Duration, error) {
	if w.fx != nil {
		w.getConn, w.gotConn = time.Time{}, time.Time{}
		return w.fx.do(ctx, w.body, w.r.retry.Timeout, &w.getConn, &w.gotConn)
	}
	return w.roundTrip(ctx)
}

// roundTrip is attempt through Config.Transport.
func (w *worker) roundTrip(ctx context.Context) (int, time.Duration, error) {
	r := w.r
	actx, cancel := context.WithTimeout(w.ctx, r.retry.Timeout)
	defer cancel()
	w.getConn, w.gotConn = time.Time{}, time.Time{}
	// A shallow copy of the worker's request with this attempt's context
	// and body; the URL and the header are read-only and shared.
	req := w.req.WithContext(actx)
	req.Body = io.NopCloser(bytes.NewReader(w.body))
	req.ContentLength = int64(len(w.body))
	// The transport directly: a callback sender follows no redirect, and
	// http.Client would copy the header of every request to be ready to.
	resp, err := r.rt.RoundTrip(req)
	if err != nil {
		return 0, 0, err
	}
	w.answer = io.LimitedReader{R: resp.Body, N: maxAnswer}
	_, err = io.Copy(io.Discard, &w.answer)
	w.answer.R = nil
	resp.Body.Close()
	if err != nil {
		// The status line came but the body did not: count the answer.
		// A timeout while reading is still a timeout.
		if classify(ctx, err) == ErrKindTimeout || ctx.Err() != nil {
			return 0, 0, err
		}
	}
	var ra time.Duration
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		ra = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp.StatusCode, ra, nil
}

// backoff is the wait before attempt+1: Retry-After when the answer gave
// one, else exponential backoff with full jitter seeded per event and
// attempt, capped at MaxBackoff.
func (r *run) backoff(idx uint64, attempt int, retryAfter time.Duration) time.Duration {
	p := &r.retry
	if retryAfter > 0 {
		return min(retryAfter, p.MaxBackoff)
	}
	if p.Backoff <= 0 {
		return 0
	}
	ceil := p.Backoff
	for k := 1; k < attempt && ceil < p.MaxBackoff; k++ {
		ceil *= 2
	}
	ceil = min(ceil, p.MaxBackoff)
	return time.Duration(unit(r.seed, saltBackoff^uint64(attempt)<<32, idx) * float64(ceil))
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// classify names why an attempt got no answer.
func classify(ctx context.Context, err error) string {
	var dnsErr *net.DNSError
	switch {
	case ctx.Err() != nil:
		return ErrKindInterrupted
	case errors.Is(err, context.DeadlineExceeded), os.IsTimeout(err):
		return ErrKindTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrKindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return ErrKindReset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ErrKindClosed
	case errors.As(err, &dnsErr):
		return ErrKindDNS
	}
	return ErrKindConn
}

// sleepCtx sleeps for d and reports whether it did (false: ctx ended).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
