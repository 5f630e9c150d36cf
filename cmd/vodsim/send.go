package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/vodsim/vodsim/internal/value"
	"github.com/vodsim/vodsim/sender"
)

func init() {
	register("send", "POST events to a callback receiver at a rate, report what happened", func(io stdio) command { return &sendCmd{io: io} })
}

// DefaultSendRate is send's rate in events per second when neither a flag
// nor a scenario gives one.
const DefaultSendRate = 200

type sendCmd struct{ io stdio }

// sendOpts holds send's flags; only those the user set are applied over
// the base config.
type sendOpts struct {
	target        string
	events        eventFlags
	rate          value.Rate
	count         uint64
	duration      value.Duration
	drain         value.Duration
	scenario      string // the scenario's name, "" without one
	connections   int
	maxInFlight   int
	timeout       value.Duration
	attempts      int
	retryOn       retryFlag
	backoff       value.Duration
	maxBackoff    value.Duration
	headers       []string
	signKey       string
	duplicate     value.Share
	reorder       value.Share
	reorderWindow int
	malformed     value.Share
	malformKinds  []string
	delayMin      value.Duration
	delayMax      value.Duration
	reportJSON    string
	journal       string
	quiet         bool
	insecure      bool
	maxFailed     uint64
	maxP99        value.Duration
	minRate       value.Share
	shard         shardOpts
}

