package main

import (
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/value"
	"github.com/vodsim/vodsim/scenarios"
)

// eventFlags are the flags that choose the events: gen, send and serve
// share them, so --scenario, --seed and the rest mean the same everywhere.
type eventFlags struct {
	scenario     string
	seed         int64
	failureRatio value.Share
	appID        uint64
	format       string
	webVTT       bool
	numericVer   bool
	eventTypes   string
	// in is standard input, read by --scenario -.
	in io.Reader
}

// scenarioUsage is --scenario's help, the same for gen, send and serve.
const scenarioUsage = "a built-in scenario's name (see 'vodsim scenarios'), a scenario file, or - for standard input; " +
	"a bare name is the built-in when there is one: write ./NAME for a file of that name, builtin:NAME for the built-in always; other flags override it"

// register defines every event flag on fs.
func (o *eventFlags) register(fs *pflag.FlagSet) {
	o.registerSource(fs)
	fs.StringVar(&o.format, "format", string(generator.DefaultFormat), "wire format: v4 (4.0 legacy envelope) or v3 (API 3.0)")
	o.registerV4Options(fs)
}

// registerSource defines the flags that choose which events are made.
func (o *eventFlags) registerSource(fs *pflag.FlagSet) {
	fs.StringVar(&o.scenario, "scenario", "", scenarioUsage)
	fs.Int64Var(&o.seed, "seed", DefaultSeed, "random seed: the same seed gives byte-identical events")
	o.failureRatio = value.Share(generator.DefaultFailureRatio)
	fs.Var(&o.failureRatio, "failure-ratio", "share of failed tasks, 0 to 1 or 0% to 100% (replaces the scenario's outcome mix)")
	fs.StringVar(&o.eventTypes, "event-type", generator.EventType, "event types to make, each equally likely: NAME[,NAME...] or all (see 'vodsim events'; replaces the scenario's outcome mix)")
	fs.Uint64Var(&o.appID, "app-id", 0, "account app id in sheet URLs (default: the scenario's, or drawn from the seed)")
}

// registerV4Options defines the flags of the 4.0 shape's quirks.
func (o *eventFlags) registerV4Options(fs *pflag.FlagSet) {
	fs.BoolVar(&o.webVTT, "webvtt", false, "add webVttUrl to 4.0 successes (3.0 always has WebVttUrl)")
	fs.BoolVar(&o.numericVer, "numeric-version", false, `send 4.0's version as the number 4, not the string "4.0"`)
}

// events is what the event flags resolve to.
type events struct {
	// sc is the loaded scenario, nil without --scenario.
	sc     *scenarios.Scenario
	source generator.Source
	enc    generator.Encoding
	seed   int64
}

