package sender

import (
	"bufio"
	"maps"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// histogram bounds, in microseconds: 1 µs to 1 hour.
const histMax = int64(time.Hour / time.Microsecond)

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(1, histMax, 3) }

// runHistMax is the bound a run's histograms start with, in microseconds:
// one second. Their buckets are those of newHist's up to it (the layout
// depends only on the lowest value and the digits), in half the memory
// (90 KB, not 188); the first sample above it widens one to newHist's
// bound with the same counts (widen), so the percentiles, the mean, the
// maximum and the encoding are those of a histogram that had the whole
// bound from the start.
const runHistMax = int64(time.Second / time.Microsecond)

func newRunHist() *hdrhistogram.Histogram { return hdrhistogram.New(1, runHistMax, 3) }

// widen returns h with newHist's bound: h itself when it has it, else a
// copy with the same counts.
func widen(h *hdrhistogram.Histogram) *hdrhistogram.Histogram {
	if h.HighestTrackableValue() >= histMax {
		return h
	}
	w := newHist()
	w.Merge(h)
	return w
}

// record adds d to *h, widening *h first when d is beyond its bound.
func record(h **hdrhistogram.Histogram, d time.Duration) {
	us := int64(d / time.Microsecond)
	if us < 1 {
		us = 1
	}
	if us > histMax {
		us = histMax
	}
	if us > (*h).HighestTrackableValue() {
		*h = widen(*h)
	}
	_ = (*h).RecordValue(us) // in range by construction
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
		latency: newRunHist(), service: newRunHist(), lateness: newRunHist(), connWait: newRunHist(),
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
			record(&t.service, res.service)
			if res.connWait >= 0 {
				record(&t.connWait, res.connWait)
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
		record(&t.lateness, max(0, res.start.Sub(res.intended)))
	}
	if !res.final {
		return
	}
	t.done++
	t.markFinal(t.r.shard.pos(res.idx))
	rep.countFinal(res.state, res.reason, 1)
	if res.state != NotSent && res.state != Interrupted {
		record(&t.latency, res.start.Add(res.service).Sub(res.intended))
	}
	if res.waited {
		rep.Late++
	}
	if !res.attempted {
		return // the faults below never reached the wire
	}
	switch {
	case res.notVOD:
		rep.Payloads.NotVOD++
	case res.outcome == 0:
		rep.Payloads.Success++
	default:
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
	// lastDue is the send time of the last event the schedule's end left
	// waiting for a slot: it was due, so the schedule's span and the
	// achieved rate run to it.
	var lastDue time.Time
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
				if i/64 >= uint64(len(t.finals)) {
					// No event past the bitmap has a final result: the
					// rest is one run, however many (a huge Count stopped
					// early must not be walked one by one).
					i = rep.Events
					break
				}
				i++
			}
			rep.NotSent += i - from
			rep.NotSentReasons[st.reason] += i - from
			var due time.Time
			if st.reason == ReasonScheduleEnded && t.r.sched != nil {
				due = t.r.start.Add(t.r.sched.At(t.r.shard.index(i - 1)))
				lastDue = due
			}
			if t.jw != nil {
				t.journalUnsent(t.r.shard.index(from), i-from, st.reason, due)
			}
		}
	}
	if t.r.sched != nil && st.dispatched > 1 {
		rep.ScheduleSpan = st.lastIntended.Sub(st.firstIntended)
		if span := rep.ScheduleSpan.Seconds(); span > 0 {
			rep.TargetRate = float64(st.dispatched-1) / span
		}
	}
	if !st.firstIntended.IsZero() && lastDue.After(st.firstIntended.Add(rep.ScheduleSpan)) {
		rep.ScheduleSpan = lastDue.Sub(st.firstIntended)
	}
	if t.r.sched != nil && rep.TargetRate == 0 {
		// One event: no span to measure a rate over, but the schedule
		// had one all the same.
		if d := t.r.sched.At(t.r.shard.index(1)) - t.r.sched.At(t.r.shard.index(0)); d > 0 {
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
		// To the last start, or to the last event due if that is later:
		// events never sent lower the rate, not only late ones.
		if span := later(t.lastStart, lastDue).Sub(from).Seconds(); span > 0 {
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

// countFinal counts n events that ended in state s (for NotSent, with
// reason); it reports false for a state it does not know.
func (rep *Report) countFinal(s State, reason string, n uint64) bool {
	switch s {
	case Acknowledged:
		rep.Acknowledged += n
	case OtherStatus:
		rep.OtherStatus += n
	case Failed:
		rep.Failed += n
	case Interrupted:
		rep.InterruptedEvents += n
	case NotSent:
		rep.NotSent += n
		rep.NotSentReasons[reason] += n
	default:
		return false
	}
	return true
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
