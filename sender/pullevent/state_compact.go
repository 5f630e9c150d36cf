package pullevent

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// Compaction. Most of a long run's log is dead: the pulls and confirms of
// events long gone. When the log outweighs the live state, the queue is
// written as a snapshot to FILE.compact beside FILE, which is fsynced and
// renamed over FILE, and the directory is fsynced; appending then goes on
// in the new file. A crash at any step leaves FILE whole: the old log up to
// the rename, the new one from it. A leftover FILE.compact (a crash before
// the rename) is removed at the next start.
//
// A snapshot is a run of records at the start of the file, right after the
// magic: a head, the slots, the injected events, the events in flight, and
// an end that counts them. It is never torn (it is whole before the
// rename), so a file that ends inside one is corrupt, not torn.
const (
	recSnap       = 'H' // seq, sbase, next, 5 counters, count, fill ends
	recSnapSlots  = 'S' // runs: n, state, then unless done src, idx, added, deliveries
	recSnapInj    = 'I' // count, then count times seq + len + JSON (keptEncoding)
	recSnapFlight = 'T' // count, then count times seq + handle + deadline
	recSnapEnd    = 'E' // slots, injected events, flights
)

const (
	// compactMin is how much larger than the last snapshot the log must
	// grow (and at least twice its size) before it is compacted while
	// serve runs: about 115,000 round trips of one event.
	compactMin = 8 << 20
	// compactMinIdle is the same at start and at a clean close, where a
	// compaction costs no poller anything.
	compactMinIdle = 64 << 10
	// snapChunk is the size above which a snapshot record is cut.
	snapChunk = 1 << 20
)

// snapWriter writes records to w, counting the bytes; the first error
// sticks.
type snapWriter struct {
	w   io.Writer
	buf []byte
	n   int64
	err error
}

func (s *snapWriter) begin(typ byte) { s.buf = append(s.buf[:0], 0, 0, 0, 0, 0, 0, 0, 0, typ) }
func (s *snapWriter) u64(v uint64)   { s.buf = appendU64(s.buf, v) }
func (s *snapWriter) u32(v uint32)   { s.buf = appendU32(s.buf, v) }

func (s *snapWriter) end() {
	if s.err != nil {
		return
	}
	sealRecord(s.buf)
	var n int
	n, s.err = s.w.Write(s.buf)
	s.n += int64(n)
}

