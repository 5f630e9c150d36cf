package sender

import (
	"strconv"
	"time"
)

// journalBuffer is the journal's buffer: it is written out in whole
// lines, when the next line would not fit and every journalFlush.
const journalBuffer = 64 << 10

// journalFlush is the longest a journal line waits in the buffer, so a
// run that is killed loses at most that much of its journal.
const journalFlush = 100 * time.Millisecond

// flushJournal writes out the journal's buffered lines.
func (t *tally) flushJournal() {
	if t.journalErr == nil && t.jw.Buffered() > 0 {
		t.journalErr = t.jw.Flush()
	}
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
		if res.attempted && res.malformed != "" {
			// Cut while waiting to retry: its attempts carried a broken
			// body, and the report counts it malformed on its final line.
			b = append(b, `,"malformed":"`...)
			b = append(b, res.malformed...)
			b = append(b, '"')
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
		if res.reason != "" {
			// An interrupted event: the run stopped, or the drain ended.
			b = append(b, `,"reason":`...)
			b = strconv.AppendQuote(b, res.reason)
		}
	}
	t.writeLine(append(b, "}\n"...))
}

// journalUnsent writes the line of n consecutive events from index from
// that were never handed to a worker: {"index":from,"count":n,"attempt":0,
// "final":"not-sent","reason":...}; a shard's events are N indices apart,
// and its line says so with "step":N after "count".
func (t *tally) journalUnsent(from, n uint64, reason string, lastDue time.Time) {
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
	if !lastDue.IsZero() {
		b = append(b, `,"lastIntended":"`...)
		b = lastDue.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
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
