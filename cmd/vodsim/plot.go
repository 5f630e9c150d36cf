package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/plot"
)

func init() {
	register("plot", "draw send journals as a self-contained HTML page: latency, rate, retries", func(io stdio) command { return &plotCmd{io: io} })
}

type plotCmd struct{ io stdio }

func (c *plotCmd) Run(ctx context.Context, args []string) error {
	var output, title string
	fs := newFlagSet(c.io, "plot", `
Usage: vodsim plot [--output FILE] [--title TEXT] JOURNAL...

Draws the journals of one or more sends (send --journal; the N shards of
a run together) as one HTML page: the latency of every event (send time
to final answer) over time, coloured by its final state; the achieved
rate of first attempts against the schedule's, per second; and the
retries per second. The page is self-contained: its charts are inline
SVG, it runs no script and fetches nothing, so it opens offline and can
be kept as a CI artifact. Beyond 5000 events, the latency chart draws
each 2x2 pixel cell once, in the colour of the worst state in it.

The page goes to stdout, or whole to --output FILE. - is stdin.`, `
  vodsim send --journal attempts.ndjson --quiet && vodsim plot attempts.ndjson > plot.html
  vodsim plot --output run.html --title 'nightly load test' attempts-*.ndjson`)
	fs.StringVarP(&output, "output", "o", "", "write the page to FILE (whole: a temporary file renamed) instead of stdout")
	fs.StringVar(&title, "title", "vodsim send", "the page's title")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("plot: name at least one JOURNAL file (run 'vodsim plot --help')")
	}
	var out *reportFile
	if output != "" {
		// The journals are read before the page is written, but the page
		// would then replace one of them: the user's journal lost.
		for _, name := range fs.Args() {
			if name != "-" && sameFile(name, output) {
				return usageErrorf("plot: --output and JOURNAL name the same file %q: the page would replace the journal", name)
			}
		}
		var err error
		if out, err = openReportFile(output); err != nil {
			return usageErrorf("plot: --output: %v", err)
		}
	}
	var d plot.Data
	for _, name := range fs.Args() {
		var r io.Reader = c.io.in
		if name != "-" {
			f, err := openInFile(name)
			if err != nil {
				return usageErrorf("plot: %v", err)
			}
			defer f.Close()
			r = f
		}
		if err := d.Read(r); err != nil {
			return usageErrorf("plot: %s: %s", name, sender.Reason(err))
		}
		if ctx.Err() != nil {
			return errInterrupted
		}
	}
	if d.Lines() == 0 {
		// Nothing was written, not an empty page.
		return usageErrorf("plot: no journal line in %s: nothing to draw (a journal is what send --journal FILE writes)", strings.Join(fs.Args(), ", "))
	}
	if out == nil {
		if err := d.WriteHTML(c.io.out, title); err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		return nil
	}
	if err := out.write(func(w io.Writer) error { return d.WriteHTML(w, title) }); err != nil {
		return fmt.Errorf("plot: --output: %w", err)
	}
	return nil
}