func (c *sendCmd) Run(ctx context.Context, args []string) error {
	var o sendOpts
	fs := newFlagSet(c.io, "send", `
Usage: vodsim send [--target URL] [flags]

POSTs CreateImageSpriteComplete events to a callback receiver as Tencent
Cloud VOD does: one POST per event, Content-Type application/json, a 5 s
timeout, at most 3 attempts, only timeouts retried, the answer's status
otherwise ignored. Events are sent on an open-model schedule: latency is
measured from each event's send time, so a slow receiver cannot hide
behind a slow sender.

Without --target, send starts a receiver of its own on 127.0.0.1 that
answers 200 {} and checks every payload, and the report says what it saw.
A user:password in --target is sent as Basic authorization (a --header
'Authorization: ...' wins), and the report shows the target with the
password masked.

The report goes to stdout (--report-json FILE for machines). Exit status:
0 every event acknowledged and every threshold met; 1 events not
acknowledged (beyond --max-failed) or a threshold breached; 2 bad flags;
130 interrupted (the report and the journal are still complete). The
report names the scenario, the vodsim version and the start time, and
gives each threshold's verdict (pass or FAIL). --min-rate is judged over
the schedule's span: a run whose events' send times span under 1s is too
short to measure a rate and passes it.

Every event ends in one state: acknowledged (answered 2xx), other status
(answered otherwise), failed (no answer: timeout or connection error),
interrupted (an attempt was started, then the run stopped before its
answer: the receiver may have got it) or not sent (no attempt was ever
started; the report says why: run stopped, schedule ended, drain ended).

A run ends when its schedule does (--count events sent, or --duration)
plus the delivery of the events still in flight: at most --timeout x
--attempts, the waits between attempts (--backoff, up to --max-backoff
each) and any --delay-max. An event whose send time has come but that
still waits for an in-flight slot when the schedule ends is not sent
(schedule ended). --drain D cuts the events in flight D after the
schedule's end: they are counted interrupted.

--report-json is written to a temporary file beside FILE and renamed
when complete; a FILE from an earlier run is removed when the run starts.
--journal is written in whole lines, at least every 100 ms, so a killed
run leaves whole lines.

--shard K/N sends one of N interleaved parts of the run: the events
whose index is K modulo N, with the same seed and fault decisions, each
at its send time in the whole run (1/N of the rate of every phase).
--count stays the whole run's count: the N shards together send the
run's events, each once. The report and every journal line name the
shard; 'vodsim report' merges the shards' --report-json files.

The examples with --target expect a receiver on 127.0.0.1:9000, such as
'vodsim receive' running in another terminal.`, `
  vodsim send                                        # 1000 events at 200/s to the embedded receiver
  vodsim send --duration 3s --rate 500
  vodsim send --target http://127.0.0.1:9000/ --count 3000 --rate 1000
  vodsim send --target http://127.0.0.1:9000/ --rate 0 --count 50000 --connections 50
  vodsim send --target http://127.0.0.1:9000/ --retry-on timeout,5xx,429,conn --backoff 200ms --attempts 5
  vodsim send --target http://127.0.0.1:9000/ --header 'Authorization: Bearer t0k3n' --header 'X-Env: ci'
  vodsim send --target http://ci:s3cret@127.0.0.1:9000/   # Basic authorization
  vodsim send --target https://localhost:8443/hook --insecure   # a self-signed certificate
  vodsim send --format v3 --sign-key abc123              # 3.0 bodies with T and Sign
  vodsim send --duplicate 0.05 --reorder 0.1 --malformed 0.01 --delay-max 200ms
  vodsim send --scenario chaos --quiet                   # a built-in scenario's faults and retries
  vodsim send --target http://127.0.0.1:9000/ --journal attempts.ndjson --report-json report.json --quiet
  vodsim send --target http://127.0.0.1:9000/ --duration 60s --rate 100 --max-failed 0 --max-p99 250ms --min-rate 0.99
  vodsim send --target http://127.0.0.1:9000/ --count 4000 --rate 400 --shard 0/4 --report-json shard-0.json`)
	o.register(fs)
	o.events.in = c.io.in
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("send: unexpected argument %q (run 'vodsim send --help')", fs.Arg(0))
	}
	cfg, err := o.config(fs)
	if err != nil {
		return err
	}
	startAt, err := o.shard.apply(&cfg, fs)
	if err != nil {
		return err
	}
	th, err := sendThresholds(fs, &o)
	if err != nil {
		return err
	}
	if th.MinRate > 0 && len(cfg.Profile) == 0 {
		return usageErrorf("send: --min-rate %v needs a rate to compare with: give --rate above 0 or a scenario with a rate (this run sends as fast as possible)", o.minRate)
	}
	if o.journal != "" && o.reportJSON != "" && sameFile(o.journal, o.reportJSON) {
		return usageErrorf("send: --journal and --report-json name the same file %q: give each its own", o.reportJSON)
	}
	cfg.Version = Version()

	// Files first, so a bad path fails before anything is sent; they are
	// emptied (the journal) or removed (the report) only once the run
	// starts, and a usage error found later leaves them as they were.
	keep := false
	var journal *outFile
	var reportFile *reportFile
	if o.journal != "" {
		if journal, err = openOutFile(o.journal); err != nil {
			return usageErrorf("send: --journal: %v", err)
		}
		defer func() {
			if !keep {
				journal.discard()
			}
		}()
		cfg.Journal = journal
	}
	if o.reportJSON != "" && o.reportJSON != "-" {
		if reportFile, err = openReportFile(o.reportJSON); err != nil {
			return usageErrorf("send: --report-json: %v", err)
		}
	}

	// No target: an embedded receiver on loopback.
	var rcv *sender.Receiver
	if cfg.Target == "" {
		// Room for every connection send opens (the cap would otherwise
		// close idle ones between its requests).
		rcv = &sender.Receiver{SignKey: cfg.SignKey, MaxConns: max(sender.DefaultMaxConns, 2*cfg.Connections+16)}
		stop, url, err := serveReceiver(rcv, nil, "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("send: start the embedded receiver: %w", err)
		}
		defer stop()
		cfg.Target = url + "/callback"
	}

	if os.Getenv("GOGC") == "" {
		// Fewer collections keep the pacing steady at high rates in a
		// long run; a small run keeps Go's default and a small heap.
		debug.SetGCPercent(sender.GCPercent(cfg))
	}

	if !o.quiet && isTerminal(c.io.err) {
		cfg.Progress = progressLine(c.io.err)
		defer fmt.Fprint(c.io.err, "\r\033[K")
	}

	configErr := func(err error) error {
		return usageErrorf("send: %s", strings.TrimPrefix(err.Error(), sender.ErrConfig.Error()+": "))
	}
	if err := cfg.Validate(); err != nil {
		return configErr(err)
	}
	// --start-at: a stop while waiting leaves the files as they were.
	if err := waitStart(ctx, startAt); err != nil {
		return err
	}
	// The run starts: no output file may hold an earlier run's.
	keep = true
	if journal != nil {
		defer journal.Close()
		if err := journal.start(); err != nil {
			return fmt.Errorf("send: --journal: %w", err)
		}
	}
	if reportFile != nil {
		if err := reportFile.begin(); err != nil {
			return fmt.Errorf("send: --report-json: %w", err)
		}
	}

	rep, runErr := sender.Run(ctx, cfg)
	if errors.Is(runErr, sender.ErrConfig) {
		return configErr(runErr)
	}
	if rep == nil {
		return fmt.Errorf("send: %w", runErr)
	}
	if cfg.Progress != nil {
		fmt.Fprint(c.io.err, "\r\033[K")
	}
	if rcv != nil {
		st := rcv.Stats()
		rep.Receiver = &st
	}
	rep.Scenario = o.scenario
	var extra []sender.Breach
	if rep.Receiver != nil && !rep.Receiver.AllWellFormed() && rep.Malformed == 0 {
		extra = append(extra, sender.Breach{Name: "well-formed", Message: "the embedded receiver got malformed payloads: " + rep.Receiver.FirstError})
	}
	breaches := rep.Judge(th, extra...)
	write := rep.WriteText
	if o.reportJSON == "-" {
		// The JSON instead of the text, for a pod's log.
		write = rep.WriteJSON
	}
	if err := write(c.io.out); err != nil {
		return fmt.Errorf("send: write report: %w", err)
	}
	if reportFile != nil {
		if err := reportFile.write(rep.WriteJSON); err != nil {
			return fmt.Errorf("send: --report-json: %w", err)
		}
	}
	if journal != nil {
		if err := journal.Close(); err != nil {
			return fmt.Errorf("send: --journal: %w", err)
		}
	}
	if ctx.Err() != nil {
		return errInterrupted
	}
	if runErr != nil {
		return fmt.Errorf("send: %w", runErr)
	}
	if len(breaches) > 0 {
		msgs := make([]string, len(breaches))
		for i, b := range breaches {
			msgs[i] = b.String()
		}
		return fmt.Errorf("%w: %s", errShortfall, strings.Join(msgs, "; "))
	}
	return nil
}

