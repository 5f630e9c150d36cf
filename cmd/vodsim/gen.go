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
	events eventFlags
	count  uint64
}

func (c *genCmd) Run(ctx context.Context, args []string) error {
	var o genOpts
	fs := newFlagSet(c.io, "gen", `
Usage: vodsim gen [flags]

Prints events as NDJSON on stdout, one per line: CreateImageSpriteComplete
unless --event-type or a scenario names other types (see 'vodsim events').
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
  vodsim gen --scenario ./my-scenario.yaml --format v3
  vodsim scenarios --show failures | vodsim gen --scenario - --count 3   # a scenario from stdin`)
	o.events.register(fs)
	o.events.in = c.io.in
	fs.Uint64Var(&o.count, "count", DefaultGenCount, "number of events to print (a scenario's own count when it gives one)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("gen: unexpected argument %q (run 'vodsim gen --help')", fs.Arg(0))
	}
	ev, err := o.events.resolve("gen", fs)
	if err != nil {
		return err
	}
	count := uint64(DefaultGenCount)
	if ev.sc != nil && ev.sc.Events > 0 {
		count = ev.sc.Events
	}
	if fs.Changed("count") {
		if o.count == 0 {
			return usageErrorf("gen: --count 0: must be at least 1")
		}
		count = o.count
	}
	return writeNDJSON(ctx, c.io, ev.source, ev.enc, count)
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
