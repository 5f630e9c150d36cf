package sender

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/mix"
)

// Every per-event decision is a pure function of (seed, purpose, event
// index): a hash, never a shared random source, so that the same seed
// makes the same decisions whatever the concurrency or timing.
const (
	saltDuplicate uint64 = 0x6475706c00000001
	saltReorder   uint64 = 0x72656f7264000002
	saltReorderBy uint64 = 0x72656f7264000003
	saltMalformed uint64 = 0x6d616c6600000004
	saltKind      uint64 = 0x6d616c6600000005
	saltCut       uint64 = 0x6d616c6600000006
	saltDelay     uint64 = 0x64656c6179000007
	saltDelayBy   uint64 = 0x64656c6179000008
	saltBackoff   uint64 = 0x6261636b00000009
)

// draw hashes (seed, salt, i) to 64 well-scattered bits.
func draw(seed int64, salt, i uint64) uint64 {
	return mix.Mix64(mix.Mix64(uint64(seed)^salt) + i*0x9e3779b97f4a7c15)
}

// unit hashes (seed, salt, i) to a float in [0, 1).
func unit(seed int64, salt, i uint64) float64 {
	return float64(draw(seed, salt, i)>>11) / (1 << 53)
}

// eventFaults is what the faults decide for one event.
type eventFaults struct {
	duplicate bool
	malform   Malformation // "" for none
	delay     time.Duration
}

func (r *run) decide(i uint64) eventFaults {
	var f eventFaults
	if r.faults.Duplicate > 0 && unit(r.seed, saltDuplicate, i) < r.faults.Duplicate {
		f.duplicate = true
	}
	if r.faults.Malformed > 0 && unit(r.seed, saltMalformed, i) < r.faults.Malformed {
		f.malform = r.kinds[draw(r.seed, saltKind, i)%uint64(len(r.kinds))]
	}
	if lo, hi := r.faults.DelayMin, r.faults.DelayMax; hi > 0 {
		f.delay = lo
		if span := hi - lo; span > 0 {
			f.delay += time.Duration(draw(r.seed, saltDelayBy, i) % uint64(span+1))
		}
	}
	return f
}

func validMalformation(m Malformation) bool {
	for _, k := range Malformations {
		if k == m {
			return true
		}
	}
	return false
}

// ParseMalformation accepts a Malformation's name.
func ParseMalformation(s string) (Malformation, bool) {
	m := Malformation(s)
	return m, validMalformation(m)
}

// malform returns body broken in the way m says; cut seeds where a
// truncated body ends. body is a well-formed payload of enc's format.
func malform(body []byte, m Malformation, enc generator.Encoding, cut uint64) []byte {
	switch m {
	case MalformTruncated:
		if len(body) < 2 {
			return body[:0]
		}
		return body[:1+cut%uint64(len(body)-1)]
	case MalformNotJSON:
		var e map[string]any
		if json.Unmarshal(body, &e) != nil {
			return []byte("not json")
		}
		// What a misconfigured sender might post: a form, not JSON.
		b := []byte("eventType=" + generator.EventType)
		if enc.Format == generator.FormatV3 {
			if d, ok := e["CreateImageSpriteCompleteEvent"].(map[string]any); ok {
				b = append(b, "&TaskId="+str(d["TaskId"])...)
			}
		} else if d, ok := e["data"].(map[string]any); ok {
			b = append(b, "&vodTaskId="+str(d["vodTaskId"])...)
		}
		return b
	}
	// The other kinds edit the event object: decode, change, re-encode.
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var env map[string]any
	if dec.Decode(&env) != nil {
		return body
	}
	inner, status, task := "data", "status", "vodTaskId"
	if enc.Format == generator.FormatV3 {
		inner, status, task = v3Member(env), "ErrCode", "TaskId"
	}
	d, ok := env[inner].(map[string]any)
	if !ok {
		return body
	}
	sprite := env["eventType"] == generator.EventType || env["EventType"] == generator.EventType
	switch m {
	case MalformWrongType:
		// The status (or, in a type without one, its first number or
		// string by name) in the other JSON type.
		key := status
		if _, ok := d[key]; !ok {
			key = firstScalar(d)
		}
		switch v := d[key].(type) {
		case string:
			d[key] = json.Number("1") // a string sent as a number
		case nil:
			env[inner] = "vodsim" // nothing to turn: the object itself
		default:
			d[key] = str(v) // a number sent as a string
		}
	case MalformMissingField:
		if sprite {
			delete(d, task)
		} else {
			// Every field of another type's object is optional in the
			// SDKs' models: the object itself goes.
			delete(env, inner)
		}
	case MalformUnknownField:
		d["unexpectedField"] = "vodsim"
	}
	out, err := json.Marshal(env)
	if err != nil {
		return body
	}
	return out
}

// firstScalar names d's first member, by name, whose value is a number
// or a string; "" if none.
func firstScalar(d map[string]any) string {
	keys := make([]string, 0, len(d))
	for k, v := range d {
		switch v.(type) {
		case string, json.Number:
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// v3Member names the EventContent member that carries a 3.0 event: the
// one member whose value is an object (CreateImageSpriteCompleteEvent,
// ProcedureStateChangeEvent, ...; the others are absent or null).
func v3Member(env map[string]any) string {
	for k, v := range env {
		if _, ok := v.(map[string]any); ok {
			return k
		}
	}
	return "CreateImageSpriteCompleteEvent"
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
