package sender

import (
	"encoding/json"
	"io"
	"time"
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
	// the events due: those dispatched, and those the schedule's end left
	// waiting for an in-flight slot. AchievedRate is measured over it (or
	// to the last start, if later).
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
	// Late counts events that had to wait for an in-flight slot, or for
	// their file's previous event (see Config.Source).
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
}

// PayloadMix counts events by the outcome their payload reports: the
// task succeeded (status or ErrCode 0) or failed with an error code. It
// is a plain value.
type PayloadMix struct {
	Success uint64 `json:"success"`
	Failure uint64 `json:"failure"`
	// FailureCodes counts the failures by error code (the 4.0 status,
	// the 3.0 ErrCode).
	FailureCodes map[int]uint64 `json:"failureCodes"`
	// NotVOD counts the payloads of Config.Payloads that are not VOD
	// events (they tell of no task), counted neither success nor failure.
	NotVOD uint64 `json:"notVod,omitempty"`
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

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
