package generator

import (
	"container/heap"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/vodsim/vodsim/internal/mix"
)

// Flow is what happens to one file, in order: an upload or a pull, the
// task flow it runs, a deletion later. The events of one file share its
// id, its media and, for one step, its task id; files start one every
// Config.Spacing and their events interleave by time, as an account's
// callbacks do.
type Flow struct {
	// Weight is relative to the other flows' weights; must be >= 0.
	Weight float64
	// Steps are the file's events in order; at least one.
	Steps []Step
}

// Step is one event of a flow (or, for a ProcedureStateChanged with
// Changes, several).
type Step struct {
	// EventType is a catalog type other than CreateImageSpriteComplete.
	EventType string
	// MinGap and MaxGap bound the time from the previous step's event
	// (the first step: from the file's start), drawn uniformly; equal
	// values give a fixed gap, both zero none.
	MinGap, MaxGap time.Duration
	// FailureRatio is the share (0..1) of files whose step fails, for a
	// type that can fail; a failed step is the file's last.
	FailureRatio float64
	// Changes, for ProcedureStateChanged, is the number of PROCESSING
	// notifications sent before the FINISH one (TasksNotifyMode Change),
	// spread evenly over the gap; 0 means one FINISH event (Finish).
	Changes int
}

// FlowEvent is one event of a file's flow and its time from the file's
// start.
type FlowEvent struct {
	Offset time.Duration
	Event  Event
}

// MaxChanges bounds Step.Changes.
const MaxChanges = 100

type flow struct {
	cum   float64
	steps []flowStep
}

type flowStep struct {
	kind           *Kind
	minGap, spread time.Duration
	failure        float64
	changes        int
}

// slot is one event of the merged stream: file n's step, its k-th
// notification, at time at from the stream's start.
type slot struct {
	file       uint64
	flow       int32
	step, k    int16
	processing bool
	fail       bool
	last       bool // the file's last event
	at         time.Duration
	// prev is 1 + the stream index of the file's event before this one,
	// 0 for the file's first; set when the stream reaches the slot.
	prev uint64
}

// flowStream merges the files' events by time. Event i of the stream is
// found by merging up to it; the slots merged last are kept (at most
// 2*flowKeep of them), so memory stays bounded however long the stream
// runs, and one asked for again after that is merged again from the
// stream's start (rewind), so Fill is a pure function of i however it is
// called.
type flowStream struct {
	mu   sync.Mutex
	done []slot // the stream's slots base, base+1, ...
	base uint64
	pend slotHeap
	next uint64 // the next file to start
	// lastOf is, for each file with events still to come, 1 + the stream
	// index of its latest event merged.
	lastOf map[uint64]uint64
	// rewind, of the generator's stream, merges again from the start for
	// a slot no longer kept; it is kept for the next such slot, which
	// usually follows (a queue's events delivered again, in order).
	rewind *flowStream
}

// flowKeep is how many of the slots merged last a flowStream keeps at
// least: far more than a sender has in flight or a file's events lie
// apart in the stream in any likely flow, about 1.3 MB.
const flowKeep = 1 << 15

type slotHeap []slot