// resolve loads the scenario, if any, applies the event flags the user
// set over it, and builds the event source. Errors are usage errors
// (exit 2) naming cmd and what is wrong.
func (o *eventFlags) resolve(cmd string, fs *pflag.FlagSet) (events, error) {
	var ev events
	set := fs.Changed
	gen := generator.Config{Seed: o.seed}
	var replay []generator.Event
	if set("scenario") && o.scenario == "" {
		return ev, usageErrorf("%s: --scenario: empty: name a built-in (see 'vodsim scenarios') or a scenario file", cmd)
	}
	if set("app-id") && o.appID == 0 {
		return ev, usageErrorf("%s: --app-id 0: an app id is a positive account id like 1255566655; leave the flag out to draw one from the seed", cmd)
	}
	if o.scenario != "" {
		sc, err := loadScenario(o.scenario, o.in)
		if err != nil {
			return ev, scenarioError(cmd, err)
		}
		if set("seed") || !sc.HasSeed {
			sc.SetSeed(o.seed)
		}
		ev.sc, gen, ev.enc, replay = sc, sc.Generator, sc.Encoding, sc.Replay
	}
	ev.seed = gen.Seed
	if set("format") {
		f, err := generator.ParseFormat(o.format)
		if err != nil {
			return ev, usageErrorf("%s: --format: %v", cmd, err)
		}
		ev.enc.Format = f
	}
	// A replayed payload of another type than the sprite goes only in the
	// format it is in (its two objects have different fields): the run's
	// format, final now, must be that one. serve (no --format) serves
	// each in its own (see pullevent.Servable).
	if ev.sc != nil && fs.Lookup("format") != nil {
		for i := range ev.sc.Replay {
			if kept, ok := ev.sc.Replay[i].KeptFormat(); ok && kept != ev.enc.Format {
				return ev, usageErrorf("%s: scenario %q replays a %s %s (replay %d), which goes only in its own format, and the format is %s: give --format %s (or format: %s in the scenario)",
					cmd, ev.sc.Name, kept, ev.sc.Replay[i].Kind.Name, i+1, ev.enc.Format, kept, kept)
			}
		}
	}
	if set("webvtt") {
		ev.enc.WebVTT = o.webVTT
	}
	if set("numeric-version") {
		ev.enc.NumericVersion = o.numericVer
	}
	if set("numeric-version") && o.numericVer && ev.enc.Format == generator.FormatV3 && fs.Lookup("format") != nil {
		return ev, usageErrorf("%s: --numeric-version: the number 4 is a quirk of the 4.0 format; drop it or use --format v4", cmd)
	}
	var kinds []*generator.Kind
	if set("event-type") {
		ks, err := generator.ParseKinds(o.eventTypes)
		if err != nil {
			return ev, usageErrorf("%s: --event-type: %v", cmd, err)
		}
		for _, k := range ks {
			// serve has no --format: its API 3.0 serves every type, and
			// its legacy PullEvent gives a 3.0-only type's 3.0 body.
			if !k.Legacy && ev.enc.Format != generator.FormatV3 && fs.Lookup("format") != nil {
				return ev, usageErrorf("%s: --event-type %s: VOD sends it only in the 3.0 format: add --format v3", cmd, k.Name)
			}
		}
		kinds = ks
		if set("webvtt") && o.webVTT && !slices.ContainsFunc(ks, func(k *generator.Kind) bool { return k.Name == generator.EventType }) {
			return ev, usageErrorf("%s: --webvtt adds webVttUrl to CreateImageSpriteComplete's 4.0 successes, and --event-type %s makes none", cmd, o.eventTypes)
		}
	}
	if gen.Flows != nil {
		for _, f := range []string{"failure-ratio", "event-type"} {
			if set(f) {
				return ev, usageErrorf("%s: --%s does not apply to scenario %q: its flows say each file's event types and failures", cmd, f, ev.sc.Name)
			}
		}
	}
	if replay != nil {
		// --webvtt too: a replayed payload keeps the webVttUrl it has, and
		// one without would get an empty one.
		for _, f := range []string{"failure-ratio", "app-id", "event-type", "webvtt"} {
			if set(f) {
				return ev, usageErrorf("%s: --%s does not apply to scenario %q: it replays fixed events", cmd, f, ev.sc.Name)
			}
		}
		ev.source = generator.NewReplay(replay)
		return ev, nil
	}
	switch {
	case kinds != nil && set("failure-ratio"):
		gen.Outcomes = generator.TypeMix(kinds, float64(o.failureRatio))
	case kinds != nil:
		gen.Outcomes = generator.TypeMix(kinds, generator.DefaultFailureRatio)
	case set("failure-ratio"):
		gen.Outcomes = generator.Mix(float64(o.failureRatio))
	}
	if set("app-id") {
		gen.AppID = o.appID
	}
	// A scenario's own types were checked against its own format; a
	// --format v4 given over a v3 scenario must not turn a 3.0-only type's
	// events into 3.0 bodies in a 4.0 run unannounced.
	if ev.sc != nil && ev.enc.Format != generator.FormatV3 && fs.Lookup("format") != nil {
		if k := v3OnlyKind(gen); k != nil {
			return ev, usageErrorf("%s: scenario %q makes %s, which VOD sends only in the 3.0 format, and the format is %s: give --format v3 or leave --format out",
				cmd, ev.sc.Name, k.Name, ev.enc.Format)
		}
	}
	g, err := generator.New(gen)
	if err != nil {
		if ev.sc != nil {
			return ev, usageErrorf("%s: scenario %q: %v", cmd, ev.sc.Name, err)
		}
		return ev, usageErrorf("%s: %v", cmd, err)
	}
	ev.source = g
	return ev, nil
}

// v3OnlyKind returns the first event type of cfg's outcomes or flows that
// has no 4.0 shape, nil when every one has.
func v3OnlyKind(cfg generator.Config) *generator.Kind {
	var names []string
	for _, o := range cfg.Outcomes {
		names = append(names, o.EventType)
	}
	for _, f := range cfg.Flows {
		for _, s := range f.Steps {
			names = append(names, s.EventType)
		}
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		if k, ok := generator.LookupKind(n); ok && !k.Legacy {
			return k
		}
	}
	return nil
}

// loadScenario loads a scenario by name or path, as scenarios.Load does;
// "-" reads one from in (standard input), named "stdin" in messages.
func loadScenario(name string, in io.Reader) (*scenarios.Scenario, error) {
	if name == "-" {
		if in == nil {
			in = strings.NewReader("")
		}
		return scenarios.Read("stdin", in)
	}
	return scenarios.Load(name)
}
