package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vodsim/vodsim/internal/value"
	"github.com/vodsim/vodsim/sender"
)

func init() {
	register("report", "merge the reports or journals of several sends (shards) into one report", func(io stdio) command { return &reportCmd{io: io} })
}

type reportCmd struct{ io stdio }

type reportOpts struct {
	json      bool
	journals  []string
	maxFailed uint64
	maxP99    value.Duration
	minRate   value.Share
}

func (c *reportCmd) Run(ctx context.Context, args []string) error {
	var o reportOpts
	fs := newFlagSet(c.io, "report", `
Usage: vodsim report [flags] FILE...

Merges the reports of sends that ran at the same time, such as the N
shards of one run (send --shard K/N), into one report, and judges it
as send judges a run. Each FILE is a --report-json file (or several JSON
reports one after another, as 'send --report-json -' prints them and
kubectl logs gathers them), or a --journal file, told apart by content
(--journal FILE reads FILE as a journal whatever it holds). - is stdin.

The counters and rates are summed and the latency histograms merged:
the merged percentiles are those of every event, as one sender would
have measured them. A report rebuilt from a journal lacks what a journal
does not hold (seed, target, the payload mix, the reordered, delayed and
late counts, connection waits).

Reports of different seeds or formats, of shards of different N,
naming one shard twice, or one run's report given twice are refused
(exit 2). Shards missing from a
complete run fail the 'shards' check. Exit status: 0 every event
acknowledged and every threshold met; 1 events not acknowledged (beyond
--max-failed), a threshold breached or shards missing; 2 bad input.`, `
  vodsim report shard-*.json
  vodsim report --json --max-failed 0 --max-p99 250ms shard-*.json > merged.json
  kubectl logs --selector job-name=vodsim-send --tail -1 | vodsim report -
  vodsim report --journal attempts-0.ndjson --journal attempts-1.ndjson`)
	fs.BoolVar(&o.json, "json", false, "print the merged report as JSON (the shape of send --report-json) instead of text")
	fs.StringArrayVar(&o.journals, "journal", nil, "read FILE as a journal (repeatable)")
	fs.Uint64Var(&o.maxFailed, "max-failed", 0, "events allowed to end unacknowledged before exit 1")
	fs.Var(&o.maxP99, "max-p99", "exit 1 if the merged latency p99 is above this (0 = no bound)")
	fs.Var(&o.minRate, "min-rate", "exit 1 if the merged achieved rate is below this share of the target, 0 to 1 or 0% to 100% (a schedule spanning under 1s passes; 0 = no bound)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 && len(o.journals) == 0 {
		return usageErrorf("report: name at least one report or journal FILE (run 'vodsim report --help')")
	}
	var reps []*sendReport
	stdin := false
	read := func(name string, journal bool) error {
		var r io.Reader
		if name == "-" {
			if stdin {
				return usageErrorf("report: - (stdin) given twice")
			}
			stdin = true
			r = c.io.in
		} else {
			f, err := openInFile(name)
			if err != nil {
				return usageErrorf("report: %v", err)
			}
			defer f.Close()
			r = f
		}
		got, err := readReports(r, journal)
		if err != nil {
			return usageErrorf("report: %s: %v", name, err)
		}
		reps = append(reps, got...)
		return nil
	}
	for _, name := range o.journals {
		if err := read(name, true); err != nil {
			return err
		}
	}
	for _, name := range fs.Args() {
		if err := read(name, false); err != nil {
			return err
		}
	}
	rep, err := mergeReports(reps)
	if err != nil {
		return usageErrorf("report: %s", sender.Reason(err))
	}
	var extra []sender.Breach
	if b := rep.MissingShards(); b != nil {
		extra = append(extra, *b)
	}
	th := sender.Thresholds{MaxFailed: o.maxFailed, MaxP99: time.Duration(o.maxP99), MinRate: float64(o.minRate)}
	breaches := rep.Judge(th, extra...)
	if o.json {
		err = rep.WriteJSON(c.io.out)
	} else {
		fmt.Fprintf(c.io.out, "vodsim report: %s merged\n", nouns(len(reps), "report", "reports"))
		err = rep.WriteText(c.io.out)
	}
	if err != nil {
		return fmt.Errorf("report: write: %w", err)
	}
	return breachError(breaches)
}

// readReports reads the reports in r: a journal (when journal is set, or
// when its first line is a journal line), else one or more JSON reports.
func readReports(r io.Reader, journal bool) ([]*sendReport, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if !journal {
		journal = looksLikeJournal(br)
	}
	if journal {
		rep, err := sender.ReportFromJournal(br)
		if err != nil {
			return nil, errors.New(sender.Reason(err))
		}
		return []*sendReport{{Report: rep}}, nil
	}
	dec := json.NewDecoder(br)
	var out []*sendReport
	for n := 1; ; n++ {
		var rep sendReport
		err := dec.Decode(&rep)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("report %d: not a JSON report (%v)", n, err)
		}
		if rep.Report == nil || rep.Version == "" || rep.StatusCodes == nil {
			return nil, fmt.Errorf("report %d: a JSON object, but not a vodsim send report", n)
		}
		out = append(out, &rep)
	}
	if len(out) == 0 {
		return nil, errors.New("empty: no report in it")
	}
	return out, nil
}

// looksLikeJournal reports whether the first line is a journal line: one
// whole JSON object with "attempt" (a report's JSON is indented, and has
// no such key at its top).
func looksLikeJournal(br *bufio.Reader) bool {
	peek, _ := br.Peek(64 << 10)
	line, _, _ := bytes.Cut(peek, []byte("\n"))
	var probe struct {
		Attempt *int `json:"attempt"`
	}
	return json.Unmarshal(line, &probe) == nil && probe.Attempt != nil
}
