package sender

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/vodsim/vodsim/generator"
)

// Report is what happened in a run. Every event generated is counted in
// exactly one of Acknowledged, OtherStatus, Failed, InterruptedEvents and
// NotSent, so they add up to Events; duplicate deliveries and retries are
// counted apart. An event the receiver got is never counted NotSent:
// that state means no attempt was started.
// The JSON encoding (field names in the tags, durations in nanoseconds)
// holds the same numbers as the text of WriteText.
//
// A Report is a plain value: Run returns it complete and keeps no
// reference; its methods only read it.
type Report struct {
	// Scenario is the name of the scenario the events came from, ""
	// when none; the caller fills it in.
	Scenario string `json:"scenario,omitempty"`
	// Version is the sending vodsim's (Config.Version, "dev" if unset).
	Version string `json:"version"`
	// Start is when the run started.
	Start time.Time `json:"start"`
	// Target is the receiver's URL; Format the wire format ("v4", "v3").
	Target string `json:"target"`
	Format string `json:"format"`
	// Seed is the run's seed.
	Seed int64 `json:"seed"`
	// Shard is "K/N" for one shard of a run (see Shard), "" for a whole
	// run; a merged report lists the shards it holds ("0-3/4").
	Shard string `json:"shard,omitempty"`
	// Duration is the run's wall time, start to the last answer.
	Duration time.Duration `json:"durationNs"`
	// TargetRate is the rate the schedule asked for over the events
	// sent, in events per second (for a run of one event, the schedule's
	// rate at its start); 0 means as fast as possible.
	TargetRate float64 `json:"targetRate"`
	// ScheduleSpan is the time from the first to the last send time of
	// the events dispatched: what AchievedRate is measured over.
	ScheduleSpan time.Duration `json:"scheduleSpanNs"`
	// AchievedRate is the rate at which events' first attempts started,
	// each start less any delay the scenario added to it on purpose, so
	// that it measures how well the sender kept to the schedule.
	AchievedRate float64 `json:"achievedRate"`
	// Throughput is events that reached a final state per second of Duration.
	Throughput float64 `json:"throughput"`

	// Events is how many events the run generated: the planned number,
	// or those whose turn came when the plan had no end.
	Events       uint64 `json:"events"`
	Acknowledged uint64 `json:"acknowledged"`
	OtherStatus  uint64 `json:"otherStatus"`
	Failed       uint64 `json:"failed"`
	// InterruptedEvents were cut short by the run's stop (or the end of
	// Config.Drain) during an attempt or while waiting to retry: the
	// receiver may or may not have got them.
	InterruptedEvents uint64 `json:"interruptedEvents"`
	// NotSent events never had an attempt started; NotSentReasons counts
	// them by why (Reason*).
	NotSent        uint64            `json:"notSent"`
	NotSentReasons map[string]uint64 `json:"notSentReasons"`

	// Attempts counts every attempt, duplicates' included; Retries the
	// attempts after an event's (or duplicate's) first.
	Attempts uint64 `json:"attempts"`
	Retries  uint64 `json:"retries"`
	// Duplicates counts the second deliveries of events chosen to be
	// duplicated, and how many of those were acknowledged.
	Duplicates             uint64 `json:"duplicates"`
	DuplicatesAcknowledged uint64 `json:"duplicatesAcknowledged"`
	// Faults that reached the wire: events delivered out of turn, with a
	// broken body, after an added delay.
	Reordered uint64 `json:"reordered"`
	Malformed uint64 `json:"malformed"`
	Delayed   uint64 `json:"delayed"`
	// Late counts events that had to wait for an in-flight slot.
	Late uint64 `json:"late"`

	// StatusCodes counts answered attempts by HTTP status.
	StatusCodes map[int]uint64 `json:"statusCodes"`
	// Errors counts unanswered attempts by error kind (ErrKind*), and
	// FirstErrors holds the first error message seen of each kind.
	Errors      map[string]uint64 `json:"errors"`
	FirstErrors map[string]string `json:"firstErrors"`

	// Payloads is the outcome mix of the events sent (attempted at least
	// once, duplicates not counted again), as the event model made them.
	Payloads PayloadMix `json:"payloads"`

	// Latency runs from an event's send time to its final answer, so a
	// slow receiver cannot hide behind a slow sender (open model).
	Latency Percentiles `json:"latency"`
	// Service is each attempt's time from its start to its answer.
	Service Percentiles `json:"service"`
	// Lateness is each event's first attempt start minus its send time.
	Lateness Percentiles `json:"lateness"`
	// ConnWait is each attempt's wait for a free or new connection (from
	// asking the pool to getting one, or to the attempt's end without
	// one): it shows attempts queueing when every connection is held. A
	// Config.Transport that does not report its connections (through
	// net/http/httptrace, as http.Transport does) leaves it without samples.
	ConnWait Percentiles `json:"connWait"`
	// Histograms are the four histograms above themselves, encoded, so
	// that reports merge without loss (see Merge).
	Histograms *Histograms `json:"histograms,omitempty"`

	// Interrupted is true when the run was stopped before its end.
	Interrupted bool `json:"interrupted"`
	// Thresholds, Checks and Verdict are set by Judge: the thresholds
	// given, each one's check, and "pass" or "fail" ("" until judged).
	Thresholds *Thresholds `json:"thresholds,omitempty"`
	Checks     []Check     `json:"checks,omitempty"`
	Verdict    string      `json:"verdict,omitempty"`
	// Receiver, when the run was sent to vodsim's own receiver, is what
	// it saw; the caller fills it in.
	Receiver *ReceiverStats `json:"receiver,omitempty"`
}

