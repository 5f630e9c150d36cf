package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/vodsim/vodsim/generator"
)

func init() {
	register("events", "list every VOD event type vodsim makes, with its formats", func(io stdio) command { return &eventsCmd{io: io} })
}

type eventsCmd struct{ io stdio }

func (c *eventsCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet(c.io, "events", `
Usage: vodsim events

Lists the event types of VOD's API 3.0 EventContent.EventType, the 23 of
today's API and the 5 kept for the 2017 API, with the wire formats each
has (v3 always; v4, the 4.0 legacy envelope, for nine of them), the
EventContent member that carries it and what it means. gen, send and
serve make any of them with --event-type NAME[,NAME...] (or all).`, `
  vodsim events
  vodsim gen --event-type ProcedureStateChanged --format v3 --count 2
  vodsim gen --event-type all --format v3 --count 28`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("events: unexpected argument %q (run 'vodsim events --help')", fs.Arg(0))
	}
	tw := tabwriter.NewWriter(c.io.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tFORMATS\tMEMBER\tMEANING")
	for _, k := range generator.Kinds {
		var fm []string
		for _, f := range k.Formats() {
			fm = append(fm, string(f))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.Name, strings.Join(fm, ","), k.Member, k.Meaning)
	}
	return tw.Flush()
}

// byTypeLine is counts by event type, in the catalog's order (a name the
// catalog lacks after, sorted): "NewFileUpload 3, ProcedureStateChanged 4".
func byTypeLine(counts map[string]uint64) string {
	var parts []string
	seen := map[string]bool{}
	for _, k := range generator.Kinds {
		if n, ok := counts[k.Name]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", k.Name, n))
			seen[k.Name] = true
		}
	}
	var rest []string
	for name := range counts {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	for _, name := range rest {
		parts = append(parts, fmt.Sprintf("%s %d", name, counts[name]))
	}
	return strings.Join(parts, ", ")
}
