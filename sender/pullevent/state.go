package pullevent

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"os"
	"reflect"
	"time"

	"github.com/vodsim/vodsim/generator"
)

// The state file is an append-only log of the queue's changes: a header,
// then records, each the length and CRC-32C of its payload followed by the
// payload. A generated event is recorded as its source index, so a fill of
// millions is one record; a pull records its handles and deadline, a
// confirm the events it removes. A compacted file starts with a snapshot
// of the queue (see state_compact.go), and the changes since follow it.
const stateMagic = "vodsim-state v1\n"

// Record types.
const (
	recFill    = 'F' // first seq, at, src, idx, n
	recAdd     = 'A' // first seq, at, count, then count times len + JSON (3.0; 4.0 in older files)
	recPull    = 'P' // deadline, count, then count times seq + handle (older files)
	recPullAt  = 'Q' // time, deadline, count, then count times seq + handle
	recConfirm = 'C' // count, then count seqs
	recReset   = 'R'
	recSources = 'V' // count, then count fingerprints (sourcePrint)
)

// maxRecord bounds a record's length: a larger one is corrupt.
const maxRecord = 64 << 20

// ErrState is wrapped by the errors OpenState returns for a file that is
// not a vodsim state file or is corrupt before its last record.
var ErrState = errors.New("bad state file")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// stateFile is what stateLog needs of an *os.File; tests put a full disk
// in its place.
type stateFile interface {
	io.WriteSeeker
	io.Closer
	Sync() error
	Truncate(int64) error
}

// stateLog is the open state file: a journal.
type stateLog struct {
	f    stateFile
	off  int64 // the end of the last whole record
	sync bool  // fsync each confirm
	err  error // a pull could not be recorded: refuse what follows
	buf  []byte

	q     *Queue
	path  string
	snap  int64 // the end of the snapshot the file starts with (or its magic)
	min   int64 // compactMin, smaller in tests
	retry int64 // after a failed compaction: not before the log reaches this

	crash       func(step string) // tests: panic at a step of a compaction, as a crash
	compactions int
}

