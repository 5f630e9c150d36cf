package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/vodsim/vodsim/internal/value"
	"github.com/vodsim/vodsim/scenarios"
	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/pace"
	"github.com/vodsim/vodsim/sender/pullevent"
)

func init() {
	register("serve", "serve the fake PullEvent APIs (legacy and API 3.0) over a queue of events", func(io stdio) command { return &serveCmd{io: io} })
}

// Defaults of vodsim serve.
const (
	// DefaultServeListen is where serve listens: loopback only.
	DefaultServeListen = "127.0.0.1:9090"
	// DefaultServeFill is how many events are queued at start.
	DefaultServeFill = 100
)

type serveCmd struct{ io stdio }

// serveConfig is everything serve runs with. It is built from a base (the
// defaults) and then from the flags the user set, so that a base from
// elsewhere keeps every value the user did not override.
type serveConfig struct {
	listen  string
	events  events
	fill    uint64       // events queued at start
	profile pace.Profile // arrival rate of further events; empty: none
	count   uint64       // further events; 0: no end
	server  pullevent.Config
	// state is the state file ("": none); stateSync fsyncs each confirm.
	state     string
	stateSync bool
}

// serveBase is the config that flags override. Without a scenario:
// DefaultServeFill events queued at start and none arriving later. A
// scenario with a rate starts empty and its events arrive at that rate; one
// without a rate has all its events queued at start.
func serveBase(ev events) serveConfig {
	cfg := serveConfig{listen: DefaultServeListen, events: ev, fill: DefaultServeFill}
	cfg.server.Legacy = ev.enc
	cfg.server.Wait = pullevent.DefaultWait
	if sc := ev.sc; sc != nil {
		if len(sc.Profile) > 0 {
			cfg.fill, cfg.profile, cfg.count = 0, sc.Profile, sc.Events
		} else if sc.Events > 0 {
			cfg.fill = sc.Events
		}
	}
	return cfg
}

type serveOpts struct {
	listen        string
	events        eventFlags
	fill          uint64
	rate          value.Rate
	count         uint64
	secretID      string
	secretKey     string
	noAuth        bool
	confirmWindow value.Duration
	wait          value.Duration
	maxEvents     int
	retention     value.Duration
	requestLimit  value.Rate
	adminToken    string
	maxConns      int
	maxQueue      int
	rejectReplays bool
	state         string
	stateSync     bool
}

