package generator

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/vodsim/vodsim/generator/internal/sdkschema"
	"github.com/vodsim/vodsim/internal/spritekeys"
)

// decodeFast decodes the payloads a receiver meets most in one walk with
// gjson, without building maps or re-reading the body: compact or not,
// with no escape in any string, valid UTF-8, every key spelt exactly and
// present once, every value of its expected type. It reports ok only when
// decodeStrict would accept the body and return the same event; for
// anything else (malformed bodies, nulls where a value is expected,
// duplicate keys, keys in another case, numbers out of range, escapes) it
// reports !ok, and Decode asks decodeStrict, which also words the errors.
func decodeFast(data []byte) (e Event, enc Encoding, handle string, ok bool) {
	if bytes.IndexByte(data, '\\') >= 0 || !utf8.Valid(data) || !gjson.ValidBytes(data) {
		return
	}
	// One copy of the body: the event's strings are slices of it.
	root := gjson.Parse(string(data))
	if !root.IsObject() {
		return
	}
	var top fields
	if !top.collect(root) {
		return
	}
	if t, found := top.get("EventType"); found {
		if t.Type != gjson.String {
			return
		}
		if t.Str == EventType {
			return spriteV3(&top)
		}
		k := kindByName[t.Str]
		if k == nil {
			return
		}
		return catalogFast(&top, k, false)
	}
	t, found := top.get("eventType")
	if !found || t.Type != gjson.String {
		return
	}
	if t.Str == EventType {
		e, enc, ok = spriteV4(&top)
		return e, enc, "", ok
	}
	k := kindByName[t.Str]
	if k == nil || !k.Legacy {
		return
	}
	return catalogFast(&top, k, true)
}

// kindByName is the catalog by exact name (LookupKind ignores case).
var kindByName = func() map[string]*Kind {
	m := make(map[string]*Kind, len(Kinds))
	for _, k := range Kinds {
		m[k.Name] = k
	}
	return m
}()

// fields is an object's members in order, each key at most once.
type fields struct {
	n    int
	keys [16]string
	vals [16]gjson.Result
}

// collect reads object o's members; false when it has more than 16 or a
// key twice.
func (f *fields) collect(o gjson.Result) bool {
	good := true
	o.ForEach(func(k, v gjson.Result) bool {
		if f.n == len(f.keys) {
			good = false
			return false
		}
		for i := 0; i < f.n; i++ {
			if f.keys[i] == k.Str {
				good = false
				return false
			}
		}
		f.keys[f.n], f.vals[f.n] = k.Str, v
		f.n++
		return true
	})
	return good
}

func (f *fields) get(key string) (gjson.Result, bool) {
	for i := 0; i < f.n; i++ {
		if f.keys[i] == key {
			return f.vals[i], true
		}
	}
	return gjson.Result{}, false
}

// v3Nullable are the members of v3Content that decodeStrict takes as raw
// JSON beside a sprite event: the fast path accepts them as null only.
var v3Nullable = []string{"FileUploadEvent", "ProcedureStateChangeEvent", "FileDeleteEvent", "PullCompleteEvent",
	"EditMediaCompleteEvent", "WechatPublishCompleteEvent", "TranscodeCompleteEvent", "ConcatCompleteEvent", "ClipCompleteEvent"}

func spriteV3(top *fields) (e Event, enc Encoding, handle string, ok bool) {
	var member gjson.Result
	for i := 0; i < top.n; i++ {
		k, v := top.keys[i], top.vals[i]
		switch k {
		case "EventType":
		case "EventHandle":
			switch v.Type {
			case gjson.String:
				handle = v.Str
			case gjson.Null:
			default:
				return
			}
		case "CreateImageSpriteCompleteEvent":
			member = v
		default:
			if v.Type != gjson.Null || !contains(v3Nullable, k) {
				return
			}
		}
	}
	if !member.IsObject() {
		return
	}
	var s sprite
	if !s.read(member, 0) || !s.has[spritekeys.Status] || !s.has[spritekeys.Message] || !s.has[spritekeys.Task] || !s.has[spritekeys.File] {
		return
	}
	e.Status, e.Message, e.TaskID, e.FileID = s.ints[spritekeys.Status], s.strs[spritekeys.Message], s.strs[spritekeys.Task], s.strs[spritekeys.File]
	if s.has[spritekeys.Definition] && (s.ints[spritekeys.Definition] != 0 || e.Status == 0) {
		e.Template = templateFor(s.ints[spritekeys.Definition])
	}
	e.TotalCount = s.ints[spritekeys.Total]
	e.SpriteURLs = s.urls
	e.WebVTTURL = s.strs[spritekeys.WebVTT]
	return e, Encoding{Format: FormatV3}, handle, true
}

