package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/vodsim/vodsim/scenarios"
)

func init() {
	register("scenarios", "list the built-in scenarios, or print one with --show", func(io stdio) command { return &scenariosCmd{io: io} })
}

type scenariosCmd struct{ io stdio }

func (c *scenariosCmd) Run(ctx context.Context, args []string) error {
	var show string
	fs := newFlagSet(c.io, "scenarios", `
Usage: vodsim scenarios [--show NAME]

Lists the scenarios built into vodsim with their descriptions. Any command
that takes --scenario accepts these names as well as file paths. --show
prints a built-in's YAML, a starting point for your own scenario file.`, `
  vodsim scenarios
  vodsim scenarios --show default > my-scenario.yaml
  vodsim gen --scenario failures --count 5`)
	fs.StringVar(&show, "show", "", "print the YAML of the named built-in scenario")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("scenarios: unexpected argument %q (run 'vodsim scenarios --help')", fs.Arg(0))
	}
	if fs.Changed("show") && show == "" {
		return usageErrorf("scenarios: --show: empty: name a built-in (%s)", strings.Join(scenarioNames(), ", "))
	}
	if show != "" {
		data, err := scenarios.BuiltinFile(show)
		if err != nil {
			return usageErrorf("scenarios: --show: %v", err)
		}
		_, err = c.io.out.Write(data)
		return err
	}
	tw := tabwriter.NewWriter(c.io.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDESCRIPTION")
	for _, in := range scenarios.Builtins() {
		fmt.Fprintf(tw, "%s\t%s\n", in.Name, in.Description)
	}
	return tw.Flush()
}

// scenarioNames lists the built-ins' names.
func scenarioNames() []string {
	var out []string
	for _, in := range scenarios.Builtins() {
		out = append(out, in.Name)
	}
	return out
}