func (c *serveCmd) Run(ctx context.Context, args []string) error {
	var o serveOpts
	fs := newFlagSet(c.io, "serve", `
Usage: vodsim serve [flags]

Serves a local stand-in for VOD's reliable event notification, both
generations of the API over one queue of events (CreateImageSpriteComplete
unless --event-type or a scenario names other types; the legacy API gives
a type VOD sends only in 3.0 in its 3.0 body):
  API 3.0   POST /  with X-TC-Action PullEvents, ConfirmEvents or
            DescribeEventsState (the count waiting to be pulled), version
            2018-07-17, signed with TC3-HMAC-SHA256; or GET / and POST /
            (form) with Action, Version and the rest as parameters, signed
            with HmacSHA1 or HmacSHA256. Tested unchanged with every sign
            method: Tencent's Go SDK (common client) and Node SDK
            (tencentcloud-sdk-nodejs-vod); point the endpoint at the listen
            address, scheme HTTP. A TC3 scope service of "vod" or the
            endpoint's first label ("127"), and a signed host with or
            without the port, are accepted, as Tencent's SDKs sign them
  legacy    GET or POST /v2/index.php?Action=PullEvent or ConfirmEvent
            (msgHandle.0=... or msgHandle_0=...), signed with HmacSHA1 or
            HmacSHA256 over the request's host or vod.api.qcloud.com, a
            msgHandle_N signed as sent or as msgHandle.N (Tencent's legacy
            Node SDK, qcloudapi-sdk, tested unchanged)
  admin     GET /_vodsim/stats, GET /_vodsim/events (peek), POST
            /_vodsim/events (inject JSON or NDJSON, 4.0 or 3.0), POST
            /_vodsim/reset; another method is a 405 naming the allowed ones

The queue behaves as the real one: FIFO, at most --max-events a pull, an
event not confirmed within --confirm-window comes back under a new handle,
an empty pull is held up to --wait. The first line printed is
"vodsim: listening on http://ADDR". Ctrl-C stops it gracefully (held polls
return at once) and exits 0.

Without --scenario, --fill events (100) are queued at start and no more
arrive unless --rate is given. With --scenario, its events are served: a
scenario with a rate starts empty and its events arrive at that rate (its
event count, if any, in all); one without a rate has all its events queued
at start. --fill, --rate and --count override either. A scenario's
delivery faults, retry policy and signKey are for push delivery (vodsim
send): serve says so on stderr and ignores them.

On a loopback --listen address the admin API is open; on any other it is
off (401) unless --admin-token is given, and serve warns on stderr that it
listens beyond the loopback. --state FILE keeps the queue across a crash
(kill -9): restarted with the same flags, no confirmed event comes back and
in-flight ones come back after their window (other events than FILE's, from
another seed, event types or scenario, are refused).`, `
  vodsim serve                                  # 100 events, default key pair
  vodsim serve --listen 127.0.0.1:0             # any free port (printed)
  vodsim serve --fill 0 --rate 5 --count 1000   # 5 events a second, 1000 in all
  vodsim serve --no-auth --confirm-window 5s    # no signatures; quick redelivery
  vodsim serve --secret-id AKIDmine --secret-key mykey --seed 7
  vodsim serve --scenario failures --fill 50    # 50 failures waiting at start
  vodsim serve --scenario seed-examples         # the seed document's two payloads
  vodsim serve --request-limit 100              # the real API's 100 calls a second
  vodsim serve --state queue.state              # survives kill -9; restart with the same flags
  vodsim serve --listen 0.0.0.0:9090 --admin-token "$TOKEN"   # reachable by a team`)
	fs.StringVar(&o.listen, "listen", DefaultServeListen, "address to listen on")
	o.events.registerSource(fs)
	o.events.in = c.io.in
	o.events.registerV4Options(fs)
	fs.Uint64Var(&o.fill, "fill", DefaultServeFill, "events queued at start")
	fs.Var(&o.rate, "rate", "events per second arriving after the start, or per unit: 5/s, 300/m (0: none)")
	fs.Uint64Var(&o.count, "count", 0, "how many events arrive at --rate (0: no end)")
	fs.StringVar(&o.secretID, "secret-id", pullevent.DefaultSecretID, "the accepted SecretId")
	fs.StringVar(&o.secretKey, "secret-key", pullevent.DefaultSecretKey, "the accepted SecretKey")
	fs.StringVar(&o.adminToken, "admin-token", "", "require Authorization: Bearer TOKEN on the admin API (without one, the admin API is off unless --listen is a loopback address)")
	fs.IntVar(&o.maxConns, "max-conns", pullevent.DefaultMaxConns, "connections held open at once; at the cap the longest-idle one is closed to make room, or a new one waits while all are busy")
	fs.IntVar(&o.maxQueue, "max-queue", pullevent.DefaultMaxQueue, "most events held, waiting or in flight; an inject past it is refused (429), a larger --fill is an error")
	fs.BoolVar(&o.rejectReplays, "reject-replays", false, "refuse an API 3.0 request sent again as is within its 5-minute window (vodsim's own check; the legacy API always refuses a repeated Nonce, code 4500)")
	fs.StringVar(&o.state, "state", "", "keep the queue in FILE so that it survives a crash; --fill and the scenario fill it only when FILE is new")
	fs.BoolVar(&o.stateSync, "state-sync", false, "with --state, fsync each confirm before answering it (survives a power loss too; slower)")
	fs.BoolVar(&o.noAuth, "no-auth", false, "accept requests without checking signatures and timestamps")
	o.confirmWindow = value.Duration(pullevent.DefaultConfirmWindow)
	fs.Var(&o.confirmWindow, "confirm-window", "time to confirm a pulled event before it is delivered again, above 0")
	o.wait = value.Duration(pullevent.DefaultWait)
	fs.Var(&o.wait, "wait", "how long an empty pull is held open (0: answer at once)")
	fs.IntVar(&o.maxEvents, "max-events", pullevent.DefaultMaxEvents, "most events one pull returns, 1 to 16")
	o.retention = value.Duration(pullevent.DefaultRetention)
	fs.Var(&o.retention, "retention", "how long an unconfirmed event is kept, above 0")
	fs.Var(&o.requestLimit, "request-limit", "API 3.0 requests a second per action before RequestLimitExceeded, or per unit: 100/s (the real API's is 100; 0: no limit)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("serve: unexpected argument %q (run 'vodsim serve --help')", fs.Arg(0))
	}
	ev, err := o.events.resolve("serve", fs)
	if err != nil {
		return err
	}
	if sc := ev.sc; sc != nil {
		for i := range sc.Replay {
			if err := pullevent.Servable(sc.Replay[i]); err != nil {
				return usageErrorf("serve: scenario %s: replay %d: %v (replay a v3- fixture)", sc.Name, i+1, err)
			}
		}
	}
	cfg, err := o.apply(fs, serveBase(ev))
	if err != nil {
		return err
	}
	if ignored := pushOnly(ev.sc); len(ignored) > 0 {
		fmt.Fprintf(c.io.err, "vodsim: serve: scenario %q sets %s, which only push delivery (vodsim send) uses: serve ignores them\n",
			ev.sc.Name, strings.Join(ignored, " and "))
	}
	return runServe(ctx, c.io, cfg)
}

