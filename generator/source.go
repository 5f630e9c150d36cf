package generator

// Source produces the events of a stream: Fill overwrites *e with event i.
// *Generator is a Source; so is a Replay. Implementations must be safe for
// concurrent use and deterministic: the same i always gives the same event.
// A caller may reuse or clear e's SpriteURLs slice once done with the
// event (the sender's workers do), so Fill gives e a slice of its own, not
// one the Source keeps.
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

// Fill sets *e to event i. Its SpriteURLs are copied into e's own slice
// (reusing its array, as Generator.Fill does), so a caller that reuses or
// clears e's slice (Event.Clear) leaves the Replay's events as they were;
// the strings themselves are shared.
func (r *Replay) Fill(e *Event, i uint64) {
	src := &r.events[i%uint64(len(r.events))]
	urls, room, reuse := e.SpriteURLs[:0], e.room, e.reuse
	*e = *src
	if src.SpriteURLs != nil {
		e.SpriteURLs = append(urls, src.SpriteURLs...)
	}
	e.room, e.reuse = room, reuse
	e.Index = i
}
