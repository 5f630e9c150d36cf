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
	rate          float64
	count         uint64
	duration      time.Duration
	connections   int
	maxInFlight   int
	timeout       time.Duration
	attempts      int
	retryOn       []string
	backoff       time.Duration
	maxBackoff    time.Duration
	headers       []string
	signKey       string
	duplicate     float64
	reorder       float64
	reorderWindow int
	malformed     float64
	malformKinds  []string
	delayMin      time.Duration
	delayMax      time.Duration
	reportJSON    string
	journal       string
	quiet         bool
	insecure      bool
	maxFailed     uint64
	maxP99        time.Duration
	minRate       float64
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
130 interrupted (the report and the journal are still complete).

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
  vodsim send --target http://127.0.0.1:9000/ --duration 60s --rate 100 --max-failed 0 --max-p99 250ms --min-rate 0.99`)
	o.register(fs)
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
	// emptied only once the run starts writing, and a usage error found
	// later leaves them as they were.
	keep := false
	var journal, reportFile *outFile
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
	if o.reportJSON != "" {
		if reportFile, err = openOutFile(o.reportJSON); err != nil {
			return usageErrorf("send: --report-json: %v", err)
		}
		defer func() {
			if !keep {
				reportFile.discard()
			}
		}()
	}

	// No target: an embedded receiver on loopback.
	var rcv *sender.Receiver
	if cfg.Target == "" {
		// Room for every connection send opens (the cap would otherwise
		// close idle ones between its requests).
		rcv = &sender.Receiver{SignKey: cfg.SignKey, MaxConns: max(sender.DefaultMaxConns, 2*cfg.Connections+16)}
		stop, url, err := serveReceiver(rcv, "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("send: start the embedded receiver: %w", err)
		}
		defer stop()
		cfg.Target = url + "/callback"
	}

	if os.Getenv("GOGC") == "" {
		// Fewer collections keep the pacing steady at high rates; the
		// heap stays bounded by --max-inflight all the same.
		debug.SetGCPercent(sender.SuggestedGCPercent)
	}

	if !o.quiet && isTerminal(c.io.err) {
		cfg.Progress = progressLine(c.io.err)
		defer fmt.Fprint(c.io.err, "\r\033[K")
	}

	rep, runErr := sender.Run(ctx, cfg)
	if errors.Is(runErr, sender.ErrConfig) {
		return usageErrorf("send: %s", strings.TrimPrefix(runErr.Error(), sender.ErrConfig.Error()+": "))
	}
	if rep == nil {
		return fmt.Errorf("send: %w", runErr)
	}
	keep = true
	if journal != nil {
		defer journal.Close()
	}
	if reportFile != nil {
		defer reportFile.Close()
	}
	if cfg.Progress != nil {
		fmt.Fprint(c.io.err, "\r\033[K")
	}
	if rcv != nil {
		st := rcv.Stats()
		rep.Receiver = &st
	}
	if err := rep.WriteText(c.io.out); err != nil {
		return fmt.Errorf("send: write report: %w", err)
	}
	if reportFile != nil {
		if err := rep.WriteJSON(reportFile); err != nil {
			return fmt.Errorf("send: --report-json: %w", err)
		}
		if err := reportFile.Close(); err != nil {
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
	breaches := rep.Check(th)
	if rep.Receiver != nil && !rep.Receiver.AllWellFormed() && rep.Malformed == 0 {
		breaches = append(breaches, sender.Breach{Name: "well-formed", Message: "the embedded receiver got malformed payloads: " + rep.Receiver.FirstError})
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
	fs.Float64Var(&o.rate, "rate", DefaultSendRate, "events per second; 0 = as fast as the receiver allows")
	fs.Uint64Var(&o.count, "count", sender.DefaultCount, "number of events (with --duration alone: no limit)")
	fs.DurationVar(&o.duration, "duration", 0, "stop the schedule after this long, e.g. 30s (0 = no limit)")
	fs.IntVar(&o.connections, "connections", sender.DefaultConnections, "keep-alive HTTP/1.1 connections")
	fs.IntVar(&o.maxInFlight, "max-inflight", sender.DefaultMaxInFlight, "most events in delivery at once; more wait and count as late")
	fs.DurationVar(&o.timeout, "timeout", sender.DefaultTimeout, "per-attempt timeout")
	fs.IntVar(&o.attempts, "attempts", sender.DefaultAttempts, "most attempts per event")
	fs.StringSliceVar(&o.retryOn, "retry-on", []string{"timeout"}, "what is retried: timeout, 5xx, 429, conn (comma-separated)")
	fs.DurationVar(&o.backoff, "backoff", 0, "base of exponential backoff with full jitter between attempts (0 = retry at once); Retry-After is honoured")
	fs.DurationVar(&o.maxBackoff, "max-backoff", sender.DefaultMaxBackoff, "cap of one wait between attempts")
	fs.StringArrayVar(&o.headers, "header", nil, "extra request header 'Key: Value' (repeatable; not Content-Type, Content-Length, Host, Transfer-Encoding or Trailer)")
	fs.StringVar(&o.signKey, "sign-key", "", "sign 3.0 bodies: T = now+10m, Sign = md5(key + T) (1 to 32 letters and digits)")
	fs.Float64Var(&o.duplicate, "duplicate", 0, "share of events delivered twice, 0 to 1")
	fs.Float64Var(&o.reorder, "reorder", 0, "share of events delivered later than their turn, 0 to 1")
	fs.IntVar(&o.reorderWindow, "reorder-window", sender.DefaultReorderWindow, "most positions a reordered event is held back")
	fs.Float64Var(&o.malformed, "malformed", 0, "share of events with a broken body, 0 to 1")
	fs.StringSliceVar(&o.malformKinds, "malformed-kinds", nil, "kinds of broken body: truncated, wrong-type, missing-field, unknown-field, not-json (default all)")
	fs.DurationVar(&o.delayMin, "delay-min", 0, "least delay added before each event")
	fs.DurationVar(&o.delayMax, "delay-max", 0, "most delay added before each event (uniform between min and max)")
	fs.StringVar(&o.reportJSON, "report-json", "", "also write the report as JSON to FILE")
	fs.StringVar(&o.journal, "journal", "", "write one NDJSON line per attempt to FILE")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no live progress line on stderr")
	fs.BoolVar(&o.insecure, "insecure", false, "do not check an https target's certificate (a receiver with a self-signed one)")
	fs.Uint64Var(&o.maxFailed, "max-failed", 0, "events allowed to end unacknowledged before exit 1")
	fs.DurationVar(&o.maxP99, "max-p99", 0, "exit 1 if the latency p99 is above this (0 = no bound)")
	fs.Float64Var(&o.minRate, "min-rate", 0, "exit 1 if the achieved rate is below this fraction of the target, 0 to 1 (needs a rate)")
}

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
func constantRate(r float64) sender.Profile {
	if r == 0 {
		return nil
	}
	return sender.Profile{{Duration: time.Second, From: r}}
}

// config builds the run's config: the events (scenario and event flags),
// the base they give, then the other flags the user set.
func (o *sendOpts) config(fs *pflag.FlagSet) (sender.Config, error) {
	ev, err := o.events.resolve("send", fs)
	if err != nil {
		return sender.Config{}, err
	}
	cfg := sendBase(ev)
	if err := applySendFlags(&cfg, fs, o); err != nil {
		return sender.Config{}, err
	}
	return cfg, nil
}

// applySendFlags sets on cfg the flags the user gave, and only those.
func applySendFlags(cfg *sender.Config, fs *pflag.FlagSet, o *sendOpts) error {
	set := fs.Changed
	share := func(name string, v float64) error {
		if !(v >= 0 && v <= 1) {
			return usageErrorf("send: --%s %v: must be between 0 and 1", name, v)
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
		if !(o.rate >= 0) || o.rate > 1e7 {
			return usageErrorf("send: --rate %v: must be between 0 (as fast as possible) and 10000000", o.rate)
		}
		cfg.Profile = constantRate(o.rate)
	}
	if set("duration") {
		if o.duration <= 0 {
			return usageErrorf("send: --duration %v: must be > 0", o.duration)
		}
		cfg.Duration = o.duration
		if !set("count") {
			cfg.Count = 0
		}
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
		if o.timeout <= 0 {
			return usageErrorf("send: --timeout %v: must be > 0", o.timeout)
		}
		cfg.Retry.Timeout = o.timeout
	}
	if set("attempts") {
		if o.attempts < 1 {
			return usageErrorf("send: --attempts %d: must be at least 1", o.attempts)
		}
		cfg.Retry.Attempts = o.attempts
	}
	if set("retry-on") {
		on, err := parseRetryOn(o.retryOn)
		if err != nil {
			return err
		}
		cfg.Retry.On = on
	}
	if set("backoff") {
		if o.backoff < 0 {
			return usageErrorf("send: --backoff %v: must be >= 0", o.backoff)
		}
		cfg.Retry.Backoff = o.backoff
	}
	if set("max-backoff") {
		if o.maxBackoff <= 0 {
			return usageErrorf("send: --max-backoff %v: must be > 0", o.maxBackoff)
		}
		cfg.Retry.MaxBackoff = o.maxBackoff
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
		if err := share("duplicate", o.duplicate); err != nil {
			return err
		}
		cfg.Faults.Duplicate = o.duplicate
	}
	if set("reorder") {
		if err := share("reorder", o.reorder); err != nil {
			return err
		}
		cfg.Faults.Reorder = o.reorder
	}
	if set("reorder-window") {
		if o.reorderWindow < 1 {
			return usageErrorf("send: --reorder-window %d: must be at least 1", o.reorderWindow)
		}
		cfg.Faults.ReorderWindow = o.reorderWindow
	}
	if set("malformed") {
		if err := share("malformed", o.malformed); err != nil {
			return err
		}
		cfg.Faults.Malformed = o.malformed
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
		cfg.Faults.DelayMin = o.delayMin
	}
	if set("delay-max") {
		cfg.Faults.DelayMax = o.delayMax
	}
	if cfg.Faults.DelayMin > 0 && cfg.Faults.DelayMax == 0 {
		cfg.Faults.DelayMax = cfg.Faults.DelayMin
	}
	if cfg.Faults.DelayMin < 0 || cfg.Faults.DelayMax < cfg.Faults.DelayMin {
		return usageErrorf("send: --delay-min %v / --delay-max %v: want 0 <= min <= max", cfg.Faults.DelayMin, cfg.Faults.DelayMax)
	}
	return nil
}

func sendThresholds(fs *pflag.FlagSet, o *sendOpts) (sender.Thresholds, error) {
	th := sender.Thresholds{MaxFailed: o.maxFailed, MaxP99: o.maxP99, MinRate: o.minRate}
	if o.maxP99 < 0 {
		return th, usageErrorf("send: --max-p99 %v: must be >= 0", o.maxP99)
	}
	if !(o.minRate >= 0 && o.minRate <= 1) {
		return th, usageErrorf("send: --min-rate %v: must be a fraction between 0 and 1", o.minRate)
	}
	return th, nil
}

// parseRetryOn reads --retry-on's list.
func parseRetryOn(list []string) (sender.Retry, error) {
	var on sender.Retry
	for _, s := range list {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "timeout":
			on |= sender.RetryTimeout
		case "5xx":
			on |= sender.RetryServerError
		case "429":
			on |= sender.RetryTooMany
		case "conn":
			on |= sender.RetryConnError
		default:
			return 0, usageErrorf("send: --retry-on: unknown condition %q (want timeout, 5xx, 429 or conn)", s)
		}
	}
	if on == 0 {
		return 0, usageErrorf("send: --retry-on: give at least one of timeout, 5xx, 429, conn (use --attempts 1 for no retries)")
	}
	return on, nil
}

// serveReceiver serves rcv on addr and returns a stop function and the
// base URL.
func serveReceiver(rcv *sender.Receiver, addr string) (stop func(), url string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	srv, lln := rcv.NewServer(ln)
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

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
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