// writeSnapshotLocked writes the magic and a snapshot of q to w and returns
// its size. pullsAdj is added to the pull counter: a pull is counted after
// it is recorded.
func (q *Queue) writeSnapshotLocked(w io.Writer, pullsAdj uint64) (int64, error) {
	s := &snapWriter{w: w}
	if _, s.err = io.WriteString(w, stateMagic); s.err != nil {
		return 0, s.err
	}
	s.n = int64(len(stateMagic))
	// Done events at the head are left out, as trimLocked would.
	lead := 0
	for lead < len(q.slots) && q.slots[lead].state == stDone {
		lead++
	}
	slots := q.slots[lead:]
	sbase := q.sbase + uint64(lead)

	s.begin(recSnap)
	s.u64(q.seq)
	s.u64(sbase)
	s.u64(q.next)
	st := q.stats
	for _, v := range []uint64{st.Enqueued, st.Confirmed, st.Redelivered, st.Expired, st.Pulls + pullsAdj} {
		s.u64(v)
	}
	s.u32(uint32(len(q.fillEnd)))
	for _, e := range q.fillEnd {
		s.u64(e)
	}
	s.end()

	// Slots, as runs of the same state (and for a waiting or in-flight
	// event the same source, arrival and deliveries, and consecutive
	// indexes): a fill of millions not yet pulled is one run.
	s.begin(recSnapSlots)
	for i := 0; i < len(slots); {
		a := slots[i]
		j := i + 1
		for j < len(slots) && sameRun(a, slots[j], uint64(j-i)) {
			j++
		}
		if len(s.buf) > snapChunk {
			s.end()
			s.begin(recSnapSlots)
		}
		s.u64(uint64(j - i))
		s.buf = append(s.buf, byte(a.state))
		if a.state != stDone {
			s.u32(uint32(a.src))
			s.u64(a.idx)
			s.u64(uint64(a.added))
			s.u32(a.deliveries)
		}
		i = j
	}
	s.end()

	// Injected events keep their content, in seq order.
	enc := keptEncoding
	var ninj, nfl uint64
	chunk := func(typ byte, count *uint32, at int) {
		if len(s.buf) > snapChunk {
			putU32(s.buf[at:], *count)
			s.end()
			s.begin(typ)
			s.u32(0)
			*count = 0
		}
	}
	s.begin(recSnapInj)
	s.u32(0)
	var cnt uint32
	for i := range slots {
		if slots[i].src != injectedSrc || slots[i].state == stDone {
			continue
		}
		chunk(recSnapInj, &cnt, 9)
		seq := sbase + uint64(i)
		s.u64(seq)
		at := len(s.buf)
		s.u32(0)
		s.buf = enc.Append(s.buf, q.injected[seq])
		putU32(s.buf[at:], uint32(len(s.buf)-at-4))
		cnt++
		ninj++
	}
	putU32(s.buf[9:], cnt)
	s.end()

	// Deliveries in flight, in pull order, with their handles and
	// deadlines.
	s.begin(recSnapFlight)
	s.u32(0)
	cnt = 0
	for _, f := range q.timeline[q.thead:] {
		if seq, ok := q.inflight[f.handle]; !ok || seq != f.seq {
			continue
		}
		chunk(recSnapFlight, &cnt, 9)
		s.u64(f.seq)
		s.buf = append(s.buf, f.handle...)
		s.u64(uint64(f.deadline.UnixNano()))
		cnt++
		nfl++
	}
	putU32(s.buf[9:], cnt)
	s.end()

	s.begin(recSources)
	appendSources(s, q.srcs)
	s.end()

	s.begin(recSnapEnd)
	s.u64(uint64(len(slots)))
	s.u64(ninj)
	s.u64(nfl)
	s.end()
	return s.n, s.err
}

// sameRun reports whether s continues the run that a starts, k slots on.
func sameRun(a, s slot, k uint64) bool {
	if s.state != a.state {
		return false
	}
	if a.state == stDone {
		return true
	}
	return s.src == a.src && s.added == a.added && s.deliveries == a.deliveries &&
		(a.src == injectedSrc || s.idx == a.idx+k)
}

// snapLoad is a snapshot being read.
type snapLoad struct {
	slots uint64 // declared: seq - sbase + 1
	inj   uint64
	fl    uint64
}

// maxSnapSlots bounds the slots a snapshot may declare (waiting, in flight
// or done between them), so that a corrupt one cannot take all memory.
func (q *Queue) maxSnapSlots() uint64 { return 4*uint64(q.maxQueue) + 1<<20 }