// maxCodesListed is the most failure codes the text report lists one by
// one; beyond it, they are summed by stage.
const maxCodesListed = 8

// PayloadMix counts events by the outcome their payload reports: the
// task succeeded (status or ErrCode 0) or failed with an error code. It
// is a plain value.
type PayloadMix struct {
	Success uint64 `json:"success"`
	Failure uint64 `json:"failure"`
	// FailureCodes counts the failures by error code (the 4.0 status,
	// the 3.0 ErrCode).
	FailureCodes map[int]uint64 `json:"failureCodes"`
}

// Percentiles summarise a histogram of durations (1 µs resolution, 3
// significant digits, up to an hour). The zero value means no samples.
type Percentiles struct {
	// Count is the number of samples.
	Count int64 `json:"count"`
	// Mean is their mean; P50 to P999 the 50th, 90th, 99th and 99.9th
	// percentiles; Max the largest.
	Mean time.Duration `json:"meanNs"`
	P50  time.Duration `json:"p50Ns"`
	P90  time.Duration `json:"p90Ns"`
	P99  time.Duration `json:"p99Ns"`
	P999 time.Duration `json:"p999Ns"`
	Max  time.Duration `json:"maxNs"`
}

// histogram bounds, in microseconds: 1 µs to 1 hour.
const histMax = int64(time.Hour / time.Microsecond)

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(1, histMax, 3) }

func record(h *hdrhistogram.Histogram, d time.Duration) {
	us := int64(d / time.Microsecond)
	if us < 1 {
		us = 1
	}
	if us > histMax {
		us = histMax
	}
	_ = h.RecordValue(us) // in range by construction
}

