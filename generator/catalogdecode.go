package generator

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/vodsim/vodsim/generator/internal/sdkschema"
)

// decodeCatalog decodes an event of a catalog type other than the sprite
// one: the envelope strictly, the member (or 4.0 data) against the SDK's
// model: no key the model lacks, every value of the model's JSON type or
// null.
func decodeCatalog(data []byte, probe map[string]json.RawMessage, k *Kind, v4 bool) (Event, Encoding, string, error) {
	e := Event{Kind: k}
	enc := Encoding{Format: FormatV3}
	var handle string
	var member json.RawMessage
	path := k.Member
	if v4 {
		enc.Format = FormatV4
		for key, v := range probe {
			switch key {
			case "version":
				switch string(v) {
				case `"4.0"`:
				case "4":
					enc.NumericVersion = true
				default:
					return e, enc, "", fmt.Errorf("%w: version is %s, want \"4.0\"", ErrPayload, v)
				}
			case "eventType":
			case "data":
				member = v
			default:
				return e, enc, "", fmt.Errorf("%w: unknown field %q in the 4.0 envelope", ErrPayload, key)
			}
		}
		if _, ok := probe["version"]; !ok {
			return e, enc, "", missing("version")
		}
		path = "data"
	} else {
		for key, v := range probe {
			switch key {
			case "EventType":
			case "EventHandle":
				if err := json.Unmarshal(v, &handle); err != nil {
					return e, enc, "", fmt.Errorf("%w: EventHandle is not a string", ErrPayload)
				}
			case k.Member:
				member = v
			default:
				if !isMember(key) {
					return e, enc, handle, fmt.Errorf("%w: unknown field %q in EventContent", ErrPayload, key)
				}
				if string(bytes.TrimSpace(v)) != "null" {
					return e, enc, handle, fmt.Errorf("%w: %s event carries %s", ErrPayload, k.Name, key)
				}
			}
		}
	}
	if member == nil || string(bytes.TrimSpace(member)) == "null" {
		return e, enc, handle, missing(path)
	}
	var m map[string]any
	if err := json.Unmarshal(member, &m); err != nil {
		return e, enc, handle, fmt.Errorf("%w: %s is not an object", ErrPayload, path)
	}
	typ := k.typ
	if v4 && k.typ4 >= 0 {
		typ = k.typ4
	}
	if err := checkModel(m, typ, path, v4); err != nil {
		return e, enc, handle, err
	}
	name := func(s string) string {
		if v4 {
			return legacyName(s)
		}
		return s
	}
	e.TaskID, _ = m[name("TaskId")].(string)
	e.FileID, _ = m[name("FileId")].(string)
	if e.FileID == "" {
		if set, ok := m[name("FileIdSet")].([]any); ok && len(set) > 0 {
			e.FileID, _ = set[0].(string)
		}
	}
	if out, ok := m[name("Output")].(map[string]any); ok && e.FileID == "" {
		e.FileID, _ = out[name("FileId")].(string)
	}
	if c, ok := m[name("ErrCode")].(float64); ok {
		e.Status = int(c)
	} else if c, ok := m[name("Status")].(float64); ok {
		e.Status = int(c)
	} else if ext, _ := m[name("ErrCodeExt")].(string); ext != "" {
		e.Status = 70000
		for code, x := range errExt {
			if x[0] == ext {
				e.Status = code
			}
		}
	}
	e.Message, _ = m[name("Message")].(string)
	e.Raw = append([]byte(nil), bytes.TrimSpace(member)...)
	e.rawV4 = v4
	return e, enc, handle, nil
}

func isMember(key string) bool {
	for _, m := range sdkschema.Members {
		if m.Name == key {
			return true
		}
	}
	return false
}

// checkModel checks an object against SDK type t.
func checkModel(m map[string]any, t int, path string, v4 bool) error {
	fs := types[t].Fields
	keys := keysOf(t, v4)
	for key, v := range m {
		i := -1
		for j := range fs {
			if keys[j][1:len(keys[j])-2] == key {
				i = j
				break
			}
		}
		if i < 0 {
			return fmt.Errorf("%w: %s.%s is not in the SDK's %s", ErrPayload, path, key, types[t].Name)
		}
		if v == nil {
			continue
		}
		if err := checkValue(v, &fs[i], path+"."+key, v4); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(v any, f *sdkschema.Field, path string, v4 bool) error {
	bad := func(want string) error { return fmt.Errorf("%w: %s is not %s", ErrPayload, path, want) }
	switch f.Kind {
	case sdkschema.Str:
		if _, ok := v.(string); !ok {
			return bad("a string")
		}
	case sdkschema.Num:
		if _, ok := v.(float64); !ok {
			return bad("a number")
		}
	case sdkschema.Bool:
		if _, ok := v.(bool); !ok {
			return bad("a boolean")
		}
	case sdkschema.Obj:
		o, ok := v.(map[string]any)
		if !ok {
			return bad("an object")
		}
		return checkModel(o, f.Ref, path, v4)
	default:
		arr, ok := v.([]any)
		if !ok {
			return bad("an array")
		}
		el := *f
		el.Kind = map[sdkschema.Kind]sdkschema.Kind{sdkschema.StrArr: sdkschema.Str, sdkschema.NumArr: sdkschema.Num, sdkschema.BoolArr: sdkschema.Bool, sdkschema.ObjArr: sdkschema.Obj}[f.Kind]
		for i, x := range arr {
			if err := checkValue(x, &el, fmt.Sprintf("%s[%d]", path, i), v4); err != nil {
				return err
			}
		}
	}
	return nil
}
