package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrPayload is wrapped by every error Decode returns.
var ErrPayload = errors.New("not a well-formed VOD event payload")

type v4Envelope struct {
	Version   json.RawMessage `json:"version"`
	EventType *string         `json:"eventType"`
	Data      *v4Data         `json:"data"`
}

type v4Data struct {
	Status         *int     `json:"status"`
	Message        *string  `json:"message"`
	VodTaskID      *string  `json:"vodTaskId"`
	FileID         *string  `json:"fileId"`
	Definition     *int     `json:"definition"`
	TotalCount     *int     `json:"totalCount"`
	ImageSpriteURL []string `json:"imageSpriteUrl"`
	WebVTTURL      *string  `json:"webVttUrl"`
}

type v3Content struct {
	EventHandle                *string         `json:"EventHandle"`
	EventType                  *string         `json:"EventType"`
	FileUploadEvent            json.RawMessage `json:"FileUploadEvent"`
	ProcedureStateChangeEvent  json.RawMessage `json:"ProcedureStateChangeEvent"`
	FileDeleteEvent            json.RawMessage `json:"FileDeleteEvent"`
	PullCompleteEvent          json.RawMessage `json:"PullCompleteEvent"`
	EditMediaCompleteEvent     json.RawMessage `json:"EditMediaCompleteEvent"`
	WechatPublishCompleteEvent json.RawMessage `json:"WechatPublishCompleteEvent"`
	TranscodeCompleteEvent     json.RawMessage `json:"TranscodeCompleteEvent"`
	ConcatCompleteEvent        json.RawMessage `json:"ConcatCompleteEvent"`
	ClipCompleteEvent          json.RawMessage `json:"ClipCompleteEvent"`
	Event                      *v3Event        `json:"CreateImageSpriteCompleteEvent"`
}

type v3Event struct {
	ErrCode           *int     `json:"ErrCode"`
	Message           *string  `json:"Message"`
	TaskID            *string  `json:"TaskId"`
	FileID            *string  `json:"FileId"`
	Definition        *int     `json:"Definition"`
	TotalCount        *int     `json:"TotalCount"`
	ImageSpriteURLSet []string `json:"ImageSpriteUrlSet"`
	WebVTTURL         *string  `json:"WebVttUrl"`
}

// Decode parses a payload of any catalog event type in either format and
// returns the event and the Encoding that reproduces it: for any payload
// this package encodes, enc.Append(nil, &e) gives back the same JSON.
//
// Decode is strict, as a careful receiver would be: unknown fields, wrong
// types, a missing required field, an event type not in the catalog, sprite
// fields on a failure, or trailing data are errors wrapping ErrPayload; a
// type other than CreateImageSpriteComplete is checked against the SDK's
// model (no key it lacks, every value of its JSON type or null). A 3.0 payload's
// EventHandle, if any, is returned in handle.
//
// Decode reads the payloads it meets most (compact, no escapes, each key
// once, every value of its expected type) in one walk over the body with
// gjson; any other body, malformed ones included, goes through
// encoding/json, which gives the same answer for the former and the exact
// error for the latter.
func Decode(data []byte) (e Event, enc Encoding, handle string, err error) {
	if e, enc, handle, ok := decodeFast(data); ok {
		return e, enc, handle, nil
	}
	return decodeStrict(data)
}

// decodeStrict is Decode with encoding/json alone: a map probe for the
// type, then the type's strict decoding.
func decodeStrict(data []byte) (e Event, enc Encoding, handle string, err error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return e, enc, "", fmt.Errorf("%w: not a JSON object", ErrPayload)
	}
	var probe map[string]json.RawMessage
	if err := strictUnmarshal(data, &probe); err != nil {
		return e, enc, "", err
	}
	if k, v4, ok := catalogType(probe); ok {
		e, enc, handle, err := decodeCatalog(data, probe, k, v4)
		if err != nil {
			key := "EventType"
			if v4 {
				key = "eventType"
			}
			err = fmt.Errorf("%w: %s %s: %s", ErrPayload, key, k.Name, strings.TrimPrefix(err.Error(), ErrPayload.Error()+": "))
		}
		return e, enc, handle, err
	}
	if _, ok := probe["EventType"]; ok {
		enc.Format = FormatV3
		e, handle, err = decodeV3(data)
		return e, enc, handle, err
	}
	enc.Format = FormatV4
	e, enc, err = decodeV4(data)
	return e, enc, "", err
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: the JSON ends early (truncated)", ErrPayload)
		}
		return fmt.Errorf("%w: %v", ErrPayload, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: data after the JSON object", ErrPayload)
	}
	return nil
}

func missing(field string) error { return fmt.Errorf("%w: %s is missing", ErrPayload, field) }