func summarise(h *hdrhistogram.Histogram) Percentiles {
	if h.TotalCount() == 0 {
		return Percentiles{}
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	return Percentiles{
		Count: h.TotalCount(),
		Mean:  time.Duration(h.Mean() * float64(time.Microsecond)),
		P50:   us(h.ValueAtPercentile(50)),
		P90:   us(h.ValueAtPercentile(90)),
		P99:   us(h.ValueAtPercentile(99)),
		P999:  us(h.ValueAtPercentile(99.9)),
		Max:   us(h.Max()),
	}
}

// journalBuffer is the journal's buffer: it is written out in whole
// lines, when the next line would not fit and every journalFlush.
const journalBuffer = 64 << 10

// journalFlush is the longest a journal line waits in the buffer, so a
// run that is killed loses at most that much of its journal.
const journalFlush = 100 * time.Millisecond

// tally is the collector's state: one goroutine owns it.
type tally struct {
	r          *run
	jw         *bufio.Writer
	journalErr error
	start      time.Time
	rep        Report
	latency    *hdrhistogram.Histogram
	service    *hdrhistogram.Histogram
	lateness   *hdrhistogram.Histogram
	connWait   *hdrhistogram.Histogram
	done       uint64 // events in a final state
	started    uint64 // events whose first attempt started
	errors     uint64 // attempts without a 2xx answer
	firstStart time.Time
	lastStart  time.Time
	line       []byte
	// finals has bit i set once event i (not a duplicate) has its final
	// result; the events without one were never handed to a worker.
	finals []uint64
}

func newTally(r *run, jw *bufio.Writer) *tally {
	return &tally{
		r: r, jw: jw,
		rep: Report{
			Target: r.target, Format: string(r.enc.Format), Seed: r.seed,
			StatusCodes: map[int]uint64{}, Errors: map[string]uint64{}, FirstErrors: map[string]string{},
			NotSentReasons: map[string]uint64{},
			Payloads:       PayloadMix{FailureCodes: map[int]uint64{}},
		},
		latency: newHist(), service: newHist(), lateness: newHist(), connWait: newHist(),
		line: make([]byte, 0, 512),
	}
}

// collect consumes results until the channel is closed, calling the
// progress callback on the way.
func (t *tally) collect(results <-chan result) {
	var tick <-chan time.Time
	if t.r.progress != nil {
		tk := time.NewTicker(t.r.progressInt)
		defer tk.Stop()
		tick = tk.C
	}
	var flush <-chan time.Time
	if t.jw != nil {
		fk := time.NewTicker(journalFlush)
		defer fk.Stop()
		flush = fk.C
	}
	for {
		select {
		case res, ok := <-results:
			if !ok {
				return
			}
			t.add(&res)
		case <-tick:
			t.r.progress(t.snapshot())
		case <-flush:
			t.flushJournal()
		}
	}
}

// flushJournal writes out the journal's buffered lines.
func (t *tally) flushJournal() {
	if t.journalErr == nil && t.jw.Buffered() > 0 {
		t.journalErr = t.jw.Flush()
	}
}

func (t *tally) snapshot() Progress {
	return Progress{
		Elapsed: time.Since(t.start), Planned: t.r.planned, Started: t.started,
		Done: t.done, Acknowledged: t.rep.Acknowledged, Errors: t.errors,
	}
}

func (t *tally) add(res *result) {
	rep := &t.rep
	if res.attempt > 0 {
		rep.Attempts++
		if res.attempt > 1 {
			rep.Retries++
		}
		switch {
		case res.errKind != "":
			rep.Errors[res.errKind]++
			t.errors++
			if _, ok := rep.FirstErrors[res.errKind]; !ok && res.err != nil {
				msg := res.err.Error()
				if res.errKind == ErrKindTimeout {
					// "context deadline exceeded" alone does not say which.
					msg = "no answer within " + t.r.retry.Timeout.String() + ": " + msg
				}
				rep.FirstErrors[res.errKind] = msg
			}
		default:
			rep.StatusCodes[res.status]++
			if res.status < 200 || res.status > 299 {
				t.errors++
			}
		}
		if res.errKind != ErrKindInterrupted {
			record(t.service, res.service)
			if res.connWait >= 0 {
				record(t.connWait, res.connWait)
			}
		}
	}
	if t.jw != nil && (res.attempt > 0 || res.final) {
		t.journal(res)
	}
	if res.duplicate {
		if res.final {
			rep.Duplicates++
			if res.state == Acknowledged {
				rep.DuplicatesAcknowledged++
			}
		}
		return
	}
	if res.attempt == 1 {
		t.started++
		// The achieved rate measures the sender's pacing: a delay added
		// on purpose (a fault) is taken off the start it postponed.
		start := res.start.Add(-res.delay)
		if t.firstStart.IsZero() || start.Before(t.firstStart) {
			t.firstStart = start
		}
		if start.After(t.lastStart) {
			t.lastStart = start
		}
		record(t.lateness, max(0, res.start.Sub(res.intended)))
	}
	if !res.final {
		return
	}
	t.done++
	t.markFinal(t.r.shard.pos(res.idx))
	switch res.state {
	case Acknowledged:
		rep.Acknowledged++
	case OtherStatus:
		rep.OtherStatus++
	case Failed:
		rep.Failed++
	case Interrupted:
		rep.InterruptedEvents++
	case NotSent:
		rep.NotSent++
		rep.NotSentReasons[res.reason]++
	}
	if res.state != NotSent && res.state != Interrupted {
		record(t.latency, res.start.Add(res.service).Sub(res.intended))
	}
	if res.waited {
		rep.Late++
	}
	if !res.attempted {
		return // the faults below never reached the wire
	}
	if res.outcome == 0 {
		rep.Payloads.Success++
	} else {
		rep.Payloads.Failure++
		rep.Payloads.FailureCodes[res.outcome]++
	}
	if res.malformed != "" {
		rep.Malformed++
	}
	if res.reordered {
		rep.Reordered++
	}
	if res.delayed {
		rep.Delayed++
	}
}

// markFinal notes that event idx has its final result.
func (t *tally) markFinal(idx uint64) {
	w := idx / 64
	if w >= uint64(len(t.finals)) {
		t.finals = append(t.finals, make([]uint64, int(w)+1-len(t.finals))...)
	}
	t.finals[w] |= 1 << (idx % 64)
}

// hasFinal reports whether event idx has its final result.
func (t *tally) hasFinal(idx uint64) bool {
	w := idx / 64
	return w < uint64(len(t.finals)) && t.finals[w]&(1<<(idx%64)) != 0
}

// journal writes one NDJSON line for an attempt, or for an event that
// ended with no further attempt ("attempt":0: not sent, or interrupted
// while waiting to retry). Lines are written out whole: the buffer is
// flushed before a line that would not fit in it.
func (t *tally) journal(res *result) {
	b := t.line[:0]
	b = append(b, `{"index":`...)
	b = strconv.AppendUint(b, res.idx, 10)
	b = append(b, `,"taskId":`...)
	b = strconv.AppendQuote(b, res.taskID)
	b = append(b, `,"attempt":`...)
	b = strconv.AppendInt(b, int64(res.attempt), 10)
	b = t.appendShard(b)
	if res.duplicate {
		b = append(b, `,"duplicate":true`...)
	}
	if res.attempt == 0 {
		b = append(b, `,"final":"`...)
		b = append(b, res.state...)
		b = append(b, '"')
		if res.reason != "" {
			b = append(b, `,"reason":`...)
			b = strconv.AppendQuote(b, res.reason)
		}
		t.writeLine(append(b, "}\n"...))
		return
	}
	b = append(b, `,"intended":"`...)
	b = res.intended.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","start":"`...)
	b = res.start.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","latencyNs":`...)
	b = strconv.AppendInt(b, int64(res.service), 10)
	if res.errKind != "" {
		b = append(b, `,"error":"`...)
		b = append(b, res.errKind...)
		b = append(b, '"')
	} else {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(res.status), 10)
	}
	if res.malformed != "" {
		b = append(b, `,"malformed":"`...)
		b = append(b, res.malformed...)
		b = append(b, '"')
	}
	if res.final {
		b = append(b, `,"final":"`...)
		b = append(b, res.state...)
		b = append(b, '"')
	}
	t.writeLine(append(b, "}\n"...))
}

