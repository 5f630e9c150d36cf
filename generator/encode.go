package generator

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format is a wire format of the event.
type Format string

// The two wire formats.
const (
	// FormatV4 is the 4.0 legacy envelope {"version","eventType","data"},
	// as in the seed document: the HTTP callback body and the legacy
	// PullEvent's eventContent.
	FormatV4 Format = "v4"
	// FormatV3 is the API 3.0 EventContent {"EventType", ...,
	// "CreateImageSpriteCompleteEvent"}: the 3.0 callback body and an
	// EventSet entry of PullEvents.
	FormatV3 Format = "v3"
)

// DefaultFormat is the format used when none is given.
const DefaultFormat = FormatV4

// ParseFormat accepts "v4", "4.0", "4", "v3", "3.0" and "3".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "v4", "4.0", "4", "legacy":
		return FormatV4, nil
	case "v3", "3.0", "3":
		return FormatV3, nil
	}
	return "", fmt.Errorf("unknown format %q: want v4 (the 4.0 legacy envelope) or v3 (API 3.0)", s)
}

// Encoding says how an Event becomes bytes. The zero value is the seed's
// 4.0 shape: "version":"4.0" as a string and no webVttUrl.
type Encoding struct {
	// Format is the wire format; "" means DefaultFormat.
	Format Format
	// WebVTT adds webVttUrl to 4.0 successes (later documentation has it,
	// the seed does not). 3.0 always carries WebVttUrl.
	WebVTT bool
	// NumericVersion sends 4.0's version as the number 4 instead of the
	// string "4.0", a quirk of one old documentation sample.
	NumericVersion bool
}

// Append appends e, encoded, to dst and returns the extended slice.
func (enc Encoding) Append(dst []byte, e *Event) []byte {
	if e.Kind != nil {
		if e.gen == nil && e.Raw != nil {
			// Decoded: only the form it came in (see Event.Raw).
			if e.rawV4 {
				return enc.appendV4Catalog(dst, e)
			}
			return appendV3Catalog(dst, e, "")
		}
		if enc.Format == FormatV3 {
			return appendV3Catalog(dst, e, "")
		}
		return enc.appendV4Catalog(dst, e)
	}
	if enc.Format == FormatV3 {
		return AppendEventContent(dst, e, "")
	}
	return enc.appendV4(dst, e)
}

// Marshal returns e encoded.
func (enc Encoding) Marshal(e *Event) []byte { return enc.Append(make([]byte, 0, 512), e) }