// OpenState keeps q in the state file at path, so that it survives a
// crash: it creates the file if it does not exist (new reports this), or
// else rebuilds the queue from it. The file is locked while it is open: a
// file another queue (another vodsim serve) keeps is refused with an error
// wrapping ErrStateInUse. srcs are the sources the file's
// generated events came from, in the order they first filled the queue
// (vodsim serve: its one generator); they must make the same events as
// before. Call it before any other use of q.
//
// From then on every change is written to the file before it is made or
// answered; sync makes each confirm wait for the disk (fsync) too, so that
// it survives a power loss, not only a crash of the process. A last record
// torn by a crash is cut off; a file that is not a state file or is corrupt
// before its last record is an error wrapping ErrState.
func (q *Queue) OpenState(path string, sync bool, srcs ...generator.Source) (new bool, err error) {
	f, err := openStateFile(path)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("state file %s: %w", path, err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.srcs = append(q.srcs[:0], srcs...)
	l := &stateLog{f: f, sync: sync, q: q, path: path, min: compactMin}
	// A compaction that a crash stopped before its rename left this; FILE
	// is whole without it.
	if err := os.Remove(path + ".compact"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("state file %s: remove a leftover compaction: %w", path, err)
	}
	if st.Size() == 0 {
		if _, err := f.Write([]byte(stateMagic)); err != nil {
			return false, fmt.Errorf("state file %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			return false, fmt.Errorf("state file %s: %w", path, err)
		}
		l.off = int64(len(stateMagic))
		l.snap = l.off
		// What the events are made from, checked on a restart.
		l.begin(recSources)
		appendSources(l, q.srcs)
		if err := l.commit(true); err != nil {
			return false, fmt.Errorf("state file %s: %w", path, err)
		}
		q.journal = l
		return true, nil
	}
	off, snap, err := q.replayLocked(bufio.NewReaderSize(f, 1<<20), st.Size())
	if err != nil {
		return false, fmt.Errorf("state file %s: %w", path, err)
	}
	if off < st.Size() {
		// The last record was torn by a crash: cut it off.
		if err := f.Truncate(off); err != nil {
			return false, fmt.Errorf("state file %s: cut a torn last record: %w", path, err)
		}
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return false, fmt.Errorf("state file %s: %w", path, err)
	}
	l.off, l.snap = off, snap
	q.journal = l
	// Compacting now makes the next start quick. If it fails (a directory
	// where FILE.compact cannot be made) the log is whole all the same: go
	// on with it.
	_ = l.compactIdleLocked()
	return false, nil
}

// ErrStateInUse is wrapped by the error OpenState returns for a state file
// that another open state (another vodsim serve) holds: two queues
// appending to one file would corrupt it, and a compaction by one would
// leave the other writing to a file no longer in place.
var ErrStateInUse = errors.New("the state file is in use by another vodsim serve (or another open queue): give each its own file")

// openStateFile opens path, creating it if it does not exist, and locks it
// (lockFile) for this open alone.
func openStateFile(path string) (*os.File, error) {
	for range 3 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("state file: %w", err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("state file %s: %w", path, err)
		}
		// The holder's compaction may have renamed a new file over path
		// between the open and the lock: the file locked is then no
		// longer the state. Open path again.
		fi, err := f.Stat()
		pi, perr := os.Stat(path)
		if err == nil && perr == nil && os.SameFile(fi, pi) {
			return f, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("state file %s: %w", path, ErrStateInUse)
}

// CloseState closes the state file, if any; changes are no longer kept.
// It compacts the file first when that makes the next start quicker.
func (q *Queue) CloseState() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	l, ok := q.journal.(*stateLog)
	q.journal = nil
	if !ok {
		return nil
	}
	err := l.compactIdleLocked()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// replayLocked applies the records of r (the whole file, size bytes) and
// returns the end of the last whole record and of the snapshot the file
// starts with (its magic if none).
func (q *Queue) replayLocked(r io.Reader, size int64) (off, snapEnd int64, err error) {
	magic := make([]byte, len(stateMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != stateMagic {
		return 0, 0, fmt.Errorf("%w: not a vodsim state file (it does not start with %q)", ErrState, stateMagic)
	}
	off = int64(len(stateMagic))
	snapEnd = off
	handles := make(map[uint64]string) // in flight: seq to handle
	var snap *snapLoad                 // inside a snapshot
	// torn is the end of the file inside a record: the crash tore the last
	// record, unless it is inside a snapshot, which is whole before FILE
	// is renamed to it.
	torn := func(n int) (int64, int64, error) {
		if snap != nil {
			return 0, 0, fmt.Errorf("%w: the file ends inside the snapshot it starts with (record %d at byte %d)", ErrState, n, off)
		}
		return off, snapEnd, nil
	}
	var hdr [8]byte
	var payload []byte
	for n := 1; ; n++ {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return torn(n) // the end, or a torn header
		}
		ln, sum := binary.LittleEndian.Uint32(hdr[:4]), binary.LittleEndian.Uint32(hdr[4:])
		end := off + 8 + int64(ln)
		if ln > maxRecord || end > size {
			if end >= size {
				return torn(n) // the file ends inside it
			}
			return 0, 0, fmt.Errorf("%w: record %d at byte %d has a length of %d", ErrState, n, off, ln)
		}
		if cap(payload) < int(ln) {
			payload = make([]byte, ln)
		}
		payload = payload[:ln]
		if _, err := io.ReadFull(r, payload); err != nil {
			return torn(n)
		}
		if crc32.Checksum(payload, castagnoli) != sum {
			if end == size {
				return torn(n) // the last record, torn by a crash
			}
			return 0, 0, fmt.Errorf("%w: record %d at byte %d is corrupt (checksum mismatch) and records follow it", ErrState, n, off)
		}
		switch {
		case len(payload) > 0 && payload[0] == recSnap && n == 1:
			snap, err = q.startSnapLocked(payload)
		case snap != nil:
			var done bool
			if done, err = q.applySnapLocked(payload, snap, handles); done {
				snap, snapEnd = nil, end
			}
		default:
			err = q.applyLocked(payload, handles)
		}
		if errors.Is(err, ErrSources) {
			return 0, 0, err // not a bad file: other flags
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%w: record %d at byte %d: %v", ErrState, n, off, err)
		}
		off = end
	}
}

var errShort = errors.New("record too short")

// dec reads a record's fields in order; the first short read sticks.
type dec struct {
	b   []byte
	err error
}

func (d *dec) u64() uint64 {
	if len(d.b) < 8 {
		d.err = errShort
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *dec) u32() uint32 {
	if len(d.b) < 4 {
		d.err = errShort
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

func (d *dec) u8() byte {
	if len(d.b) < 1 {
		d.err = errShort
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) bytes(n int) []byte {
	if len(d.b) < n {
		d.err = errShort
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

// applyLocked makes the change one record describes.
func (q *Queue) applyLocked(p []byte, handles map[uint64]string) error {
	if len(p) == 0 {
		return errShort
	}
	d := &dec{b: p[1:]}
	switch p[0] {
	case recSnap, recSnapSlots, recSnapInj, recSnapFlight, recSnapEnd:
		return fmt.Errorf("a snapshot record (%q) that does not start the file", p[0])
	case recSources:
		return q.checkSourcesLocked(d)
	case recFill:
		first, at, src, idx, n := d.u64(), int64(d.u64()), d.u32(), d.u64(), d.u64()
		if d.err != nil {
			return d.err
		}
		if first != q.seq+1 {
			return fmt.Errorf("fill from event %d after event %d", first, q.seq)
		}
		if int(src) >= len(q.srcs) {
			return fmt.Errorf("events of source %d, but %d sources given", src, len(q.srcs))
		}
		if err := q.roomLocked(n); err != nil {
			return err
		}
		q.noteFillLocked(uint16(src), idx+n)
		for i := uint64(0); i < n; i++ {
			q.pushLocked(slot{src: uint16(src), idx: idx + i, added: at})
		}
	case recAdd:
		first, at, n := d.u64(), int64(d.u64()), d.u32()
		if d.err != nil {
			return d.err
		}
		if first != q.seq+1 {
			return fmt.Errorf("events from %d after event %d", first, q.seq)
		}
		if err := q.roomLocked(uint64(n)); err != nil {
			return err
		}
		for i := uint32(0); i < n; i++ {
			b := d.bytes(int(d.u32()))
			if d.err != nil {
				return d.err
			}
			ev, _, _, err := generator.Decode(b)
			if err != nil {
				return fmt.Errorf("injected event: %v", err)
			}
			q.pushLocked(slot{src: injectedSrc, added: at})
			q.injected[q.seq] = &ev
		}
	case recPull, recPullAt:
		// A pull's time is recorded since 'Q'; an older file's is taken as
		// its deadline less the confirm window, right when serve restarts
		// with the window it had.
		var at int64
		if p[0] == recPullAt {
			at = int64(d.u64())
		}
		deadline, n := int64(d.u64()), d.u32()
		if d.err != nil {
			return d.err
		}
		dl := time.Unix(0, deadline)
		if p[0] == recPull {
			q.reapLocked(dl.Add(-q.window))
		} else {
			q.reapLocked(time.Unix(0, at))
		}
		for i := uint32(0); i < n; i++ {
			seq, h := d.u64(), string(d.bytes(32))
			if d.err != nil {
				return d.err
			}
			if err := q.takeSeqLocked(seq); err != nil {
				return err
			}
			sl := q.slotLocked(seq)
			if sl.deliveries > 0 {
				q.stats.Redelivered++
			}
			sl.deliveries++
			sl.state = stInFlight
			q.inflight[h] = seq
			handles[seq] = h
			q.timeline = append(q.timeline, flight{seq: seq, handle: h, deadline: dl})
		}
		q.stats.Pulls++
	case recConfirm:
		n := d.u32()
		for i := uint32(0); i < n && d.err == nil; i++ {
			seq := d.u64()
			h, ok := handles[seq]
			if _, live := q.inflight[h]; d.err != nil || !ok || !live {
				continue
			}
			delete(handles, seq)
			delete(q.inflight, h)
			q.dropLocked(seq)
			q.stats.Confirmed++
		}
		q.trimLocked()
		return d.err
	case recReset:
		q.resetLocked()
		clear(handles)
	default:
		return fmt.Errorf("unknown record type %q", p[0])
	}
	return d.err
}

// takeSeqLocked removes seq, which must be available, from the available
// set.
func (q *Queue) takeSeqLocked(seq uint64) error {
	if seq == q.next && q.next <= q.seq {
		q.next++
		return nil
	}
	for i, s := range q.back {
		if s == seq {
			heap.Remove(&q.back, i)
			return nil
		}
	}
	return fmt.Errorf("a pull of event %d, which is not waiting", seq)
}

// EndOf is one past the last index of src added to the queue by AddFrom (0 if
// none): where a feed of src goes on after a restart from a state file.
func (q *Queue) EndOf(src generator.Source) uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t := reflect.TypeOf(src); t == nil || !t.Comparable() {
		return 0
	}
	for i, s := range q.srcs {
		if s == src && i < len(q.fillEnd) {
			return q.fillEnd[i]
		}
	}
	return 0
}

// ErrSources is wrapped by OpenState's error for a file whose queue was
// made from other sources than those given: the events it holds as
// indices would be rebuilt as other events.
var ErrSources = errors.New("the queue in it was made from other events than these (another seed, event types or scenario): give the ones it was made with, or remove the file to start afresh")

// sourcePrint is a fingerprint of the events src makes: a hash of its
// first four, encoded.
func sourcePrint(src generator.Source) uint64 {
	h := fnv.New64a()
	var e generator.Event
	var b []byte
	for i := range uint64(4) {
		src.Fill(&e, i)
		b = generator.AppendEventContent(b[:0], &e, "")
		h.Write(b)
	}
	return h.Sum64()
}

// checkSourcesLocked reads a sources record and checks it against the
// sources given (as many as both have: a fill of a source not given is
// refused on its own).
func (q *Queue) checkSourcesLocked(d *dec) error {
	n := d.u32()
	for i := 0; i < int(n) && d.err == nil; i++ {
		fp := d.u64()
		if d.err == nil && i < len(q.srcs) && fp != sourcePrint(q.srcs[i]) {
			return ErrSources
		}
	}
	return d.err
}

// appendSources writes srcs' fingerprints into w's record.
func appendSources(w interface {
	u32(uint32)
	u64(uint64)
}, srcs []generator.Source) {
	w.u32(uint32(len(srcs)))
	for _, src := range srcs {
		w.u64(sourcePrint(src))
	}
}

// --- writing ---

// keptEncoding is the form an event added with its content is written in:
// 3.0, which carries every field of a sprite event (4.0 has no webVttUrl
// unless asked, and a failure's definition, count and URLs not at all)
// and is the form PullEvents gives of another type. Decode reads either,
// so a file written with 4.0 still opens.
var keptEncoding = generator.Encoding{Format: generator.FormatV3}

func (l *stateLog) begin(typ byte) {
	l.buf = append(l.buf[:0], 0, 0, 0, 0, 0, 0, 0, 0, typ)
}

func (l *stateLog) u64(v uint64) { l.buf = appendU64(l.buf, v) }
func (l *stateLog) u32(v uint32) { l.buf = appendU32(l.buf, v) }

func appendU64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }
func appendU32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func putU32(b []byte, v uint32)           { binary.LittleEndian.PutUint32(b, v) }

// sealRecord fills in the length and checksum of the record in rec: 8
// bytes for them, then the payload.
func sealRecord(rec []byte) {
	p := rec[8:]
	binary.LittleEndian.PutUint32(rec[:4], uint32(len(p)))
	binary.LittleEndian.PutUint32(rec[4:8], crc32.Checksum(p, castagnoli))
}

// commit writes the record built in buf. On a failure it cuts the file
// back to the last whole record, so that no torn record is followed by
// others.
func (l *stateLog) commit(sync bool) error {
	if l.err != nil {
		return l.err
	}
	sealRecord(l.buf)
	_, err := l.f.Write(l.buf)
	if err == nil && sync {
		err = l.f.Sync()
	}
	if err != nil {
		if terr := l.f.Truncate(l.off); terr != nil {
			l.err = fmt.Errorf("state file: %v, and cutting it back failed: %v", err, terr)
		} else if _, serr := l.f.Seek(l.off, io.SeekStart); serr != nil {
			l.err = fmt.Errorf("state file: %v", serr)
		}
		return fmt.Errorf("state file: %w", err)
	}
	l.off += int64(len(l.buf))
	if cap(l.buf) > 1<<20 {
		l.buf = nil
	}
	return nil
}

// The journal's methods other than pulled are called before their change
// is made: the queue then is what the file says, and a compaction first
// writes it as the snapshot the change's record follows.

func (l *stateLog) filled(first uint64, at time.Time, src uint16, idx, n uint64) error {
	l.maybeCompactLocked(0)
	l.begin(recFill)
	l.u64(first)
	l.u64(uint64(at.UnixNano()))
	l.u32(uint32(src))
	l.u64(idx)
	l.u64(n)
	return l.commit(false)
}

func (l *stateLog) added(first uint64, at time.Time, events []generator.Event) error {
	l.maybeCompactLocked(0)
	l.begin(recAdd)
	l.u64(first)
	l.u64(uint64(at.UnixNano()))
	l.u32(uint32(len(events)))
	enc := keptEncoding
	for i := range events {
		at := len(l.buf)
		l.u32(0)
		l.buf = enc.Append(l.buf, &events[i])
		binary.LittleEndian.PutUint32(l.buf[at:], uint32(len(l.buf)-at-4))
	}
	return l.commit(false)
}

func (l *stateLog) pulled(msgs []Message, now, deadline time.Time) error {
	l.begin(recPullAt)
	l.u64(uint64(now.UnixNano()))
	l.u64(uint64(deadline.UnixNano()))
	l.u32(uint32(len(msgs)))
	for i := range msgs {
		l.u64(msgs[i].Seq)
		l.buf = append(l.buf, msgs[i].Handle...)
	}
	if err := l.commit(false); err != nil {
		// The events are in flight all the same; what follows could not
		// be replayed after them.
		if l.err == nil {
			l.err = fmt.Errorf("state file: a pull could not be recorded (%v); restart serve", err)
		}
		return err
	}
	// The pull is made already (its events are in flight): a snapshot now
	// holds it, all but the pull counter, which Pull adds to after this.
	l.maybeCompactLocked(1)
	return nil
}

func (l *stateLog) confirmed(seqs []uint64) error {
	l.maybeCompactLocked(0)
	l.begin(recConfirm)
	l.u32(uint32(len(seqs)))
	for _, s := range seqs {
		l.u64(s)
	}
	return l.commit(l.sync)
}

func (l *stateLog) reset() error {
	l.maybeCompactLocked(0)
	l.begin(recReset)
	return l.commit(false)
}