// register defines send's flags on fs, bound to o.
func (o *sendOpts) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.target, "target", "", "receiver URL, user:password@ for Basic authorization (default: an embedded receiver on 127.0.0.1)")
	o.events.register(fs)
	fs.Lookup("seed").Usage = "random seed: the same seed gives byte-identical events, fault decisions and backoff waits"
	o.rate = DefaultSendRate
	fs.Var(&o.rate, "rate", "events per second, or per unit: 50/s, 600/m, 10/h; 0 = as fast as the receiver allows")
	fs.Uint64Var(&o.count, "count", sender.DefaultCount, "number of events (with --duration alone: no limit)")
	fs.Var(&o.duration, "duration", "stop the schedule after this long, e.g. 30s (0 = no limit); events in flight then finish")
	fs.Var(&o.drain, "drain", "give the events in flight when the schedule ends at most this long, then count them interrupted (0 = no bound)")
	fs.IntVar(&o.connections, "connections", sender.DefaultConnections, "keep-alive HTTP/1.1 connections")
	fs.IntVar(&o.maxInFlight, "max-inflight", sender.DefaultMaxInFlight, "most events in delivery at once; more wait and count as late")
	o.timeout = value.Duration(sender.DefaultTimeout)
	fs.Var(&o.timeout, "timeout", "per-attempt timeout, above 0")
	fs.IntVar(&o.attempts, "attempts", sender.DefaultAttempts, fmt.Sprintf("most attempts per event, 1 (never retry) to %d", sender.MaxAttempts))
	o.retryOn.on = sender.RetryTimeout
	fs.Var(&o.retryOn, "retry-on", "what is retried: timeout, 5xx, 429, conn (or connection); comma-separated or repeated")
	fs.Var(&o.backoff, "backoff", "base of exponential backoff with full jitter between attempts (0 = retry at once); Retry-After is honoured")
	o.maxBackoff = value.Duration(sender.DefaultMaxBackoff)
	fs.Var(&o.maxBackoff, "max-backoff", "cap of one wait between attempts, above 0")
	fs.StringArrayVar(&o.headers, "header", nil, "extra request header 'Key: Value' (repeatable; not Content-Type, Content-Length, Host, Transfer-Encoding or Trailer)")
	fs.StringVar(&o.signKey, "sign-key", "", "sign 3.0 bodies: T = now+10m, Sign = md5(key + T) (1 to 32 letters and digits)")
	fs.Var(&o.duplicate, "duplicate", "share of events delivered twice: a fraction 0 to 1 or a percentage like 5%")
	fs.Var(&o.reorder, "reorder", "share of events delivered later than their turn: 0 to 1 or 0% to 100%")
	fs.IntVar(&o.reorderWindow, "reorder-window", sender.DefaultReorderWindow, fmt.Sprintf("most positions a reordered event is held back, 1 to %d", sender.MaxReorderWindow))
	fs.Var(&o.malformed, "malformed", "share of events with a broken body: 0 to 1 or 0% to 100%")
	fs.StringSliceVar(&o.malformKinds, "malformed-kinds", nil, "kinds of broken body: truncated, wrong-type, missing-field, unknown-field, not-json (default all)")
	fs.Var(&o.delayMin, "delay-min", "least delay added before each event")
	fs.Var(&o.delayMax, "delay-max", "most delay added before each event (uniform between min and max)")
	fs.StringVar(&o.reportJSON, "report-json", "", "also write the report as JSON to FILE (- prints it on stdout instead of the text)")
	fs.StringVar(&o.journal, "journal", "", "write one NDJSON line per attempt to FILE")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no live progress line on stderr")
	fs.BoolVar(&o.insecure, "insecure", false, "do not check an https target's certificate (a receiver with a self-signed one)")
	fs.Uint64Var(&o.maxFailed, "max-failed", 0, "events allowed to end unacknowledged before exit 1")
	fs.Var(&o.maxP99, "max-p99", "exit 1 if the latency p99 is above this (0 = no bound)")
	o.shard.register(fs)
	fs.Var(&o.minRate, "min-rate", "exit 1 if the achieved rate is below this share of the target, 0 to 1 or 0% to 100% (needs a rate; a schedule spanning under 1s passes; 0 = no bound)")
}