// journalUnsent writes the line of n consecutive events from index from
// that were never handed to a worker: {"index":from,"count":n,"attempt":0,
// "final":"not-sent","reason":...}; a shard's events are N indices apart,
// and its line says so with "step":N after "count".
func (t *tally) journalUnsent(from, n uint64, reason string) {
	b := t.line[:0]
	b = append(b, `{"index":`...)
	b = strconv.AppendUint(b, from, 10)
	b = append(b, `,"count":`...)
	b = strconv.AppendUint(b, n, 10)
	if t.r.shard.Sharded() {
		b = append(b, `,"step":`...)
		b = strconv.AppendUint(b, t.r.shard.step(), 10)
	}
	b = t.appendShard(b)
	b = append(b, `,"attempt":0,"final":"not-sent","reason":`...)
	b = strconv.AppendQuote(b, reason)
	t.writeLine(append(b, "}\n"...))
}

// writeLine buffers one whole journal line.
func (t *tally) writeLine(b []byte) {
	t.line = b
	if t.journalErr != nil {
		return
	}
	if t.jw.Available() < len(b) && t.jw.Buffered() > 0 {
		if t.journalErr = t.jw.Flush(); t.journalErr != nil {
			return
		}
	}
	_, t.journalErr = t.jw.Write(b)
}

