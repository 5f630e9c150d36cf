package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/scenarios"
)

func init() {
	register("gen", "print generated events as NDJSON, one per line", func(io stdio) command { return &genCmd{io: io} })
}

// DefaultSeed is the seed used when neither a flag nor a scenario gives one,
// so that two runs with no flags print the same events.
const DefaultSeed = 1

// DefaultGenCount is how many events gen prints by default.
const DefaultGenCount = 10

type genCmd struct{ io stdio }

type genOpts struct {
	seed         int64
	count        uint64
	format       string
	failureRatio float64
	webVTT       bool
	numericVer   bool
	appID        uint64
	scenario     string
}

func (c *genCmd) Run(ctx context.Context, args []string) error {
	var o genOpts
	fs := newFlagSet(c.io, "gen", `
Usage: vodsim gen [flags]

Prints CreateImageSpriteComplete events as NDJSON on stdout, one per line.
The same seed and flags always print the same bytes.

With --scenario, the events are the scenario's: its seed, outcome mix,
fields, format and event count (10 when it gives only a duration). Flags
given on the command line override the scenario. Delivery faults
(duplicates, reordering, malformed bodies) are the sender's business: gen
prints the clean events.`, `
  vodsim gen                                  # 10 events, seed 1, 4.0 format
  vodsim gen --seed 7 --count 2000 > events.ndjson
  vodsim gen --format v3 --count 3            # API 3.0 EventContent shape
  vodsim gen --failure-ratio 1 --count 5      # only failures
  vodsim gen --webvtt --app-id 1255566655
  vodsim gen --scenario failures              # only failures, every family
  vodsim gen --scenario success --seed 9 --count 3
  vodsim gen --scenario ./my-scenario.yaml --format v3`)
	fs.Int64Var(&o.seed, "seed", DefaultSeed, "random seed: the same seed gives byte-identical events")
	fs.Uint64Var(&o.count, "count", DefaultGenCount, "number of events to print")
	fs.StringVar(&o.format, "format", string(generator.DefaultFormat), "wire format: v4 (4.0 legacy envelope) or v3 (API 3.0)")
	fs.Float64Var(&o.failureRatio, "failure-ratio", generator.DefaultFailureRatio, "share of failed tasks, 0 to 1")
	fs.BoolVar(&o.webVTT, "webvtt", false, "add webVttUrl to 4.0 successes (3.0 always has WebVttUrl)")
	fs.BoolVar(&o.numericVer, "numeric-version", false, `send 4.0's version as the number 4, not the string "4.0"`)
	fs.Uint64Var(&o.appID, "app-id", 0, "account app id in sheet URLs (default: drawn from the seed)")
	fs.StringVar(&o.scenario, "scenario", "", "a built-in scenario's name (see 'vodsim scenarios') or a scenario file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("gen: unexpected argument %q (run 'vodsim gen --help')", fs.Arg(0))
	}
	format, err := generator.ParseFormat(o.format)
	if err != nil {
		return usageErrorf("gen: --format: %v", err)
	}
	if !(o.failureRatio >= 0 && o.failureRatio <= 1) {
		return usageErrorf("gen: --failure-ratio %v: must be between 0 and 1", o.failureRatio)
	}
	if o.scenario == "" {
		cfg := generator.Config{Seed: o.seed, AppID: o.appID, Outcomes: generator.Mix(o.failureRatio)}
		g, err := generator.New(cfg)
		if err != nil {
			return usageErrorf("gen: %v", err)
		}
		enc := generator.Encoding{Format: format, WebVTT: o.webVTT, NumericVersion: o.numericVer}
		return writeNDJSON(ctx, c.io, g, enc, o.count)
	}

	sc, err := scenarios.Load(o.scenario)
	if err != nil {
		return scenarioError("gen", err)
	}
	changed := fs.Changed
	if changed("seed") || !sc.HasSeed {
		sc.SetSeed(o.seed)
	}
	cfg, enc, count := sc.Generator, sc.Encoding, uint64(DefaultGenCount)
	if sc.Events > 0 {
		count = sc.Events
	}
	if changed("count") {
		count = o.count
	}
	if changed("format") {
		enc.Format = format
	}
	if changed("webvtt") {
		enc.WebVTT = o.webVTT
	}
	if changed("numeric-version") {
		enc.NumericVersion = o.numericVer
	}
	if sc.Replay != nil {
		for _, f := range []string{"failure-ratio", "app-id"} {
			if changed(f) {
				return usageErrorf("gen: --%s does not apply to scenario %q: it replays fixed events", f, sc.Name)
			}
		}
		return writeNDJSON(ctx, c.io, generator.NewReplay(sc.Replay), enc, count)
	}
	if changed("failure-ratio") {
		cfg.Outcomes = generator.Mix(o.failureRatio)
	}
	if changed("app-id") {
		cfg.AppID = o.appID
	}
	g, err := generator.New(cfg)
	if err != nil {
		return usageErrorf("gen: scenario %q: %v", sc.Name, err)
	}
	return writeNDJSON(ctx, c.io, g, enc, count)
}

// scenarioError turns a failure to load a scenario into a usage error
// (exit 2) that lists every problem as FILE:LINE:COL: message.
func scenarioError(cmd string, err error) error {
	var ve *scenarios.ValidationError
	if errors.As(err, &ve) {
		return usageErrorf("%s: invalid scenario %s:\n%v", cmd, ve.File, ve)
	}
	return usageErrorf("%s: --scenario: %v", cmd, err)
}

// writeNDJSON prints count events of g, one per line.
func writeNDJSON(ctx context.Context, io stdio, g generator.Source, enc generator.Encoding, count uint64) error {
	w := bufio.NewWriterSize(io.out, 64<<10)
	var ev generator.Event
	buf := make([]byte, 0, 1024)
	for i := uint64(0); i < count; i++ {
		if i%4096 == 0 && ctx.Err() != nil {
			w.Flush()
			return errInterrupted
		}
		g.Fill(&ev, i)
		buf = append(enc.Append(buf[:0], &ev), '\n')
		if _, err := w.Write(buf); err != nil {
			return fmt.Errorf("write events: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}
