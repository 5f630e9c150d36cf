package main

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/value"
	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pace"
)

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
	input         string
}

// register defines send's flags on fs, bound to o.
func (o *sendOpts) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.target, "target", "", "receiver URL, user:password@ for Basic authorization (default: an embedded receiver on 127.0.0.1)")
	o.events.register(fs)
	fs.StringVar(&o.input, "input", "", "send these payloads instead of generated events: NDJSON, one JSON body a line, sent as it is (FILE, or - for standard input)")
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
	fs.IntVar(&o.reorderWindow, "reorder-window", sender.DefaultReorderWindow, fmt.Sprintf("most positions a reordered event is held back, 1 to %d (needs --reorder)", sender.MaxReorderWindow))
	fs.Var(&o.malformed, "malformed", "share of events with a broken body: 0 to 1 or 0% to 100%")
	fs.StringSliceVar(&o.malformKinds, "malformed-kinds", nil, "kinds of broken body: truncated, wrong-type, missing-field, unknown-field, not-json (default all; needs --malformed)")
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
	on  sender.RetryOn
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
		cfg.Count, cfg.Duration = sc.Events, sc.Duration
		if sc.HasRate {
			cfg.Profile = sc.Profile // else send's default rate, as for any key left out
		}
		if cfg.Count == 0 && cfg.Duration == 0 {
			cfg.Count = sender.DefaultCount
		}
		cfg.Faults, cfg.Retry, cfg.SignKey = sc.Faults, sc.Retry, sc.SignKey
	}
	return cfg
}

// constantRate is a Profile of one rate for ever; 0 is as fast as possible.
func constantRate(r float64) pace.Profile { return pace.ConstantRate(r) }

// config builds the run's config: the events (scenario and event flags),
// the base they give, then the other flags the user set.
func (o *sendOpts) config(fs *pflag.FlagSet) (sender.Config, error) {
	if o.input == "-" && o.events.scenario == "-" {
		return sender.Config{}, usageErrorf("send: --input - and --scenario - both read standard input: give one of them a file")
	}
	ev, err := o.events.resolve("send", fs)
	if err != nil {
		return sender.Config{}, err
	}
	cfg := sendBase(ev)
	if ev.sc != nil {
		o.scenario = ev.sc.Name
	}
	if fs.Changed("input") {
		if err := applyInput(&cfg, fs, o, o.events.in); err != nil {
			return sender.Config{}, err
		}
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
				return usageErrorf("send: --header %q: %s", kv, sender.Reason(err))
			}
			h.Add(k, v)
		}
		cfg.Headers = h
	}
	if set("sign-key") {
		if err := generator.CheckSignKey(o.signKey); err != nil {
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
	// A fault's detail without the fault (from a flag or the scenario)
	// would be silently ignored.
	if set("malformed-kinds") && cfg.Faults.Malformed == 0 {
		return usageErrorf("send: --malformed-kinds does nothing without --malformed (a share above 0, from the flag or the scenario)")
	}
	if set("reorder-window") && cfg.Faults.Reorder == 0 {
		return usageErrorf("send: --reorder-window does nothing without --reorder (a share above 0, from the flag or the scenario)")
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