// retryFlag is --retry-on: a list of retry conditions, comma-separated or
// given in several flags, that replaces the default once given.
type retryFlag struct {
	on  sender.Retry
	set bool
}

func (f *retryFlag) Set(s string) error {
	r, err := sender.ParseRetry(s)
	if err != nil {
		return err
	}
	if !f.set {
		f.on, f.set = 0, true
	}
	f.on |= r
	return nil
}

func (f *retryFlag) String() string { return f.on.String() }
func (f *retryFlag) Type() string   { return "conditions" }

// sendBase is the config that flags override: the scenario's when there
// is one, else the defaults (DefaultCount events at DefaultSendRate).
func sendBase(ev events) sender.Config {
	cfg := sender.Config{
		Source:   ev.source,
		Encoding: ev.enc,
		Seed:     ev.seed,
		Count:    sender.DefaultCount,
		Profile:  constantRate(DefaultSendRate),
	}
	if sc := ev.sc; sc != nil {
		cfg.Count, cfg.Duration, cfg.Profile = sc.Events, sc.Duration, sc.Profile
		if cfg.Count == 0 && cfg.Duration == 0 {
			cfg.Count = sender.DefaultCount
		}
		cfg.Faults, cfg.Retry, cfg.SignKey = sc.Faults, sc.Retry, sc.SignKey
	}
	return cfg
}

