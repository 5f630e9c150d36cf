package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"text/tabwriter"

	"github.com/spf13/pflag"
)

// stdio is where a command reads and writes.
type stdio struct {
	in       io.Reader
	out, err io.Writer
	// flagSet, when set, is told of every FlagSet a command makes
	// (completion reads the flags this way).
	flagSet func(*pflag.FlagSet)
}

// command is one subcommand. Run parses args with its own FlagSet.
type command interface {
	Run(ctx context.Context, args []string) error
}

type commandInfo struct {
	name    string
	summary string
	make    func(stdio) command
}

// commands lists the subcommands in the order help shows them.
var commands []commandInfo

func register(name, summary string, make func(stdio) command) {
	commands = append(commands, commandInfo{name, summary, make})
}

func lookup(name string) (commandInfo, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return commandInfo{}, false
}

func run(ctx context.Context, args []string, io stdio) error {
	if len(args) == 0 {
		usage(io.err)
		return usageErrorf("no subcommand given")
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		if len(args) > 1 && name == "help" {
			if c, ok := lookup(args[1]); ok {
				return c.make(io).Run(ctx, []string{"--help"})
			}
			return usageErrorf("unknown subcommand %q (run 'vodsim help' for the list)", args[1])
		}
		usage(io.out)
		return nil
	case "-v", "--version":
		name = "version"
	}
	c, ok := lookup(name)
	if !ok {
		return usageErrorf("unknown subcommand %q (run 'vodsim help' for the list)", name)
	}
	var in *stopReader
	if io.in != nil {
		in = &stopReader{ctx: ctx, r: io.in}
		io.in = in
	}
	err := c.make(io).Run(ctx, args[1:])
	if err != nil && in != nil && in.stopped.Load() {
		// Whatever the command made of the cut read: a stop.
		return errInterrupted
	}
	return err
}

// stopReader reads r (standard input) until ctx ends: a read still
// waiting then (a terminal, a pipe held open) returns errInterrupted, so
// that Ctrl-C stops a command waiting for input, the signal being caught
// (signal.NotifyContext) and not ending the process itself.
type stopReader struct {
	ctx     context.Context
	r       io.Reader
	stopped atomic.Bool
}

func (s *stopReader) Read(p []byte) (int, error) {
	if s.ctx.Err() != nil {
		s.stopped.Store(true)
		return 0, errInterrupted
	}
	type read struct {
		n   int
		err error
	}
	// The read goes on in its own buffer: one cut short may still fill it.
	buf := make([]byte, len(p))
	done := make(chan read, 1)
	go func() {
		n, err := s.r.Read(buf)
		done <- read{n, err}
	}()
	select {
	case rd := <-done:
		return copy(p, buf[:rd.n]), rd.err
	case <-s.ctx.Done():
		s.stopped.Store(true)
		return 0, errInterrupted
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `vodsim stands in for Tencent Cloud VOD's event notifications: it
generates realistic events of every VOD event type ('vodsim events';
CreateImageSpriteComplete by default), POSTs them to your callback receiver
as the real service would, or serves a fake PullEvent endpoint.

Usage:
  vodsim <subcommand> [flags]

Subcommands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	sorted := slices.Clone(commands)
	slices.SortFunc(sorted, func(a, b commandInfo) int { return strings.Compare(a.name, b.name) })
	for _, c := range sorted {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Run 'vodsim <subcommand> --help' for its flags and examples.

Exit codes: 0 success; 1 the run finished but fell short; 2 bad input or
usage; 130 interrupted.
`)
}

// newFlagSet returns a FlagSet for a subcommand whose usage text prints the
// synopsis, the flags and the examples.
func newFlagSet(io stdio, name, synopsis, examples string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.SortFlags = false
	if io.flagSet != nil {
		io.flagSet(fs)
	}
	fs.Usage = func() {
		w := io.out
		// The flags and --help, which pflag handles without a flag of its
		// own, in one aligned table.
		all := pflag.NewFlagSet(name, pflag.ContinueOnError)
		all.SortFlags = false
		fs.VisitAll(all.AddFlag)
		all.VarP(helpValue{}, "help", "h", "print this help")
		fmt.Fprintf(w, "%s\n\nFlags:\n%s", strings.TrimSpace(synopsis), all.FlagUsages())
		if examples != "" {
			fmt.Fprintf(w, "\nExamples:\n%s\n", strings.Trim(examples, "\n"))
		}
	}
	return fs
}

// helpValue stands for --help in the usage table (pflag handles --help
// itself): a bool-typed value shown without pflag's "[=true|false]".
type helpValue struct{}

func (helpValue) String() string   { return "false" }
func (helpValue) Set(string) error { return nil }
func (helpValue) Type() string     { return "bool" }

// parseFlags parses args; --help prints usage and returns errHelp, any other
// problem is a usage error.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	show := fs.Usage
	fs.Usage = func() {} // pflag calls it on every error; print only for --help
	err := fs.Parse(args)
	fs.Usage = show
	if err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			show()
			return errHelp
		}
		var bad *pflag.InvalidValueError
		if errors.As(err, &bad) {
			// "--rate -1: ..." as the checks after parsing write it.
			return usageErrorf("%s: --%s %s: %v (run 'vodsim %s --help')", fs.Name(), bad.GetFlag().Name, bad.GetValue(), errors.Unwrap(bad), fs.Name())
		}
		return usageErrorf("%s: %v (run 'vodsim %s --help')", fs.Name(), err, fs.Name())
	}
	return nil
}

// errHelp is returned after --help printed the usage: exit 0.
var errHelp = errors.New("help shown")

// errShortfall marks a run that finished but fell short: exit 1.
var errShortfall = errors.New("run fell short")

// errInterrupted marks a run stopped by a signal: exit 130.
var errInterrupted = errors.New("interrupted")

// usageError is bad input or usage: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, a ...any) error {
	return &usageError{fmt.Sprintf(format, a...)}
}

// exitCode maps the error of run to the process exit code, printing it.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "vodsim: %v\n", err)
		return 2
	case errors.Is(err, errInterrupted), errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "vodsim: interrupted")
		return 130
	case errors.Is(err, errShortfall):
		fmt.Fprintf(stderr, "vodsim: %v\n", err)
		return 1
	default:
		fmt.Fprintf(stderr, "vodsim: %v\n", err)
		return 1
	}
}
