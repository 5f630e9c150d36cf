package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"

	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/receiver"
)

func init() {
	register("send", "POST events to a callback receiver at a rate, report what happened", func(io stdio) command { return &sendCmd{io: io} })
}

// DefaultSendRate is send's rate in events per second when neither a flag
// nor a scenario gives one.
const DefaultSendRate = 200

type sendCmd struct{ io stdio }

func (c *sendCmd) Run(ctx context.Context, args []string) error {
	var o sendOpts
	fs := newFlagSet(c.io, "send", sendHelp, sendExamples)
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
	// The payloads are read before the run, but the file would then be
	// emptied or replaced: the user's input lost.
	for _, out := range []struct{ flag, path string }{{"journal", o.journal}, {"report-json", o.reportJSON}} {
		if o.input != "" && o.input != "-" && out.path != "" && out.path != "-" && sameFile(o.input, out.path) {
			return usageErrorf("send: --input and --%s name the same file %q: the run would overwrite its payloads", out.flag, o.input)
		}
	}
	cfg.Version = Version()

	// Files first, so a bad path fails before anything is sent; they are
	// emptied (the journal) or removed (the report) only once the run
	// starts, and a usage error found later leaves them as they were.
	keep := false
	var journal *outFile
	var reportFile *reportFile
	if o.journal == "-" {
		// Not standard output, where the report goes: a file, whole or not at all.
		return usageErrorf("send: --journal -: the journal is written to a file, whole or not at all (the report goes to standard output): give it a file name")
	}
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
	var rcv *receiver.Receiver
	if cfg.Target == "" {
		// Room for every connection send opens (the cap would otherwise
		// close idle ones between its requests).
		rcv = &receiver.Receiver{SignKey: cfg.SignKey, MaxConns: max(receiver.DefaultMaxConns, 2*cfg.Connections+16)}
		stop, url, err := serveReceiver(rcv, nil, "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("send: start the embedded receiver: %w", err)
		}
		defer stop()
		cfg.Target = url + "/callback"
	}

	// A reader of the report that goes away (| head, | true) makes its
	// write fail, not the process die of SIGPIPE before --report-json
	// and --journal are written.
	signal.Ignore(syscall.SIGPIPE)

	if os.Getenv("GOGC") == "" {
		// Fewer collections keep the pacing steady at high rates in a
		// long run; a small run keeps Go's default and a small heap.
		debug.SetGCPercent(gcPercent(cfg))
	}
	if len(cfg.Profile) > 0 {
		// A paced run's workers wake at send times: on processors busy
		// with other programs, short time slices let them run sooner.
		sender.ShortSlices()
		if os.Getenv("GOMAXPROCS") == "" {
			pacedProcs()
		}
	}

	if !o.quiet && isTerminal(c.io.err) {
		cfg.Progress = progressLine(c.io.err)
		defer fmt.Fprint(c.io.err, "\r\033[K")
	}

	configErr := func(err error) error {
		return usageErrorf("send: %s", sender.Reason(err))
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
	rep.Scenario = o.scenario
	out := &sendReport{Report: rep}
	if rcv != nil {
		st := rcv.Stats()
		out.Receiver = &st
	}
	breaches := rep.Judge(th, out.breaches()...)
	write := out.WriteText
	if o.reportJSON == "-" {
		// The JSON instead of the text, for a pod's log.
		write = out.WriteJSON
	}
	// Standard output that cannot be written does not cost the files:
	// --report-json was removed when the run started.
	werr := write(c.io.out)
	if reportFile != nil {
		if err := reportFile.write(out.WriteJSON); err != nil {
			return fmt.Errorf("send: --report-json: %w", err)
		}
	}
	if journal != nil {
		if err := journal.Close(); err != nil {
			return fmt.Errorf("send: --journal: %w", err)
		}
	}
	if werr != nil {
		return fmt.Errorf("send: write report: %w", werr)
	}
	if ctx.Err() != nil {
		return errInterrupted
	}
	if runErr != nil {
		return fmt.Errorf("send: %w", runErr)
	}
	return breachError(breaches)
}

// pacedProcs gives a paced run one processor (Go's P) more than the
// machine's, once per process: a worker sleeping in the kernel for its
// send time holds one (see sender's preciseWait), and with one spare
// the answers' readers always have one. At 1,000 events/s on two cores
// with three busy loops (scripts/busy-pacing.sh), lateness p90 / p99
// were 2 µs / 0.97 ms with it and 0.28 / 2.9 ms without, and the
// latency p50 1.04 times the service time's against 1.16.
var pacedProcs = sync.OnceFunc(func() {
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
})

// sendGCPercent is the GOGC vodsim send runs with (unless GOGC is set):
// a run allocates per event, and fewer collections keep lateness low at
// tens of thousands of events per second; the heap stays bounded by
// --max-inflight. The sender's benchmarks use the same.
const sendGCPercent = 400
