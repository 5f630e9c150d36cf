package generator

import (
	"time"
)

// EventType is the eventType / EventType of every event this package builds.
const EventType = "CreateImageSpriteComplete"

// TaskIDPrefix starts every vodTaskId / TaskId.
const TaskIDPrefix = "CreateImageSprite-"

// Template is an image sprite template: how tiles are sampled and laid out
// on sheets. The zero value is not a valid template; use PresetTemplate or a
// custom one with Definition >= MinCustomDefinition.
type Template struct {
	// Definition is the template id: 10 for the preset, MinCustomDefinition
	// and up for templates an account creates.
	Definition int
	// Rows and Columns give the grid of tiles on one sheet.
	Rows, Columns int
	// Width and Height are the tile size in pixels; 0 keeps the source's
	// aspect ratio on that side.
	Width, Height int
	// Interval is the time between two sampled tiles: a whole number of
	// seconds, at least MinInterval.
	Interval time.Duration
	// Format is the sheet image format: "jpg", "png" or "webp".
	Format string
}

// PresetTemplate is the system image sprite template 10: 142x80 JPG tiles,
// 10 rows by 10 columns a sheet, one tile every 10 seconds.
var PresetTemplate = Template{
	Definition: 10,
	Rows:       10,
	Columns:    10,
	Width:      142,
	Height:     80,
	Interval:   10 * time.Second,
	Format:     "jpg",
}

// Limits on custom templates, as the VOD console enforces them.
const (
	MinCustomDefinition = 10000 // the first id a custom template gets
	MinTileSide         = 128   // a tile side is 0 (keep ratio) or at least this
	MaxTileSide         = 4096  // and at most this
	MaxSheetSide        = 15000 // a sheet side in pixels is at most this
)

// Limits on sampling, as the VOD API enforces them.
const (
	// MinInterval is the shortest sampling interval: a template's
	// SampleInterval is a whole number of seconds.
	MinInterval = time.Second
	// MaxVideoDuration is the longest source VOD processes; a longer one
	// fails with -47104 (duration invalid).
	MaxVideoDuration = 604800 * time.Second
)

// TilesPerSheet is Rows*Columns.
func (t Template) TilesPerSheet() int { return t.Rows * t.Columns }

// TileCount is the number of tiles a video of duration d gives with this
// template: one at 0 s, then one every Interval.
func (t Template) TileCount(d time.Duration) int {
	if t.Interval <= 0 {
		return 1
	}
	return int(d/t.Interval) + 1
}

// SheetCount is the number of sheets that hold n tiles.
func (t Template) SheetCount(n int) int {
	per := t.TilesPerSheet()
	if per <= 0 || n <= 0 {
		return 0
	}
	return (n + per - 1) / per
}

// Event is one CreateImageSpriteComplete notification: everything either
// wire format needs. The zero value is an empty success with no sheets.
//
// Fields that only a success carries (Template, Duration, TotalCount,
// SpriteURLs, WebVTTURL) are empty for a failure.
type Event struct {
	// Index is the event's position in its stream.
	Index uint64
	// Status is 0 for success, else a video-processing error code.
	Status int
	// Message is "" or a short reason; often "" even for failures.
	Message string
	// TaskID is "CreateImageSprite-" + 32 lowercase hex digits.
	TaskID string
	// FileID is the media file id, a 17 to 20 digit decimal string.
	FileID string
	// AppID is the account's decimal app id.
	AppID uint64
	// Template is the sprite template the task used.
	Template Template
	// Duration is the source video's length.
	Duration time.Duration
	// TotalCount is the number of tiles across all sheets.
	TotalCount int
	// SpriteURLs holds one URL per sheet.
	SpriteURLs []string
	// WebVTTURL is the WebVTT index of the tiles.
	WebVTTURL string
	// Time is when the task finished.
	Time time.Time

	// Kind is the event's type when it is another type of the catalog
	// than CreateImageSpriteComplete; nil means the sprite event the
	// fields above describe. For another Kind, TaskID, FileID, Status,
	// Message and Duration are set and the rest of the payload is drawn
	// from them when it is encoded.
	Kind *Kind
	// Raw is a decoded catalog event's member (3.0) or data (4.0) object
	// as it was received; it is written back as it is, in the format it
	// came in whichever is asked for (the two formats' objects of a type
	// have different fields, and vodsim has only the one received).
	Raw []byte

	gen    *Generator // the generator that made a catalog event
	key    uint64     // seeds its payload's values
	notify byte       // a flow's ProcedureStateChanged: 'F' Finish, 'C' Change's FINISH, 'P' PROCESSING; 0 drawn
	// A PROCESSING notification's place among its task's: notification
	// change of changes (0-based), so each tells of a later subtask.
	change, changes uint8
	// rawV4: Raw is a 4.0 data object (else a 3.0 member).
	rawV4 bool
	// room holds the URLs' bytes when reuse is set (see ReuseRoom).
	room  []byte
	reuse bool
}

// KeptFormat reports the one format a decoded event of another type than
// CreateImageSpriteComplete is kept in (ok true): the one it came in, in
// which Encoding.Append writes it whichever is asked for (see Raw). ok is
// false for an event that has both forms: a generated one, or a sprite
// event, whose forms are made from its fields.
func (e *Event) KeptFormat() (f Format, ok bool) {
	if e.Kind == nil || e.gen != nil || e.Raw == nil {
		return "", false
	}
	if e.rawV4 {
		return FormatV4, true
	}
	return FormatV3, true
}

// ReuseRoom makes every later Fill into e build the event's URLs
// (SpriteURLs and WebVTTURL) in memory that e keeps and reuses, rather
// than in new memory each time: a hot path that fills one Event per event
// then allocates nothing for them. Those strings are valid only until the
// next Fill into e (or Clear); a caller that keeps one longer copies it.
// A copy of e (e2 := *e) shares that memory, and its SpriteURLs' array:
// fill only one of them. The event itself, and its encodings, are the same
// either way. The room kept is at most keepRoom bytes: the URLs of an
// event with more sheets than fit are new memory, as without ReuseRoom.
func (e *Event) ReuseRoom() { e.reuse = true }

// What an Event keeps for the next Fill: at most keepRoom bytes of URLs
// (about 100 sheets) and a SpriteURLs array of keepURLs, so that an Event
// once filled with a many-sheet event (a 1x1 grid over a long video) does
// not hold megabytes while it waits.
const (
	keepRoom = 16 << 10
	keepURLs = 128
)

// Clear empties e, keeping only what a later Fill reuses: the array of
// its SpriteURLs and, after ReuseRoom, its room (each up to a bound). The
// strings it held are let go.
func (e *Event) Clear() {
	urls := e.SpriteURLs
	if cap(urls) > keepURLs {
		urls = nil
	}
	clear(urls[:cap(urls)])
	*e = Event{SpriteURLs: urls[:0], room: e.room, reuse: e.reuse}
}

// TypeName is the event's EventType.
func (e *Event) TypeName() string {
	if e.Kind != nil {
		return e.Kind.Name
	}
	return EventType
}

// Success reports whether the task succeeded (Status 0).
func (e *Event) Success() bool { return e.Status == 0 }