// apply returns base with the flags the user set applied, checked.
func (o *serveOpts) apply(fs *pflag.FlagSet, base serveConfig) (serveConfig, error) {
	cfg := base
	set := fs.Changed
	if set("listen") {
		if _, _, err := net.SplitHostPort(o.listen); err != nil {
			return cfg, usageErrorf("serve: --listen %q: want host:port, e.g. 127.0.0.1:9090 (%v)", o.listen, err)
		}
		cfg.listen = o.listen
	}
	if set("fill") {
		cfg.fill = o.fill
	}
	if set("rate") {
		if o.rate == 0 {
			cfg.profile = nil
		} else {
			cfg.profile = pace.Profile{{Duration: time.Hour, From: float64(o.rate)}}
		}
	}
	if set("count") {
		cfg.count = o.count
	}
	if set("secret-id") {
		if strings.TrimSpace(o.secretID) == "" {
			return cfg, usageErrorf("serve: --secret-id is empty")
		}
		cfg.server.SecretID = o.secretID
	}
	if set("secret-key") {
		if o.secretKey == "" {
			return cfg, usageErrorf("serve: --secret-key is empty")
		}
		cfg.server.SecretKey = o.secretKey
	}
	if set("admin-token") {
		if strings.TrimSpace(o.adminToken) == "" {
			return cfg, usageErrorf("serve: --admin-token is empty")
		}
		cfg.server.AdminToken = o.adminToken
	}
	if set("max-conns") {
		if o.maxConns < 1 {
			return cfg, usageErrorf("serve: --max-conns %d: must be at least 1", o.maxConns)
		}
		cfg.server.MaxConns = o.maxConns
	}
	if set("max-queue") {
		if o.maxQueue < 1 {
			return cfg, usageErrorf("serve: --max-queue %d: must be at least 1", o.maxQueue)
		}
		cfg.server.MaxQueue = o.maxQueue
	}
	if set("state") {
		if o.state == "" {
			return cfg, usageErrorf("serve: --state is empty")
		}
		cfg.state = o.state
	}
	if set("state-sync") {
		if cfg.state == "" {
			return cfg, usageErrorf("serve: --state-sync needs --state FILE")
		}
		cfg.stateSync = o.stateSync
	}
	if set("reject-replays") {
		cfg.server.RejectReplays = o.rejectReplays
	}
	if set("no-auth") {
		cfg.server.NoAuth = o.noAuth
	}
	// Flags that would be taken and do nothing.
	if set("count") && o.count > 0 && len(cfg.profile) == 0 {
		return cfg, usageErrorf("serve: --count %d counts the events arriving at a rate: give --rate (or a scenario with one); without, --fill says how many are queued", o.count)
	}
	if o.noAuth && (set("secret-key") || set("secret-id")) {
		return cfg, usageErrorf("serve: --no-auth checks no signature: --secret-id and --secret-key would not be used; give one or the other")
	}
	if set("confirm-window") {
		if o.confirmWindow <= 0 {
			return cfg, usageErrorf("serve: --confirm-window %v: must be longer than 0", o.confirmWindow)
		}
		cfg.server.ConfirmWindow = time.Duration(o.confirmWindow)
	}
	if set("wait") {
		cfg.server.Wait = time.Duration(o.wait) // 0: answer at once
	}
	if set("max-events") {
		if o.maxEvents < 1 || o.maxEvents > pullevent.DefaultMaxEvents {
			return cfg, usageErrorf("serve: --max-events %d: must be 1 to %d", o.maxEvents, pullevent.DefaultMaxEvents)
		}
		cfg.server.MaxEvents = o.maxEvents
	}
	if set("retention") {
		if o.retention <= 0 {
			return cfg, usageErrorf("serve: --retention %v: must be longer than 0", o.retention)
		}
		cfg.server.Retention = time.Duration(o.retention)
	}
	if set("request-limit") {
		cfg.server.RequestLimit = float64(o.requestLimit)
	}
	if maxQ := cmp.Or(cfg.server.MaxQueue, pullevent.DefaultMaxQueue); cfg.fill > uint64(maxQ) {
		what := "--fill"
		if !set("fill") && cfg.events.sc != nil {
			what = "the scenario's event count"
		}
		return cfg, usageErrorf("serve: %s %d is more than the queue holds (--max-queue %d)", what, cfg.fill, maxQ)
	}
	if len(cfg.profile) > 0 {
		if _, err := pace.NewSchedule(cfg.profile); err != nil {
			return cfg, usageErrorf("serve: arrival rate: %v", err)
		}
	}
	return cfg, nil
}