// constantRate is a Profile of one rate for ever; 0 is as fast as possible.
func constantRate(r float64) sender.Profile { return sender.ConstantRate(r) }

// config builds the run's config: the events (scenario and event flags),
// the base they give, then the other flags the user set.
func (o *sendOpts) config(fs *pflag.FlagSet) (sender.Config, error) {
	ev, err := o.events.resolve("send", fs)
	if err != nil {
		return sender.Config{}, err
	}
	cfg := sendBase(ev)
	if ev.sc != nil {
		o.scenario = ev.sc.Name
	}
	if err := applySendFlags(&cfg, fs, o); err != nil {
		return sender.Config{}, err
	}
	return cfg, nil
}

// applySendFlags sets on cfg the flags the user gave, and only those.
func applySendFlags(cfg *sender.Config, fs *pflag.FlagSet, o *sendOpts) error {
	set := fs.Changed
	positive := func(name string, d value.Duration) error {
		if d <= 0 {
			return usageErrorf("send: --%s %v: must be longer than 0", name, d)
		}
		return nil
	}
	if set("target") {
		if err := checkTarget(o.target); err != nil {
			return err
		}
		cfg.Target = o.target
	}
	if set("rate") {
		cfg.Profile = constantRate(float64(o.rate))
	}
	if set("duration") {
		// 0 is no limit: the count (given or default) ends the run.
		cfg.Duration = time.Duration(o.duration)
		if !set("count") && o.duration > 0 {
			cfg.Count = 0
		}
	}
	if set("drain") {
		// 0 is no bound, as for --duration; value.Duration refuses a negative.
		cfg.Drain = time.Duration(o.drain)
	}
	if set("count") {
		if o.count == 0 {
			return usageErrorf("send: --count 0: must be at least 1")
		}
		cfg.Count = o.count
	}
	if set("connections") {
		if o.connections < 1 {
			return usageErrorf("send: --connections %d: must be at least 1", o.connections)
		}
		cfg.Connections = o.connections
	}
	if set("max-inflight") {
		if o.maxInFlight < 1 {
			return usageErrorf("send: --max-inflight %d: must be at least 1", o.maxInFlight)
		}
		cfg.MaxInFlight = o.maxInFlight
	}
	if set("timeout") {
		if err := positive("timeout", o.timeout); err != nil {
			return err
		}
		cfg.Retry.Timeout = time.Duration(o.timeout)
	}
	if set("attempts") {
		if err := sender.CheckAttempts(int64(o.attempts)); err != nil {
			return usageErrorf("send: --attempts: %v", err)
		}
		cfg.Retry.Attempts = o.attempts
	}
	if set("retry-on") {
		cfg.Retry.On = o.retryOn.on
	}
	if set("backoff") {
		cfg.Retry.Backoff = time.Duration(o.backoff)
	}
	if set("max-backoff") {
		if err := positive("max-backoff", o.maxBackoff); err != nil {
			return err
		}
		cfg.Retry.MaxBackoff = time.Duration(o.maxBackoff)
	}
	if r := cfg.Retry; (set("backoff") || set("max-backoff")) && r.MaxBackoff > 0 && r.MaxBackoff < r.Backoff {
		return usageErrorf("send: max backoff %v is shorter than backoff %v (the flags or the scenario)", r.MaxBackoff, r.Backoff)
	}
	if set("insecure") {
		cfg.InsecureTLS = o.insecure
	}
	if set("header") {
		h := http.Header{}
		for _, kv := range o.headers {
			k, v, ok := strings.Cut(kv, ":")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return usageErrorf("send: --header %q: want 'Key: Value'", kv)
			}
			v = strings.TrimSpace(v)
			if err := sender.CheckHeader(k, v); err != nil {
				return usageErrorf("send: --header %q: %s", kv, strings.TrimPrefix(err.Error(), sender.ErrHeader.Error()+": "))
			}
			h.Add(k, v)
		}
		cfg.Headers = h
	}
	if set("sign-key") {
		if err := sender.CheckSignKey(o.signKey); err != nil {
			return usageErrorf("send: --sign-key: %v", err)
		}
		cfg.SignKey = o.signKey
	}
	if set("duplicate") {
		cfg.Faults.Duplicate = float64(o.duplicate)
	}
	if set("reorder") {
		cfg.Faults.Reorder = float64(o.reorder)
	}
	if set("reorder-window") {
		if err := sender.CheckReorderWindow(int64(o.reorderWindow)); err != nil {
			return usageErrorf("send: --reorder-window: %v", err)
		}
		cfg.Faults.ReorderWindow = o.reorderWindow
	}
	if set("malformed") {
		cfg.Faults.Malformed = float64(o.malformed)
	}
	if set("malformed-kinds") {
		cfg.Faults.MalformedKinds = nil
		for _, k := range o.malformKinds {
			m, ok := sender.ParseMalformation(strings.TrimSpace(k))
			if !ok {
				return usageErrorf("send: --malformed-kinds: unknown kind %q (want %v)", k, sender.Malformations)
			}
			cfg.Faults.MalformedKinds = append(cfg.Faults.MalformedKinds, m)
		}
	}
	if set("delay-min") {
		cfg.Faults.DelayMin = time.Duration(o.delayMin)
	}
	if set("delay-max") {
		cfg.Faults.DelayMax = time.Duration(o.delayMax)
	}
	if cfg.Faults.DelayMin > 0 && cfg.Faults.DelayMax == 0 {
		cfg.Faults.DelayMax = cfg.Faults.DelayMin
	}
	if cfg.Faults.DelayMax < cfg.Faults.DelayMin {
		return usageErrorf("send: --delay-min %v / --delay-max %v: want min <= max", cfg.Faults.DelayMin, cfg.Faults.DelayMax)
	}
	return nil
}