func (t *tally) report(end time.Time, st dispatchStats) *Report {
	rep := t.rep
	rep.Duration = end.Sub(t.start)
	rep.Events = st.generated
	if p := t.r.planned; p > rep.Events {
		rep.Events = p
	}
	// Events generated (or planned) but never given to a worker: the run
	// stopped, or the schedule ended while they waited for a slot.
	rep.NotSentReasons = maps.Clone(rep.NotSentReasons)
	if fin := rep.Acknowledged + rep.OtherStatus + rep.Failed + rep.InterruptedEvents + rep.NotSent; fin < rep.Events {
		// One journal line per run of consecutive indices: a run stopped
		// early may leave millions.
		for i := uint64(0); i < rep.Events; {
			if t.hasFinal(i) {
				i++
				continue
			}
			from := i
			for i < rep.Events && !t.hasFinal(i) {
				i++
			}
			rep.NotSent += i - from
			rep.NotSentReasons[st.reason] += i - from
			if t.jw != nil {
				t.journalUnsent(t.r.shard.index(from), i-from, st.reason)
			}
		}
	}
	if t.r.sched != nil && st.dispatched > 1 {
		rep.ScheduleSpan = st.lastIntended.Sub(st.firstIntended)
		if span := rep.ScheduleSpan.Seconds(); span > 0 {
			rep.TargetRate = float64(st.dispatched-1) / span
		}
	}
	if t.r.sched != nil && rep.TargetRate == 0 {
		// One event: no span to measure a rate over, but the schedule
		// had one all the same.
		if d := t.r.sched.at(t.r.shard.index(1)) - t.r.sched.at(t.r.shard.index(0)); d > 0 {
			rep.TargetRate = 1 / d.Seconds()
		}
	}
	// The achieved rate runs from the schedule's first send time (not the
	// first actual start) so that a late start cannot flatter it.
	from := t.firstStart
	if !st.firstIntended.IsZero() && st.firstIntended.Before(from) {
		from = st.firstIntended
	}
	if t.started > 1 {
		if span := t.lastStart.Sub(from).Seconds(); span > 0 {
			rep.AchievedRate = float64(t.started-1) / span
		}
	}
	if s := rep.Duration.Seconds(); s > 0 {
		rep.Throughput = float64(rep.Acknowledged+rep.OtherStatus+rep.Failed) / s
	}
	rep.Latency = summarise(t.latency)
	rep.Service = summarise(t.service)
	rep.Lateness = summarise(t.lateness)
	rep.ConnWait = summarise(t.connWait)
	rep.Histograms = t.histograms()
	return &rep
}

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
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d/time.Microsecond)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.3fs", d.Seconds())
	}
}

