package sender

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tidwall/gjson"
)

// JournalLine is one line of a journal (Config.Journal) as read back: an
// attempt (Attempt >= 1), or an event that ended without a further
// attempt (Attempt 0, with Final; a run of Count events never handed to a
// worker, Step apart, has Count > 0). A plain value.
type JournalLine struct {
	Index     uint64    `json:"index"`
	Count     uint64    `json:"count,omitempty"`
	Step      uint64    `json:"step,omitempty"`
	TaskID    string    `json:"taskId,omitempty"`
	Attempt   int       `json:"attempt"`
	Shard     string    `json:"shard,omitempty"`
	Duplicate bool      `json:"duplicate,omitempty"`
	Intended  time.Time `json:"intended"`
	Start     time.Time `json:"start"`
	// LatencyNs is the attempt's service time: its start to its answer.
	LatencyNs int64  `json:"latencyNs,omitempty"`
	Status    int    `json:"status,omitempty"`
	Error     string `json:"error,omitempty"`
	Malformed string `json:"malformed,omitempty"`
	Final     State  `json:"final,omitempty"`
	// Reason is why a NotSent event was not sent, or what cut an
	// Interrupted one short (ReasonStopped or ReasonDrainEnded).
	Reason string `json:"reason,omitempty"`
	// LastIntended, on a line of Count events the schedule's end left
	// waiting for a slot, is the send time of the last of them: they were
	// due, and the schedule's span runs to it.
	LastIntended time.Time `json:"lastIntended,omitzero"`
}

// ErrJournal is wrapped by ReadJournal's errors about the content.
var ErrJournal = errors.New("bad journal")

// maxJournalLine bounds one journal line (ours are under 1 KB).
const maxJournalLine = 1 << 20

// ReadJournal calls fn with each line of the journal r, in order; it
// stops at fn's first error and returns it. A line that is not a journal
// line is an error wrapping ErrJournal that gives its number.
func ReadJournal(r io.Reader, fn func(*JournalLine) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxJournalLine)
	n := 0
	var l JournalLine
	for sc.Scan() {
		n++
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		l = JournalLine{}
		if err := parseJournalLine(b, &l); err != nil {
			return &Error{Kind: ErrJournal, Reason: fmt.Sprintf("line %d: %v", n, err)}
		}
		if l.Attempt < 0 || l.Attempt == 0 && l.Final == "" || l.Attempt > 0 && l.Start.IsZero() {
			return &Error{Kind: ErrJournal, Reason: fmt.Sprintf("line %d: not an attempt line nor a final one", n)}
		}
		if err := fn(&l); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return &Error{Kind: ErrJournal, Reason: fmt.Sprintf("after line %d: %v", n, err)}
	}
	return nil
}

// journalTarget is the Target of a report rebuilt from a journal, which
// does not hold it.
const journalTarget = "(rebuilt from a journal)"