func sendThresholds(fs *pflag.FlagSet, o *sendOpts) (sender.Thresholds, error) {
	return sender.Thresholds{MaxFailed: o.maxFailed, MaxP99: time.Duration(o.maxP99), MinRate: float64(o.minRate)}, nil
}

// serveReceiver serves rcv on addr, with its connection limits, through h
// when h is not nil (a handler in front of rcv, such as receive's test
// double), and returns a stop function and the base URL.
func serveReceiver(rcv *sender.Receiver, h http.Handler, addr string) (stop func(), url string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	srv, lln := rcv.NewServer(ln)
	if h != nil {
		srv.Handler = h // a handler in front of rcv, e.g. receive's test double
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(lln)
	}()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		<-done
	}
	return stop, "http://" + ln.Addr().String(), nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressLine draws the live progress line: sent, rate, errors, ETA.
func progressLine(w interface{ Write([]byte) (int, error) }) func(sender.Progress) {
	return func(p sender.Progress) {
		rate := 0.0
		if s := p.Elapsed.Seconds(); s > 0 {
			rate = float64(p.Started) / s
		}
		eta := "-"
		if p.Planned > 0 && rate > 0 && p.Started <= p.Planned {
			eta = time.Duration(float64(p.Planned-p.Started) / rate * float64(time.Second)).Round(time.Second).String()
		}
		planned := ""
		if p.Planned > 0 {
			planned = fmt.Sprintf("/%d", p.Planned)
		}
		fmt.Fprintf(w, "\r\033[Ksent %d%s  %.0f/s  done %d  acknowledged %d  errors %d  ETA %s",
			p.Started, planned, rate, p.Done, p.Acknowledged, p.Errors, eta)
	}
}