// WriteText writes the report for people.
func (rep *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	head := "vodsim send"
	if rep.Shard != "" {
		head += " shard " + rep.Shard
	}
	if rep.Interrupted {
		head += " (interrupted)"
	}
	fmt.Fprintf(&b, "%s: %s to %s, format %s, seed %d\n", head, plural(rep.Events, "event"), rep.Target, rep.Format, rep.Seed)
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
	fmt.Fprintf(&b, "  faults        %d reordered, %d malformed, %d delayed\n", rep.Reordered, rep.Malformed, rep.Delayed)
	fmt.Fprintf(&b, "  late          %s waited for an in-flight slot\n", plural(rep.Late, "event"))
	fmt.Fprintf(&b, "  answers       %s\n", countsText(rep.StatusCodes))
	fmt.Fprintf(&b, "  errors        %s\n", countsText(rep.Errors))
	for _, k := range sortedKeys(rep.FirstErrors) {
		fmt.Fprintf(&b, "    first %s: %s\n", k, rep.FirstErrors[k])
	}
	fmt.Fprintf(&b, "  payloads      %d success, %d failure", rep.Payloads.Success, rep.Payloads.Failure)
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
	b.WriteString("\n")
	fmt.Fprintf(&b, "  latency       %s  (send time to final answer)\n", rep.Latency)
	fmt.Fprintf(&b, "  service time  %s  (each attempt)\n", rep.Service)
	fmt.Fprintf(&b, "  lateness      %s  (first attempt start minus send time)\n", rep.Lateness)
	fmt.Fprintf(&b, "  conn wait     %s  (each attempt's wait for a free or new connection)\n", rep.ConnWait)
	if s := rep.Receiver; s != nil {
		fmt.Fprintf(&b, "  receiver      %s, %s, %d duplicates, %d malformed",
			plural(s.Requests, "payload"), plural(s.Distinct, "distinct event"), s.Duplicates, s.Malformed)
		if s.Signed > 0 || s.BadSignature > 0 {
			fmt.Fprintf(&b, ", %d signed (%d bad signatures)", s.Signed, s.BadSignature)
		}
		switch {
		case s.Malformed == 0:
			b.WriteString(": every payload well-formed\n")
		case rep.Malformed > 0:
			fmt.Fprintf(&b, ": malformed payloads expected, %d events were sent malformed on purpose (first: %s)\n", rep.Malformed, s.FirstError)
		default:
			fmt.Fprintf(&b, ": NOT every payload well-formed (first: %s)\n", s.FirstError)
		}
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

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// Thresholds are what a run must meet, for CI. The zero value demands
// that every event is acknowledged and checks nothing else.
type Thresholds struct {
	// MaxFailed is how many events may end unacknowledged (other
	// status, failed, interrupted or not sent).
	MaxFailed uint64 `json:"maxFailed"`
	// MaxP99 bounds the latency's 99th percentile; 0 means no bound.
	MaxP99 time.Duration `json:"maxP99Ns"`
	// MinRate is the least achieved rate as a fraction (0..1) of the
	// target rate; 0 means no bound. It is judged over the schedule's
	// span (ScheduleSpan): a run whose span is under MinRateSpan is too
	// short to measure and passes, as does an unlimited-rate run.
	MinRate float64 `json:"minRate"`
}

// MinRateSpan is the shortest ScheduleSpan over which Thresholds.MinRate
// is judged: over a shorter one, a few milliseconds of a busy machine's
// scheduling would decide the rate (3 events at 200/s span 10 ms).
const MinRateSpan = time.Second

// Breach is one threshold a run did not meet: a plain value.
type Breach struct {
	// Name is the threshold: "max-failed", "max-p99" or "min-rate".
	Name string `json:"name"`
	// Message says what was wanted and what was measured.
	Message string `json:"message"`
}

// Check is one threshold's verdict: a plain value.
type Check struct {
	// Name is the threshold, as in Breach.
	Name string `json:"name"`
	// Pass is whether the run met it.
	Pass bool `json:"pass"`
	// Message says what was wanted and what was measured.
	Message string `json:"message"`
}

// String gives the breach as "name: message".
func (b Breach) String() string { return b.Name + ": " + b.Message }

// Check returns the thresholds rep breaches, none when it meets them all.
func (rep *Report) Check(th Thresholds) []Breach {
	var out []Breach
	for _, c := range rep.checks(th) {
		if !c.Pass {
			out = append(out, Breach{c.Name, c.Message})
		}
	}
	return out
}

// Judge checks rep against th, adds the caller's own breaches (extra),
// and records in rep the thresholds, every check with its verdict, and
// the run's Verdict: "fail" if anything was breached, else "pass". It
// returns the breaches, as Check does, extra included.
func (rep *Report) Judge(th Thresholds, extra ...Breach) []Breach {
	rep.Thresholds = &th
	rep.Checks = rep.checks(th)
	for _, b := range extra {
		rep.Checks = append(rep.Checks, Check{Name: b.Name, Message: b.Message})
	}
	rep.Verdict = "pass"
	var out []Breach
	for _, c := range rep.Checks {
		if !c.Pass {
			rep.Verdict = "fail"
			out = append(out, Breach{c.Name, c.Message})
		}
	}
	return out
}

// checks gives the verdict of each threshold th sets: max-failed always,
// max-p99 and min-rate when above 0.
func (rep *Report) checks(th Thresholds) []Check {
	n := rep.Events - rep.Acknowledged
	out := []Check{{Name: "max-failed", Pass: n <= th.MaxFailed,
		Message: fmt.Sprintf("%d of %s not acknowledged (%d other status, %d failed, %d interrupted, %d not sent); at most %d allowed",
			n, plural(rep.Events, "event"), rep.OtherStatus, rep.Failed, rep.InterruptedEvents, rep.NotSent, th.MaxFailed)}}
	if th.MaxP99 > 0 {
		c := Check{Name: "max-p99", Pass: rep.Latency.P99 <= th.MaxP99}
		if c.Pass {
			c.Message = fmt.Sprintf("latency p99 %s is within %s", fmtDur(rep.Latency.P99), fmtDur(th.MaxP99))
		} else {
			c.Message = fmt.Sprintf("latency p99 %s is above %s", fmtDur(rep.Latency.P99), fmtDur(th.MaxP99))
		}
		out = append(out, c)
	}
	if th.MinRate > 0 {
		c := Check{Name: "min-rate", Pass: true}
		switch {
		case rep.TargetRate == 0:
			c.Message = "not judged: the run had no target rate"
		case rep.ScheduleSpan < MinRateSpan:
			c.Message = fmt.Sprintf("not judged: the schedule spans %s, under %s, too short to measure a rate", fmtDur(rep.ScheduleSpan), fmtDur(MinRateSpan))
		default:
			pct := 100 * rep.AchievedRate / rep.TargetRate
			c.Pass = rep.AchievedRate >= th.MinRate*rep.TargetRate
			c.Message = fmt.Sprintf("achieved %.1f/s is %.1f%% of the target %.1f/s; at least %.1f%% wanted", rep.AchievedRate, pct, rep.TargetRate, 100*th.MinRate)
		}
		out = append(out, c)
	}
	return out
}