// applySnapLocked applies one record of a snapshot; it returns whether the
// snapshot ended with it.
func (q *Queue) applySnapLocked(p []byte, sl *snapLoad, handles map[uint64]string) (bool, error) {
	d := &dec{b: p[1:]}
	switch p[0] {
	case recSnap:
		return false, errors.New("a second snapshot head")
	case recSources:
		return false, q.checkSourcesLocked(d)
	case recSnapSlots:
		for len(d.b) > 0 && d.err == nil {
			n := d.u64()
			st := state(d.u8())
			var s slot
			s.state = st
			if st != stDone {
				s.src, s.idx, s.added, s.deliveries = uint16(d.u32()), d.u64(), int64(d.u64()), d.u32()
			}
			if d.err != nil {
				break
			}
			if st > stDone {
				return false, fmt.Errorf("a slot in state %d", st)
			}
			if s.src != injectedSrc && int(s.src) >= len(q.srcs) {
				return false, fmt.Errorf("events of source %d, but %d sources given", s.src, len(q.srcs))
			}
			if n == 0 || n > sl.slots-uint64(len(q.slots)) {
				return false, fmt.Errorf("a run of %d slots after %d of %d", n, len(q.slots), sl.slots)
			}
			for k := uint64(0); k < n; k++ {
				q.slots = append(q.slots, s)
				if st != stDone && s.src != injectedSrc {
					s.idx++
				}
			}
		}
	case recSnapInj:
		n := d.u32()
		for i := uint32(0); i < n && d.err == nil; i++ {
			seq := d.u64()
			b := d.bytes(int(d.u32()))
			if d.err != nil {
				break
			}
			if seq < q.sbase || seq-q.sbase >= uint64(len(q.slots)) {
				return false, fmt.Errorf("injected event %d is not held", seq)
			}
			if s := q.slotLocked(seq); s.src != injectedSrc || s.state == stDone || q.injected[seq] != nil {
				return false, fmt.Errorf("injected event %d is not an injected event held", seq)
			}
			ev, _, _, err := generator.Decode(b)
			if err != nil {
				return false, fmt.Errorf("injected event %d: %v", seq, err)
			}
			q.injected[seq] = &ev
			sl.inj++
		}
	case recSnapFlight:
		n := d.u32()
		for i := uint32(0); i < n && d.err == nil; i++ {
			seq, h, dl := d.u64(), string(d.bytes(32)), int64(d.u64())
			if d.err != nil {
				break
			}
			if seq < q.sbase || seq-q.sbase >= uint64(len(q.slots)) || q.slotLocked(seq).state != stInFlight {
				return false, fmt.Errorf("event %d in flight is not held in flight", seq)
			}
			if _, dup := handles[seq]; dup {
				return false, fmt.Errorf("event %d in flight twice", seq)
			}
			if _, dup := q.inflight[h]; dup {
				return false, fmt.Errorf("handle %q given twice", h)
			}
			q.inflight[h] = seq
			handles[seq] = h
			q.timeline = append(q.timeline, flight{seq: seq, handle: h, deadline: time.Unix(0, dl)})
			sl.fl++
		}
	case recSnapEnd:
		ns, ni, nf := d.u64(), d.u64(), d.u64()
		if d.err != nil {
			return false, d.err
		}
		if ns != uint64(len(q.slots)) || ns != sl.slots || ni != sl.inj || nf != sl.fl {
			return false, fmt.Errorf("snapshot of %d slots, %d injected events and %d in flight ends with counts %d, %d, %d", len(q.slots), sl.inj, sl.fl, ns, ni, nf)
		}
		var inj, fl uint64
		for i := range q.slots {
			seq, s := q.sbase+uint64(i), &q.slots[i]
			switch {
			case s.state == stInFlight:
				fl++
			case seq >= q.next && (s.state != stAvailable || s.deliveries != 0):
				return false, fmt.Errorf("event %d was never pulled but is not waiting", seq)
			case seq < q.next && s.state == stAvailable:
				q.back = append(q.back, seq) // ascending: a heap
			}
			if s.src == injectedSrc && s.state != stDone {
				inj++
			}
		}
		if inj != sl.inj || fl != sl.fl {
			return false, fmt.Errorf("snapshot holds %d injected events and %d in flight, but gives %d and %d", inj, fl, sl.inj, sl.fl)
		}
		if held := q.heldLocked(); held > q.maxQueue {
			return false, fmt.Errorf("%w: the state holds %d events, more than the limit of %d (MaxQueue, vodsim serve --max-queue)", ErrQueueFull, held, q.maxQueue)
		}
		return true, nil
	default:
		return false, fmt.Errorf("record type %q inside a snapshot", p[0])
	}
	return false, d.err
}