func spriteV4(top *fields) (e Event, enc Encoding, ok bool) {
	enc.Format = FormatV4
	var member gjson.Result
	version := false
	for i := 0; i < top.n; i++ {
		switch v := top.vals[i]; top.keys[i] {
		case "eventType":
		case "version":
			if version, ok = readVersion(v, &enc); !ok {
				return
			}
		case "data":
			member = v
		default:
			return e, enc, false
		}
	}
	if !version || !member.IsObject() {
		return e, enc, false
	}
	var s sprite
	if !s.read(member, 1) || !s.has[spritekeys.Status] || !s.has[spritekeys.Message] || !s.has[spritekeys.Task] || !s.has[spritekeys.File] {
		return e, enc, false
	}
	e.Status, e.Message, e.TaskID, e.FileID = s.ints[spritekeys.Status], s.strs[spritekeys.Message], s.strs[spritekeys.Task], s.strs[spritekeys.File]
	if e.Status != 0 {
		if s.has[spritekeys.Definition] || s.has[spritekeys.Total] || s.has[spritekeys.URLs] || s.has[spritekeys.WebVTT] {
			return e, enc, false
		}
		return e, enc, true
	}
	if !s.has[spritekeys.Definition] || !s.has[spritekeys.Total] || !s.has[spritekeys.URLs] {
		return e, enc, false
	}
	e.Template = templateFor(s.ints[spritekeys.Definition])
	e.TotalCount = s.ints[spritekeys.Total]
	e.SpriteURLs = s.urls
	if s.has[spritekeys.WebVTT] {
		enc.WebVTT = true
		e.WebVTTURL = s.strs[spritekeys.WebVTT]
	}
	return e, enc, true
}

// readVersion accepts a 4.0 envelope's version as decodeStrict does:
// "4.0", or the number 4.
func readVersion(v gjson.Result, enc *Encoding) (bool, bool) {
	switch v.Raw {
	case `"4.0"`:
		return true, true
	case "4":
		enc.NumericVersion = true
		return true, true
	}
	return false, false
}

// sprite is a sprite event's members as read.
type sprite struct {
	has  [8]bool
	ints [8]int
	strs [8]string
	urls []string
}

