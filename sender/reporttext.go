package sender

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// maxCodesListed is the most failure codes the text report lists one by
// one; beyond it, they are summed by stage.
const maxCodesListed = 8

// String gives the percentiles on one line, for people.
func (p Percentiles) String() string {
	if p.Count == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
		fmtDur(p.P50), fmtDur(p.P90), fmtDur(p.P99), fmtDur(p.P999), fmtDur(p.Max))
}

func fmtDur(d time.Duration) string {
	switch {
	case d > 0 && d < time.Microsecond:
		return d.String() // a bound given in nanoseconds: 500ns, not 0µs
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d/time.Microsecond)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.3fs", d.Seconds())
	}
}

// TextLine is one more line of the text report: a label and its text.
type TextLine struct{ Label, Text string }

// WriteText writes the report for people; the lines in more follow the
// timing lines (vodsim send adds what its embedded receiver saw).
func (rep *Report) WriteText(w io.Writer, more ...TextLine) error {
	var b strings.Builder
	head := "vodsim send"
	if rep.Shard != "" {
		head += " shard " + rep.Shard
	}
	if rep.Interrupted {
		head += " (interrupted)"
	}
	// A report rebuilt from journals (ReportFromJournal) has no format,
	// seed, payload mix, reordered, delayed or late counts: a journal
	// does not hold them.
	fromJournal := rep.Format == "-"
	if fromJournal {
		fmt.Fprintf(&b, "%s: %s to %s (its format and seed are not in a journal)\n", head, plural(rep.Events, "event"), rep.Target)
	} else {
		fmt.Fprintf(&b, "%s: %s to %s, format %s, seed %d\n", head, plural(rep.Events, "event"), rep.Target, rep.Format, rep.Seed)
	}
	fmt.Fprintf(&b, "  run           vodsim %s, started %s", rep.Version, rep.Start.UTC().Format(time.RFC3339))
	if rep.Scenario != "" {
		fmt.Fprintf(&b, ", scenario %s", rep.Scenario)
	}
	b.WriteString("\n")
	target := "as fast as possible"
	if rep.TargetRate > 0 {
		target = fmt.Sprintf("%.1f/s", rep.TargetRate)
	}
	fmt.Fprintf(&b, "  duration      %s\n", fmtDur(rep.Duration))
	switch {
	case rep.Lateness.Count < 2:
		fmt.Fprintf(&b, "  rate          target %s, achieved not measured (fewer than 2 events started)", target)
	case rep.TargetRate > 0:
		fmt.Fprintf(&b, "  rate          target %s, achieved %.1f/s (%.1f%%)", target, rep.AchievedRate, 100*rep.AchievedRate/rep.TargetRate)
	default:
		fmt.Fprintf(&b, "  rate          target %s, achieved %.1f/s", target, rep.AchievedRate)
	}
	fmt.Fprintf(&b, ", throughput %.1f events/s\n", rep.Throughput)
	fmt.Fprintf(&b, "  events        %d acknowledged, %d other status, %d failed, %d not sent",
		rep.Acknowledged, rep.OtherStatus, rep.Failed, rep.NotSent)
	if len(rep.NotSentReasons) > 0 {
		fmt.Fprintf(&b, " (%s)", countsText(rep.NotSentReasons))
	}
	fmt.Fprintf(&b, ", %d interrupted\n", rep.InterruptedEvents)
	fmt.Fprintf(&b, "  attempts      %d (%d retries), %d duplicates sent (%d acknowledged)\n",
		rep.Attempts, rep.Retries, rep.Duplicates, rep.DuplicatesAcknowledged)
	if fromJournal {
		fmt.Fprintf(&b, "  faults        %d malformed (reordered and delayed not in a journal)\n", rep.Malformed)
		b.WriteString("  late          not in a journal\n")
	} else {
		fmt.Fprintf(&b, "  faults        %d reordered, %d malformed, %d delayed\n", rep.Reordered, rep.Malformed, rep.Delayed)
		fmt.Fprintf(&b, "  late          %s waited for an in-flight slot or their file's previous event\n", plural(rep.Late, "event"))
	}
	fmt.Fprintf(&b, "  answers       %s\n", countsText(rep.StatusCodes))
	fmt.Fprintf(&b, "  errors        %s\n", countsText(rep.Errors))
	for _, k := range sortedKeys(rep.FirstErrors) {
		fmt.Fprintf(&b, "    first %s: %s\n", k, rep.FirstErrors[k])
	}
	if fromJournal {
		b.WriteString("  payloads      not in a journal")
	} else {
		fmt.Fprintf(&b, "  payloads      %d success, %d failure", rep.Payloads.Success, rep.Payloads.Failure)
	}
	if codes := rep.Payloads.FailureCodes; len(codes) > 0 {
		// Nearest zero first: -43001 before -47403, 40000 before 70000.
		keys := sortedKeys(codes)
		abs := func(c int) int { return max(c, -c) }
		sort.SliceStable(keys, func(i, j int) bool { return abs(keys[i]) < abs(keys[j]) })
		if len(keys) <= maxCodesListed {
			b.WriteString(" (by code")
			for i, k := range keys {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, " %d: %d", k, codes[k])
			}
			b.WriteByte(')')
		} else {
			// Too many codes for a line: sum them by the stage that
			// failed, in the documented order; the JSON has every code.
			fams := map[string]uint64{}
			for c, n := range codes {
				f := "other"
				if ec, ok := generator.LookupCode(c); ok {
					f = ec.Family
				}
				fams[f] += n
			}
			b.WriteString(" (by stage")
			sep := ""
			for _, f := range append(generator.Families, generator.Family{Name: "other"}) {
				if n, ok := fams[f.Name]; ok {
					fmt.Fprintf(&b, "%s %s: %d", sep, f.Name, n)
					sep = ","
				}
			}
			fmt.Fprintf(&b, "; %d codes, each in --report-json)", len(keys))
		}
	}
	if n := rep.Payloads.NotVOD; n > 0 && !fromJournal {
		fmt.Fprintf(&b, ", %d not a VOD event", n)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "  latency       %s  (send time to final answer)\n", rep.Latency)
	fmt.Fprintf(&b, "  service time  %s  (each attempt)\n", rep.Service)
	fmt.Fprintf(&b, "  lateness      %s  (first attempt start minus send time)\n", rep.Lateness)
	fmt.Fprintf(&b, "  conn wait     %s  (each attempt's wait for a free or new connection)\n", rep.ConnWait)
	for _, l := range more {
		fmt.Fprintf(&b, "  %-14s%s\n", l.Label, l.Text)
	}
	if th := rep.Thresholds; th != nil {
		fmt.Fprintf(&b, "  thresholds    max-failed %d", th.MaxFailed)
		if th.MaxP99 > 0 {
			fmt.Fprintf(&b, ", max-p99 %s", fmtDur(th.MaxP99))
		}
		if th.MinRate > 0 {
			fmt.Fprintf(&b, ", min-rate %g%%", 100*th.MinRate)
		}
		b.WriteString("\n")
	}
	if rep.Verdict != "" {
		fmt.Fprintf(&b, "  verdict       %s\n", strings.ToUpper(rep.Verdict))
		for _, c := range rep.Checks {
			v := "pass"
			if !c.Pass {
				v = "FAIL"
			}
			fmt.Fprintf(&b, "    %s %s: %s\n", v, c.Name, c.Message)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// plural gives "1 event", "2 events".
func plural(n uint64, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatUint(n, 10) + " " + one + "s"
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

func countsText[K int | string](m map[K]uint64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := sortedKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%v: %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