// startSnapLocked applies a snapshot's head to q, which is new.
func (q *Queue) startSnapLocked(p []byte) (*snapLoad, error) {
	d := &dec{b: p[1:]}
	seq, sbase, next := d.u64(), d.u64(), d.u64()
	var c [5]uint64
	for i := range c {
		c[i] = d.u64()
	}
	nfill := d.u32()
	if d.err != nil {
		return nil, d.err
	}
	if sbase < 1 || sbase > next || next > seq+1 {
		return nil, fmt.Errorf("a snapshot of events %d to %d with the next at %d", sbase, seq, next)
	}
	if int(nfill) > len(q.srcs) {
		return nil, fmt.Errorf("a snapshot of %d sources, but %d sources given", nfill, len(q.srcs))
	}
	if n := seq + 1 - sbase; n > q.maxSnapSlots() {
		return nil, fmt.Errorf("a snapshot of %d events, more than %d", n, q.maxSnapSlots())
	}
	q.fillEnd = q.fillEnd[:0]
	for i := uint32(0); i < nfill; i++ {
		q.fillEnd = append(q.fillEnd, d.u64())
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, errors.New("a snapshot head of the wrong length")
	}
	q.seq, q.sbase, q.next = seq, sbase, next
	q.stats = Stats{Enqueued: c[0], Confirmed: c[1], Redelivered: c[2], Expired: c[3], Pulls: c[4]}
	return &snapLoad{slots: seq + 1 - sbase}, nil
}

// compactLocked writes a snapshot of q to FILE.compact, fsyncs it, renames
// it over FILE and fsyncs the directory; appending then goes on in the new
// file. It is called under the queue's lock, which it holds throughout: no
// change can be made, and so no confirm answered, until the new file is in
// place, and the record of the change that triggered the compaction is
// appended to the new file after the snapshot (to the old one if the
// compaction failed before the rename). Holding the lock is simpler than
// copying changes made meanwhile into the new file, and costs a pause of
// the snapshot's write and two fsyncs once per compactMin of log.
func (l *stateLog) compactLocked(pullsAdj uint64) (err error) {
	if l.path == "" || l.err != nil {
		return nil
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(l.path); err == nil {
		perm = fi.Mode().Perm()
	}
	tmp := l.path + ".compact"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return fmt.Errorf("state file: compact: %w", err)
	}
	renamed := false
	defer func() {
		if r := recover(); r != nil {
			// A crash at a step (tests): leave the files as they are,
			// closed (and unlocked) as the end of the process would.
			if !renamed {
				f.Close()
			}
			panic(r)
		}
		if !renamed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// Renamed over FILE, it must be locked as FILE is (see openStateFile).
	if err = lockFile(f); err != nil {
		return fmt.Errorf("state file: compact: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	n, err := l.q.writeSnapshotLocked(bw, pullsAdj)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("state file: compact: %w", err)
	}
	l.step("written")
	if err = f.Sync(); err != nil {
		return fmt.Errorf("state file: compact: %w", err)
	}
	l.step("synced")
	if err = os.Rename(tmp, l.path); err != nil {
		return fmt.Errorf("state file: compact: %w", err)
	}
	l.step("renamed")
	// The new file is FILE now, whatever follows.
	renamed = true
	old := l.f
	l.f, l.off, l.snap = f, n, n
	l.compactions++
	old.Close()
	if err = syncDir(filepath.Dir(l.path)); err != nil {
		return fmt.Errorf("state file: compact: %w", err)
	}
	l.step("dir-synced")
	return nil
}

// step calls the test hook that crashes (panics) at a step.
func (l *stateLog) step(name string) {
	if l.crash != nil {
		l.crash(name)
	}
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// maybeCompactLocked compacts when the log has grown past twice the last
// snapshot and by at least compactMin (l.min in tests). A failure leaves
// the old log in use, whole, and is tried again after as much growth.
func (l *stateLog) maybeCompactLocked(pullsAdj uint64) {
	if l.off < l.retry || l.off <= 2*l.snap || l.off-l.snap < l.min {
		return
	}
	if err := l.compactLocked(pullsAdj); err != nil {
		l.retry = l.off + l.min
	}
}

// compactIdleLocked compacts at start or at a clean close when the log is
// more than twice the size of a snapshot of the live state and at least
// compactMinIdle larger.
func (l *stateLog) compactIdleLocked() error {
	if l.err != nil {
		return nil
	}
	size, err := l.q.writeSnapshotLocked(io.Discard, 0)
	if err != nil || l.off <= 2*size || l.off-size < compactMinIdle {
		return err
	}
	return l.compactLocked(0)
}