// runServe serves cfg until ctx is cancelled.
func runServe(ctx context.Context, io stdio, cfg serveConfig) error {
	g := cfg.events.source
	srv, err := pullevent.New(cfg.server)
	if err != nil {
		return usageErrorf("serve: %v", err)
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return listenError("serve", cfg.listen, err)
	}
	q := srv.Queue()
	fill, first, count := cfg.fill, cfg.fill, cfg.count
	if cfg.state != "" {
		if err := checkOutPath(cfg.state); err != nil {
			ln.Close()
			return usageErrorf("serve: --state: %v", err)
		}
		isNew, err := q.OpenState(cfg.state, cfg.stateSync, g)
		if err != nil {
			ln.Close()
			if errors.Is(err, pullevent.ErrState) || errors.Is(err, pullevent.ErrSources) || errors.Is(err, pullevent.ErrStateInUse) {
				return usageErrorf("serve: --state: %v", err)
			}
			return fmt.Errorf("serve: --state: %w", err)
		}
		defer q.CloseState()
		if !isNew {
			// The queue is as the file left it: no fill; arriving events
			// go on after the last one added.
			fill = 0
			first = max(q.EndOf(g), cfg.fill)
			if count > 0 {
				count -= min(count, first-cfg.fill)
			}
		}
	}
	if err := q.AddFrom(g, 0, fill); err != nil {
		ln.Close()
		return usageErrorf("serve: --fill %d: %v", fill, err)
	}

	sc := srv.Config()
	addr := ln.Addr().String()
	base := "http://" + addr
	fmt.Fprintf(io.out, "vodsim: listening on %s\n", base)
	if !pullevent.IsLoopback(ln.Addr()) {
		fmt.Fprintf(io.err, "vodsim: serve: warning: %s listens beyond the loopback; anyone who can reach it can pull and confirm with the key pair\n", addr)
		if sc.AdminToken == "" {
			fmt.Fprintf(io.err, "vodsim: serve: the admin API (%s/) is off: give --admin-token TOKEN to turn it on for requests with Authorization: Bearer TOKEN\n", pullevent.AdminPrefix)
		}
	}
	arriving := "no more arriving"
	if len(cfg.profile) > 0 {
		arriving = fmt.Sprintf("more arriving at %g/s", cfg.profile[0].From)
	}
	limit := ""
	if sc.RequestLimit > 0 {
		limit = fmt.Sprintf(", API 3.0 limited to %g calls a second per action", sc.RequestLimit)
	}
	queued := nouns(fill, "event", "events") + " queued"
	if fill == 0 && cfg.state != "" {
		st := q.Stats()
		queued = fmt.Sprintf("state %s: %d events waiting, %d in flight, %d confirmed", cfg.state, st.Available, st.InFlight, st.Confirmed)
	}
	fmt.Fprintf(io.out, "vodsim: %s, %s; confirm window %v, wait %v, at most %d a pull%s\n",
		queued, arriving, sc.ConfirmWindow, sc.Wait, sc.MaxEvents, limit)
	if sc.NoAuth {
		fmt.Fprintf(io.out, "vodsim: poll it: curl '%s%s?Action=PullEvent' (no signatures checked); stats: curl %s%s/stats\n", base, pullevent.LegacyPath, base, pullevent.AdminPrefix)
	} else {
		fmt.Fprintf(io.out, "vodsim: poll it with a Tencent Cloud SDK (endpoint %s, scheme HTTP, service vod, version %s) using SecretId %s SecretKey %s; stats: curl %s%s/stats\n",
			addr, pullevent.APIVersion, sc.SecretID, pullevent.MaskKey(sc.SecretKey), base, pullevent.AdminPrefix)
	}

	feedCtx, stopFeed := context.WithCancel(ctx)
	feedDone := make(chan struct{})
	go func() {
		defer close(feedDone)
		feed := pullevent.Feed{Source: g, First: first, Count: count, Profile: cfg.profile}
		if cfg.count > 0 && count == 0 {
			return // all arrived before the restart
		}
		if _, err := feed.Run(feedCtx, q); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(io.err, "vodsim: serve: events stopped arriving: %v\n", err)
		}
	}()
	err = srv.Serve(ctx, ln)
	stopFeed()
	<-feedDone
	st := q.Stats()
	fmt.Fprintf(io.out, "vodsim: stopped; enqueued %d, confirmed %d, in flight %d, available %d, redelivered %d, expired %d\n",
		st.Enqueued, st.Confirmed, st.InFlight, st.Available, st.Redelivered, st.Expired)
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// pushOnly names the settings of sc that only push delivery uses: serve
// hands out the scenario's clean events and ignores them.
func pushOnly(sc *scenarios.Scenario) []string {
	if sc == nil {
		return nil
	}
	var out []string
	f := sc.Faults
	if f.Duplicate > 0 || f.Reorder > 0 || f.Malformed > 0 || f.DelayMax > 0 {
		out = append(out, "delivery faults (duplicate, reorder, malformed, delay)")
	}
	if vod := (sender.RetryPolicy{}).WithDefaults(); sc.Retry.WithDefaults() != vod {
		out = append(out, "a retry policy")
	}
	if sc.SignKey != "" {
		out = append(out, "a signKey")
	}
	return out
}
