package generator

// Source produces the events of a stream: Fill overwrites *e with event i.
// *Generator is a Source; so is a Replay. Implementations must be safe for
// concurrent use and deterministic: the same i always gives the same event.
type Source interface {
	Fill(e *Event, i uint64)
}

// Replay is a Source that plays back fixed events in order: event i is
// events[i%len(events)] with its Index set to i. Build it with NewReplay.
type Replay struct{ events []Event }

// NewReplay returns a Replay of events. It panics if events is empty.
func NewReplay(events []Event) *Replay {
	if len(events) == 0 {
		panic("generator: NewReplay with no events")
	}
	return &Replay{events: events}
}

// Len is the number of distinct events the Replay holds.
func (r *Replay) Len() int { return len(r.events) }

// Fill sets *e to event i. The SpriteURLs slice is shared with the Replay
// and must not be modified.
func (r *Replay) Fill(e *Event, i uint64) {
	*e = r.events[i%uint64(len(r.events))]
	e.Index = i
}