func (h slotHeap) Len() int { return len(h) }
func (h slotHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	if h[i].file != h[j].file {
		return h[i].file < h[j].file
	}
	if h[i].step != h[j].step {
		return h[i].step < h[j].step
	}
	return h[i].k < h[j].k
}
func (h slotHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *slotHeap) Push(x any)   { *h = append(*h, x.(slot)) }
func (h *slotHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

const saltFlow = 0x666c6f7700000005

func (g *Generator) compileFlows(flows []Flow) error {
	total := 0.0
	for i, f := range flows {
		if f.Weight < 0 || math.IsNaN(f.Weight) || math.IsInf(f.Weight, 0) {
			return fmt.Errorf("%w: flow %d: weight %v must be a number >= 0", ErrConfig, i, f.Weight)
		}
		if len(f.Steps) == 0 {
			return fmt.Errorf("%w: flow %d: no steps", ErrConfig, i)
		}
		total += f.Weight
		cf := flow{cum: total}
		for j, s := range f.Steps {
			k, ok := LookupKind(s.EventType)
			switch {
			case !ok:
				return fmt.Errorf("%w: flow %d step %d: unknown event type %q (see Kinds)", ErrConfig, i, j, s.EventType)
			case k.Name == EventType:
				return fmt.Errorf("%w: flow %d step %d: %s is not made in flows: name another type", ErrConfig, i, j, EventType)
			case s.MinGap < 0 || s.MaxGap < s.MinGap:
				return fmt.Errorf("%w: flow %d step %d: gap %v..%v is empty or negative", ErrConfig, i, j, s.MinGap, s.MaxGap)
			case !(s.FailureRatio >= 0 && s.FailureRatio <= 1):
				return fmt.Errorf("%w: flow %d step %d: failure ratio %v is outside 0..1", ErrConfig, i, j, s.FailureRatio)
			case s.FailureRatio > 0 && !k.CanFail:
				return fmt.Errorf("%w: flow %d step %d: %s has no failure", ErrConfig, i, j, k.Name)
			case s.Changes < 0 || s.Changes > MaxChanges:
				return fmt.Errorf("%w: flow %d step %d: changes %d is outside 0..%d", ErrConfig, i, j, s.Changes, MaxChanges)
			case s.Changes > 0 && k.Name != "ProcedureStateChanged":
				return fmt.Errorf("%w: flow %d step %d: changes apply to ProcedureStateChanged only", ErrConfig, i, j)
			}
			cf.steps = append(cf.steps, flowStep{kind: k, minGap: s.MinGap, spread: s.MaxGap - s.MinGap, failure: s.FailureRatio, changes: s.Changes})
		}
		g.flows = append(g.flows, cf)
	}
	if !(total > 0) {
		return fmt.Errorf("%w: flow weights add up to 0", ErrConfig)
	}
	g.flowTotal = total
	g.stream = &flowStream{lastOf: map[uint64]uint64{}}
	return nil
}

// schedule is file n's events: its flow's steps with their times from the
// stream's start. It is a pure function of the config and n.
func (g *Generator) schedule(n uint64, out []slot) []slot {
	r := splitmix{state: eventKey(g.seed, saltFlow, n)}
	x := float64(r.Uint64()>>11) / (1 << 53) * g.flowTotal
	fi := len(g.flows) - 1
	for i := range g.flows {
		if x < g.flows[i].cum {
			fi = i
			break
		}
	}
	at := time.Duration(n) * g.spacing
	for j, s := range g.flows[fi].steps {
		gap := s.minGap
		if s.spread > 0 {
			gap += time.Duration(r.Uint64() % uint64(s.spread+1))
		}
		fail := s.failure > 0 && float64(r.Uint64()>>11)/(1<<53) < s.failure
		for k := 0; k < s.changes; k++ {
			out = append(out, slot{file: n, flow: int32(fi), step: int16(j), k: int16(k), processing: true,
				at: at + gap*time.Duration(k+1)/time.Duration(s.changes+1)})
		}
		at += gap
		out = append(out, slot{file: n, flow: int32(fi), step: int16(j), k: int16(s.changes), fail: fail, at: at})
		if fail {
			break
		}
	}
	out[len(out)-1].last = true
	return out
}

// slotAt returns the stream's event i, merging files up to it.
func (g *Generator) slotAt(i uint64) slot {
	fs := g.stream
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if i < fs.base {
		if fs.rewind == nil || i < fs.rewind.base {
			fs.rewind = &flowStream{lastOf: map[uint64]uint64{}}
		}
		fs = fs.rewind
	}
	return g.merge(fs, i)
}

// merge merges fs up to the stream's event i (i >= fs.base) and returns it.
func (g *Generator) merge(fs *flowStream, i uint64) slot {
	var buf []slot
	for end := fs.base + uint64(len(fs.done)); end <= i; end++ {
		// Start every file that starts before the earliest pending event:
		// none of its events can come earlier than its start.
		for fs.pend.Len() == 0 || time.Duration(fs.next)*g.spacing <= fs.pend[0].at {
			buf = g.schedule(fs.next, buf[:0])
			for _, s := range buf {
				heap.Push(&fs.pend, s)
			}
			fs.next++
		}
		s := heap.Pop(&fs.pend).(slot)
		s.prev = fs.lastOf[s.file]
		if s.last {
			delete(fs.lastOf, s.file)
		} else {
			fs.lastOf[s.file] = end + 1
		}
		if len(fs.done) == 2*flowKeep {
			fs.done = fs.done[:copy(fs.done, fs.done[flowKeep:])]
			fs.base += flowKeep
		}
		fs.done = append(fs.done, s)
	}
	return fs.done[i-fs.base]
}

// FileLinks tells where event i stands among its file's events in a
// stream of Flows: prev is the index of the file's event before it, when
// hasPrev, and hasNext says whether the file has an event after it.
// Without Flows every event stands alone (false, false). Like Fill, it is
// a pure function of the Config and i, safe for concurrent use; a sender
// uses it to deliver each file's events in order.
func (g *Generator) FileLinks(i uint64) (prev uint64, hasPrev, hasNext bool) {
	if g.stream == nil {
		return 0, false, false
	}
	s := g.slotAt(i)
	return s.prev - 1, s.prev != 0, !s.last
}

// FileFlow returns file n's events in order, each with its time from the
// file's start: what the stream of a Config with Flows interleaves. It
// returns nil when the Config has no Flows.
func (g *Generator) FileFlow(n uint64) []FlowEvent {
	if g.stream == nil {
		return nil
	}
	slots := g.schedule(n, nil)
	out := make([]FlowEvent, len(slots))
	start := time.Duration(n) * g.spacing
	for i, s := range slots {
		g.fillSlot(&out[i].Event, uint64(i), s)
		out[i].Offset = s.at - start
	}
	return out
}

// fillSlot sets *e to the event of slot s, as the stream's event i.
func (g *Generator) fillSlot(e *Event, i uint64, s slot) {
	st := &g.flows[s.flow].steps[s.step]
	fileKey := eventKey(g.seed, saltFile, s.file)
	r := g.pool.Get().(*eventRand)
	defer g.pool.Put(r)
	*e = Event{Index: i, AppID: g.appID, Time: g.start.Add(s.at), room: e.room, reuse: e.reuse}

	// The file: its id and media, the same in each of its events.
	r.src.state = fileKey
	var buf [96]byte
	fileID := string(appendFileID(buf[:0], r.faker))
	d := time.Duration(math.Exp(r.faker.Float64Range(math.Log(float64(DefaultMinDuration)), math.Log(float64(DefaultMaxDuration)))))

	// The step: its task id (shared by a task's notifications) and code.
	r.src.state = mix.Mix64(fileKey + uint64(s.step)*0x9e3779b97f4a7c15)
	taskHalf := r.src.Uint64()
	code, msg := 0, ""
	if s.fail {
		codes := Codes3
		if st.kind.Compat2017 {
			codes = allCodes()
		}
		code = codes[r.faker.Number(0, len(codes)-1)]
		msg = errExt[code][1]
		if ec, ok := LookupCode(code); ok {
			msg = ec.Description
		}
	}
	e.Kind, e.gen, e.Status, e.Message = st.kind, g, code, msg
	b := buf[:0]
	if !st.kind.Compat2017 {
		b = append(b, g.appStr...)
		b = append(b, '-')
	}
	b = append(b, st.kind.tag...)
	b = append(b, '-')
	b = appendHex(b, taskHalf, 16)
	b = appendHex(b, mix.Mix64(fileKey^uint64(s.step)^g.taskKey), 16)
	if st.kind.tag == "procedurev2" {
		b = append(b, "t0"...)
	}
	if st.kind.tag != "" {
		e.TaskID = string(b)
	}
	e.FileID, e.Duration = fileID, max(d.Round(10*time.Millisecond), 10*time.Millisecond)
	if g.fileIDs != nil {
		e.FileID = g.fileIDs[s.file%uint64(len(g.fileIDs))]
	}
	e.key = fileKey
	switch {
	case st.changes == 0:
		e.notify = 'F'
	case s.processing:
		e.notify = 'P'
		e.change, e.changes = uint8(s.k), uint8(st.changes)
	default:
		e.notify = 'C'
	}
}
