package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/vodsim/vodsim/scenarios"
)

func init() {
	register("validate", "check scenario files; problems are printed as FILE:LINE:COL: message", func(io stdio) command { return &validateCmd{io: io} })
}

type validateCmd struct{ io stdio }

func (c *validateCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet(c.io, "validate", `
Usage: vodsim validate FILE...

Checks scenario files (YAML or JSON) and prints "FILE: ok" for each valid
one. Every problem of an invalid file is printed on stderr as
FILE:LINE:COL: message. A built-in scenario's name is accepted as well
(builtin:NAME, or a bare NAME when no file is meant: write ./NAME for a
file of that name), and - reads one scenario from standard input, named
stdin in messages.

Exit status: 0 when every file is valid, 2 otherwise.`, `
  vodsim validate my-scenario.yaml
  vodsim validate scenarios/builtin/*.yaml       # from a clone of the repository
  vodsim scenarios --show chaos > chaos.yaml && vodsim validate chaos.yaml
  vodsim scenarios --show chaos | vodsim validate -`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("validate: name at least one scenario file (run 'vodsim validate --help')")
	}
	if i := slices.Index(fs.Args(), "-"); i >= 0 && slices.Contains(fs.Args()[i+1:], "-") {
		return usageErrorf("validate: - (standard input) is named more than once: it holds one scenario")
	}
	bad := 0
	for _, file := range fs.Args() {
		_, err := loadScenario(file, c.io.in)
		var ve *scenarios.ValidationError
		switch {
		case err == nil:
			fmt.Fprintf(c.io.out, "%s: ok\n", file)
			continue
		case errors.As(err, &ve):
			for _, line := range ve.Lines() {
				fmt.Fprintln(c.io.err, line)
			}
		default:
			fmt.Fprintf(c.io.err, "%s: %v\n", file, err)
		}
		bad++
	}
	if bad > 0 {
		return usageErrorf("validate: %d of %d files invalid", bad, fs.NArg())
	}
	return nil
}