// read reads a 3.0 (format 0) or 4.0 (1) sprite member: every key known
// and once, no null, ints that fit an int, strings, an array of strings.
func (s *sprite) read(o gjson.Result, format int) bool {
	good := true
	o.ForEach(func(k, v gjson.Result) bool {
		i := 0
		for i < len(spritekeys.Keys[format]) && spritekeys.Keys[format][i] != k.Str {
			i++
		}
		if i == len(spritekeys.Keys[format]) || s.has[i] {
			good = false
			return false
		}
		s.has[i] = true
		switch i {
		case spritekeys.Status, spritekeys.Definition, spritekeys.Total:
			if v.Type != gjson.Number {
				good = false
				return false
			}
			n, err := strconv.ParseInt(v.Raw, 10, 64)
			if err != nil {
				good = false
				return false
			}
			s.ints[i] = int(n)
		case spritekeys.URLs:
			if !v.IsArray() {
				good = false
				return false
			}
			s.urls = make([]string, 0, 4)
			v.ForEach(func(_, u gjson.Result) bool {
				if u.Type != gjson.String {
					good = false
					return false
				}
				s.urls = append(s.urls, u.Str)
				return true
			})
		default:
			if v.Type != gjson.String {
				good = false
				return false
			}
			s.strs[i] = v.Str
		}
		return good
	})
	return good
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The members of a catalog event that decodeCatalog reads, in the order of
// catalogFields.
const (
	cTask = iota
	cFile
	cFileSet
	cOutput
	cErrCode
	cStatus
	cErrCodeExt
	cMessage
)

var catalogFields = [...]string{"TaskId", "FileId", "FileIdSet", "Output", "ErrCode", "Status", "ErrCodeExt", "Message"}

// catalogNames are catalogFields as keys in 3.0 and in 4.0.
var catalogNames = func() (m [2][len(catalogFields)]string) {
	for i, k := range catalogFields {
		m[0][i], m[1][i] = k, legacyName(k)
	}
	return m
}()

// catalogFast is decodeCatalog's fast counterpart.
func catalogFast(top *fields, k *Kind, v4 bool) (e Event, enc Encoding, handle string, ok bool) {
	e.Kind = k
	enc.Format = FormatV3
	var member gjson.Result
	if v4 {
		enc.Format = FormatV4
		version := false
		for i := 0; i < top.n; i++ {
			switch v := top.vals[i]; top.keys[i] {
			case "version":
				if version, ok = readVersion(v, &enc); !ok {
					return
				}
			case "eventType":
			case "data":
				member = v
			default:
				return e, enc, "", false
			}
		}
		if !version {
			return e, enc, "", false
		}
	} else {
		for i := 0; i < top.n; i++ {
			switch key, v := top.keys[i], top.vals[i]; key {
			case "EventType":
			case "EventHandle":
				switch v.Type {
				case gjson.String:
					handle = v.Str
				case gjson.Null:
				default:
					return e, enc, "", false
				}
			case k.Member:
				member = v
			default:
				if v.Type != gjson.Null || !isMember(key) {
					return e, enc, "", false
				}
			}
		}
	}
	if !member.IsObject() {
		return e, enc, "", false
	}
	typ := k.typ
	if v4 && k.typ4 >= 0 {
		typ = k.typ4
	}
	if !modelFast(member, typ, v4, 0) {
		return e, enc, "", false
	}
	f := 0
	if v4 {
		f = 1
	}
	// The members decodeCatalog reads, in one walk (modelFast has
	// checked that each key comes once).
	var got [len(catalogFields)]gjson.Result
	member.ForEach(func(k, v gjson.Result) bool {
		for i, name := range catalogNames[f] {
			if k.Str == name {
				got[i] = v
			}
		}
		return true
	})
	if v := got[cTask]; v.Type == gjson.String {
		e.TaskID = v.Str
	}
	if v := got[cFile]; v.Type == gjson.String {
		e.FileID = v.Str
	}
	if set := got[cFileSet]; e.FileID == "" && set.IsArray() {
		if first := get1(set); first.Type == gjson.String {
			e.FileID = first.Str
		}
	}
	if out := got[cOutput]; out.IsObject() && e.FileID == "" {
		out.ForEach(func(k, v gjson.Result) bool {
			if k.Str == catalogNames[f][cFile] {
				if v.Type == gjson.String {
					e.FileID = v.Str
				}
				return false
			}
			return true
		})
	}
	if c := got[cErrCode]; c.Type == gjson.Number {
		e.Status = int(number(c))
	} else if c := got[cStatus]; c.Type == gjson.Number {
		e.Status = int(number(c))
	} else if ext := got[cErrCodeExt]; ext.Type == gjson.String && ext.Str != "" {
		e.Status = 70000
		for code, x := range errExt {
			if x[0] == ext.Str {
				e.Status = code
			}
		}
	}
	if v := got[cMessage]; v.Type == gjson.String {
		e.Message = v.Str
	}
	e.Raw = []byte(member.Raw)
	e.rawV4 = v4
	return e, enc, handle, true
}

// get1 is an array's first element (a Result that does not exist when
// the array is empty).
func get1(a gjson.Result) gjson.Result {
	var r gjson.Result
	a.ForEach(func(_, v gjson.Result) bool {
		r = v
		return false
	})
	return r
}

// number is a JSON number's value as encoding/json reads it into a float64;
// modelFast has checked that it parses.
func number(v gjson.Result) float64 {
	f, _ := strconv.ParseFloat(v.Raw, 64)
	return f
}

// maxFastDepth bounds how deep modelFast follows nested objects; deeper
// bodies go to decodeStrict.
const maxFastDepth = 32

// modelFast is checkModel on a gjson object: every key in the SDK's type
// t and once, every value of the field's JSON type or null (an array's
// elements not null), every number one encoding/json reads into a float64.
func modelFast(o gjson.Result, t int, v4 bool, depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	fs := types[t].Fields
	keys := keysOf(t, v4)
	var seenBuf [64]bool
	seen := seenBuf[:]
	if len(fs) > len(seenBuf) {
		seen = make([]bool, len(fs))
	}
	good := true
	o.ForEach(func(k, v gjson.Result) bool {
		i := -1
		for j := range fs {
			if keys[j][1:len(keys[j])-2] == k.Str {
				i = j
				break
			}
		}
		if i < 0 || seen[i] {
			good = false
			return false
		}
		seen[i] = true
		if v.Type == gjson.Null {
			return true
		}
		good = valueFast(v, fs[i].Kind, fs[i].Ref, v4, depth)
		return good
	})
	return good
}

func valueFast(v gjson.Result, kind sdkschema.Kind, ref int, v4 bool, depth int) bool {
	switch kind {
	case sdkschema.Str:
		return v.Type == gjson.String
	case sdkschema.Num:
		if v.Type != gjson.Number {
			return false
		}
		_, err := strconv.ParseFloat(v.Raw, 64)
		return err == nil
	case sdkschema.Bool:
		return v.Type == gjson.True || v.Type == gjson.False
	case sdkschema.Obj:
		return v.IsObject() && modelFast(v, ref, v4, depth+1)
	}
	if !v.IsArray() {
		return false
	}
	el := sdkschema.Str // as checkValue: any other array holds strings
	switch kind {
	case sdkschema.NumArr:
		el = sdkschema.Num
	case sdkschema.BoolArr:
		el = sdkschema.Bool
	case sdkschema.ObjArr:
		el = sdkschema.Obj
	}
	good := true
	v.ForEach(func(_, x gjson.Result) bool {
		good = valueFast(x, el, ref, v4, depth+1)
		return good
	})
	return good
}