func decodeV4(data []byte) (Event, Encoding, error) {
	var env v4Envelope
	enc := Encoding{Format: FormatV4}
	if err := strictUnmarshal(data, &env); err != nil {
		return Event{}, enc, err
	}
	switch string(env.Version) {
	case `"4.0"`:
	case `4`:
		enc.NumericVersion = true
	case "":
		return Event{}, enc, missing("version")
	default:
		return Event{}, enc, fmt.Errorf("%w: version is %s, want \"4.0\"", ErrPayload, env.Version)
	}
	if env.EventType == nil {
		return Event{}, enc, missing("eventType")
	}
	if *env.EventType != EventType {
		return Event{}, enc, fmt.Errorf("%w: eventType is %q", ErrPayload, *env.EventType)
	}
	d := env.Data
	if d == nil {
		return Event{}, enc, missing("data")
	}
	var e Event
	switch {
	case d.Status == nil:
		return e, enc, missing("data.status")
	case d.Message == nil:
		return e, enc, missing("data.message")
	case d.VodTaskID == nil:
		return e, enc, missing("data.vodTaskId")
	case d.FileID == nil:
		return e, enc, missing("data.fileId")
	}
	e.Status, e.Message, e.TaskID, e.FileID = *d.Status, *d.Message, *d.VodTaskID, *d.FileID
	if e.Status != 0 {
		if d.Definition != nil || d.TotalCount != nil || d.ImageSpriteURL != nil || d.WebVTTURL != nil {
			return e, enc, fmt.Errorf("%w: failure (status %d) carries sprite fields", ErrPayload, e.Status)
		}
		return e, enc, nil
	}
	switch {
	case d.Definition == nil:
		return e, enc, missing("data.definition")
	case d.TotalCount == nil:
		return e, enc, missing("data.totalCount")
	case d.ImageSpriteURL == nil:
		return e, enc, missing("data.imageSpriteUrl")
	}
	e.Template = templateFor(*d.Definition)
	e.TotalCount = *d.TotalCount
	e.SpriteURLs = d.ImageSpriteURL
	if d.WebVTTURL != nil {
		enc.WebVTT = true
		e.WebVTTURL = *d.WebVTTURL
	}
	return e, enc, nil
}

func decodeV3(data []byte) (Event, string, error) {
	var c v3Content
	if err := strictUnmarshal(data, &c); err != nil {
		return Event{}, "", err
	}
	var handle string
	if c.EventHandle != nil {
		handle = *c.EventHandle
	}
	if c.EventType == nil {
		return Event{}, handle, missing("EventType")
	}
	if *c.EventType != EventType {
		return Event{}, handle, fmt.Errorf("%w: EventType is %q", ErrPayload, *c.EventType)
	}
	d := c.Event
	if d == nil {
		return Event{}, handle, missing("CreateImageSpriteCompleteEvent")
	}
	var e Event
	switch {
	case d.ErrCode == nil:
		return e, handle, missing("CreateImageSpriteCompleteEvent.ErrCode")
	case d.Message == nil:
		return e, handle, missing("CreateImageSpriteCompleteEvent.Message")
	case d.TaskID == nil:
		return e, handle, missing("CreateImageSpriteCompleteEvent.TaskId")
	case d.FileID == nil:
		return e, handle, missing("CreateImageSpriteCompleteEvent.FileId")
	}
	e.Status, e.Message, e.TaskID, e.FileID = *d.ErrCode, *d.Message, *d.TaskID, *d.FileID
	if d.Definition != nil && (*d.Definition != 0 || e.Status == 0) {
		e.Template = templateFor(*d.Definition)
	}
	if d.TotalCount != nil {
		e.TotalCount = *d.TotalCount
	}
	e.SpriteURLs = d.ImageSpriteURLSet
	if d.WebVTTURL != nil {
		e.WebVTTURL = *d.WebVTTURL
	}
	return e, handle, nil
}

// templateFor gives the preset for 10 and a template that carries just the
// id otherwise: a payload does not say a custom template's layout.
func templateFor(def int) Template {
	if def == PresetTemplate.Definition {
		return PresetTemplate
	}
	return Template{Definition: def}
}

// catalogType reports the catalog type of a payload whose type is another
// than CreateImageSpriteComplete.
func catalogType(probe map[string]json.RawMessage) (*Kind, bool, bool) {
	raw, ok := probe["EventType"]
	v4 := false
	if !ok {
		raw, v4 = probe["eventType"], true
	}
	var name string
	if json.Unmarshal(raw, &name) != nil || name == EventType {
		return nil, false, false
	}
	k, ok := LookupKind(name)
	if !ok || k.Name != name || (v4 && !k.Legacy) {
		return nil, false, false
	}
	return k, v4, true
}