// ReportFromJournal rebuilds a report from a journal: the events' final
// states, attempts, answers, errors, duplicates, malformed bodies, the
// histograms, and the rates from the send and start times. What a journal
// does not hold stays zero: seed, format, target, the payload mix, the
// reordered, delayed and late counts, the connection waits, first errors.
// The report carries its Histograms, so it merges with others.
func ReportFromJournal(r io.Reader) (*Report, error) {
	rep := &Report{
		Target: journalTarget, Format: "-", Version: "-",
		StatusCodes: map[int]uint64{}, Errors: map[string]uint64{}, FirstErrors: map[string]string{},
		NotSentReasons: map[string]uint64{}, Payloads: PayloadMix{FailureCodes: map[int]uint64{}},
	}
	lat, svc, late := newHist(), newHist(), newHist()
	var first, last, firstStart, lastStart, end, lastDue time.Time
	var starts uint64
	err := ReadJournal(r, func(l *JournalLine) error {
		if l.Shard != "" {
			if rep.Shard == "" {
				rep.Shard = l.Shard
			} else if rep.Shard != l.Shard {
				return &Error{Kind: ErrJournal, Reason: fmt.Sprintf("lines of shards %s and %s in one journal", rep.Shard, l.Shard)}
			}
		}
		if l.Attempt > 0 {
			rep.Attempts++
			if l.Attempt > 1 {
				rep.Retries++
			}
			if l.Error != "" {
				rep.Errors[l.Error]++
			} else {
				rep.StatusCodes[l.Status]++
			}
			service := time.Duration(l.LatencyNs)
			if l.Error != ErrKindInterrupted {
				record(&svc, service)
			}
			if e := l.Start.Add(service); e.After(end) {
				end = e
			}
			if rep.Start.IsZero() || l.Start.Before(rep.Start) {
				rep.Start = l.Start
			}
			if l.Attempt == 1 && !l.Duplicate {
				starts++
				record(&late, max(0, l.Start.Sub(l.Intended)))
				if first.IsZero() || l.Intended.Before(first) {
					first = l.Intended
				}
				if l.Intended.After(last) {
					last = l.Intended
				}
				if firstStart.IsZero() || l.Start.Before(firstStart) {
					firstStart = l.Start
				}
				if l.Start.After(lastStart) {
					lastStart = l.Start
				}
			}
			if l.Final != "" && l.Final != Interrupted && !l.Duplicate {
				record(&lat, l.Start.Add(service).Sub(l.Intended))
			}
		}
		if l.Final == "" {
			return nil
		}
		if l.Duplicate {
			rep.Duplicates++
			if l.Final == Acknowledged {
				rep.DuplicatesAcknowledged++
			}
			return nil
		}
		n := max(l.Count, 1)
		rep.Events += n
		if !rep.countFinal(l.Final, l.Reason, n) {
			return &Error{Kind: ErrJournal, Reason: fmt.Sprintf("unknown final state %q", l.Final)}
		}
		if l.Count > 0 && l.Reason == ReasonScheduleEnded {
			lastDue = later(lastDue, l.LastIntended)
		}
		// An event cut by the drain's end does not make the run
		// interrupted (a journal without a reason on it is taken as stopped).
		if l.Final == Interrupted && l.Reason != ReasonDrainEnded || l.Final == NotSent && l.Reason == ReasonStopped {
			rep.Interrupted = true
		}
		if l.Malformed != "" {
			rep.Malformed++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !end.IsZero() {
		rep.Duration = end.Sub(rep.Start)
	}
	if starts > 1 {
		rep.ScheduleSpan = last.Sub(first)
		if s := rep.ScheduleSpan.Seconds(); s > 0 {
			rep.TargetRate = float64(starts-1) / s
		}
		// As the live report: to the last event due (see tally.report).
		if lastDue.After(last) {
			rep.ScheduleSpan = lastDue.Sub(first)
		}
		from := first
		if firstStart.Before(from) {
			from = firstStart
		}
		if s := later(lastStart, lastDue).Sub(from).Seconds(); s > 0 {
			rep.AchievedRate = float64(starts-1) / s
		}
	}
	if s := rep.Duration.Seconds(); s > 0 {
		rep.Throughput = float64(rep.Acknowledged+rep.OtherStatus+rep.Failed) / s
	}
	rep.Latency, rep.Service, rep.Lateness = summarise(lat), summarise(svc), summarise(late)
	rep.Histograms = &Histograms{Latency: encodeHist(lat), Service: encodeHist(svc), Lateness: encodeHist(late)}
	return rep, nil
}

// parseJournalLine reads one line into l. It reads the keys with gjson,
// several times faster than encoding/json on a long journal; a line that
// is not a JSON object, or a key of the wrong type, is an error.
func parseJournalLine(b []byte, l *JournalLine) error {
	if !gjson.ValidBytes(b) {
		return errors.New("not JSON")
	}
	v := gjson.ParseBytes(b)
	if !v.IsObject() {
		return errors.New("not a JSON object")
	}
	var err error
	bad := func(key string, want string) bool {
		err = fmt.Errorf("%s: want %s", key, want)
		return false
	}
	v.ForEach(func(k, x gjson.Result) bool {
		key := k.Str
		switch key {
		case "index", "count", "step", "attempt", "latencyNs", "status":
			if x.Type != gjson.Number {
				return bad(key, "a number")
			}
			switch key {
			case "index":
				l.Index = x.Uint()
			case "count":
				l.Count = x.Uint()
			case "step":
				l.Step = x.Uint()
			case "attempt":
				l.Attempt = int(x.Int())
			case "latencyNs":
				l.LatencyNs = x.Int()
			case "status":
				l.Status = int(x.Int())
			}
		case "taskId", "shard", "error", "malformed", "final", "reason", "intended", "start", "lastIntended":
			if x.Type != gjson.String {
				return bad(key, "a string")
			}
			switch key {
			case "taskId":
				l.TaskID = x.Str
			case "shard":
				l.Shard = x.Str
			case "error":
				l.Error = x.Str
			case "malformed":
				l.Malformed = x.Str
			case "final":
				l.Final = State(x.Str)
			case "reason":
				l.Reason = x.Str
			case "intended", "start", "lastIntended":
				t, perr := time.Parse(time.RFC3339Nano, x.Str)
				if perr != nil {
					return bad(key, "an RFC 3339 time")
				}
				switch key {
				case "intended":
					l.Intended = t
				case "start":
					l.Start = t
				default:
					l.LastIntended = t
				}
			}
		case "duplicate":
			if x.Type != gjson.True && x.Type != gjson.False {
				return bad(key, "true or false")
			}
			l.Duplicate = x.Bool()
		}
		return true
	})
	return err
}