func (enc Encoding) appendV4(b []byte, e *Event) []byte {
	if enc.NumericVersion {
		b = append(b, `{"version":4,"eventType":"`...)
	} else {
		b = append(b, `{"version":"4.0","eventType":"`...)
	}
	b = append(b, EventType...)
	b = append(b, `","data":{"status":`...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	b = append(b, `,"message":`...)
	b = appendString(b, e.Message)
	b = append(b, `,"vodTaskId":`...)
	b = appendString(b, e.TaskID)
	b = append(b, `,"fileId":`...)
	b = appendString(b, e.FileID)
	if e.Success() {
		b = append(b, `,"definition":`...)
		b = strconv.AppendInt(b, int64(e.Template.Definition), 10)
		b = append(b, `,"totalCount":`...)
		b = strconv.AppendInt(b, int64(e.TotalCount), 10)
		b = append(b, `,"imageSpriteUrl":`...)
		b = appendStrings(b, e.SpriteURLs)
		if enc.WebVTT {
			b = append(b, `,"webVttUrl":`...)
			b = appendString(b, e.WebVTTURL)
		}
	}
	return append(b, "}}"...)
}

// v3Siblings are the other event members of a 3.0 EventContent, null for
// this event type, as the documentation's example shows them. The names are
// the SDK's EventContent members (EditMediaCompleteEvent and
// WechatPublishCompleteEvent, not the event type names), each noted there
// as possibly null.
const v3Siblings = `"FileUploadEvent":null,"ProcedureStateChangeEvent":null,"FileDeleteEvent":null,` +
	`"PullCompleteEvent":null,"EditMediaCompleteEvent":null,"WechatPublishCompleteEvent":null,` +
	`"TranscodeCompleteEvent":null,"ConcatCompleteEvent":null,"ClipCompleteEvent":null,`

// AppendEventContent appends e as a 3.0 EventContent. A non-empty handle is
// written first as EventHandle, as PullEvents returns it; callbacks have none.
func AppendEventContent(b []byte, e *Event, handle string) []byte {
	if e.Kind != nil {
		return appendV3Catalog(b, e, handle)
	}
	b = append(b, '{')
	if handle != "" {
		b = append(b, `"EventHandle":`...)
		b = appendString(b, handle)
		b = append(b, ',')
	}
	b = append(b, `"EventType":"`...)
	b = append(b, EventType...)
	b = append(b, `",`...)
	b = append(b, v3Siblings...)
	b = append(b, `"CreateImageSpriteCompleteEvent":{"ErrCode":`...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	b = append(b, `,"Message":`...)
	b = appendString(b, e.Message)
	b = append(b, `,"TaskId":`...)
	b = appendString(b, e.TaskID)
	b = append(b, `,"FileId":`...)
	b = appendString(b, e.FileID)
	b = append(b, `,"Definition":`...)
	b = strconv.AppendInt(b, int64(e.Template.Definition), 10)
	b = append(b, `,"TotalCount":`...)
	b = strconv.AppendInt(b, int64(e.TotalCount), 10)
	// The SDK does not note ImageSpriteUrlSet as possibly null: a failed
	// task has an empty list.
	b = append(b, `,"ImageSpriteUrlSet":`...)
	b = appendStrings(b, e.SpriteURLs)
	b = append(b, `,"WebVttUrl":`...)
	b = appendString(b, e.WebVTTURL)
	return append(b, "}}"...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for k, s := range ss {
		if k > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// jsonSafe says which ASCII bytes appendString copies as they are: a
// table is cheaper than the comparisons on the encoder's hot path.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as a JSON string, escaped as encoding/json does
// (HTML characters included), so output matches json.Marshal's.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendV3Catalog writes a catalog event as a 3.0 EventContent: the
// members the documentation's example shows, null, with the event's own
// member in its place (after them when it is not one of them).
func appendV3Catalog(b []byte, e *Event, handle string) []byte {
	b = append(b, '{')
	if handle != "" {
		b = append(b, `"EventHandle":`...)
		b = appendString(b, handle)
		b = append(b, ',')
	}
	b = append(b, `"EventType":`...)
	b = appendString(b, e.Kind.Name)
	own := false
	for _, m := range v3SiblingNames {
		b = append(b, ',', '"')
		b = append(b, m...)
		b = append(b, '"', ':')
		if m == e.Kind.Member {
			own = true
			b = appendCatalog(b, e, false)
		} else {
			b = append(b, "null"...)
		}
	}
	if !own {
		b = append(b, ',', '"')
		b = append(b, e.Kind.Member...)
		b = append(b, '"', ':')
		b = appendCatalog(b, e, false)
	}
	return append(b, '}')
}

var v3SiblingNames = []string{"FileUploadEvent", "ProcedureStateChangeEvent", "FileDeleteEvent",
	"PullCompleteEvent", "EditMediaCompleteEvent", "WechatPublishCompleteEvent",
	"TranscodeCompleteEvent", "ConcatCompleteEvent", "ClipCompleteEvent", "CreateImageSpriteCompleteEvent"}

// appendV4Catalog writes a catalog event in the 4.0 envelope. A type with
// no 4.0 shape is written as its 3.0 EventContent: VOD sends those types
// only in the 3.0 format.
func (enc Encoding) appendV4Catalog(b []byte, e *Event) []byte {
	if !e.Kind.Legacy {
		return appendV3Catalog(b, e, "")
	}
	if enc.NumericVersion {
		b = append(b, `{"version":4,"eventType":`...)
	} else {
		b = append(b, `{"version":"4.0","eventType":`...)
	}
	b = appendString(b, e.Kind.Name)
	b = append(b, `,"data":`...)
	b = appendCatalog(b, e, true)
	return append(b, '}')
}
