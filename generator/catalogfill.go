package generator

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vodsim/vodsim/generator/internal/sdkschema"
	"github.com/vodsim/vodsim/internal/mix"
)

// The catalog writes every member by walking the SDK's model
// (internal/sdkschema): every key at every depth, in the SDK's order. A
// rule per field, chosen once by the field's type and name, gives its value;
// CATALOG.md says where each rule comes from.

type rule uint8

const (
	rZero rule = iota // "" / 0 / false / [] / an object, by kind
	rNull
	rEmptyArr
	rTaskID
	rFileID
	rFileIDSet
	rStatus
	rMediaStatus
	rErrCode
	rErrCodeExt
	rMessage
	rURL
	rTime
	rBeginTime
	rNeverExpire
	rDefinition
	rWidth
	rHeight
	rBitrate
	rAudioBitrate
	rDuration
	rSize
	rFps
	rContainer
	rVideoCodec
	rAudioCodec
	rSampling
	rMd5
	rName
	rMediaType
	rCategory
	rStorageRegion
	rStorageClass
	rSourceType
	rProgress
	rConfidence
	rNotifyMode
	rTotalCount
	rImageURLs
	rProcResults
	rOutput
	rTimeOffset
	rClassName
	rRestoreStatus
	rSeconds // a duration in whole seconds
	// 4.0 ProcedureStateChanged (catalog4proc.go)
	rOne          // an object, or an array of one object, at any depth
	rProcTaskList // processTaskList
	rVideoBitrate // the video stream's bitrate alone
	rPositionType // a cover's positionType
	rTimeOffsetSet
)

var byPath = map[string]rule{
	"ProcedureTask.MediaProcessResultSet":    rProcResults,
	"ProcedureTask.AiContentReviewResultSet": rEmptyArr,
	"ProcedureTask.AiAnalysisResultSet":      rEmptyArr,
	"ProcedureTask.AiRecognitionResultSet":   rEmptyArr,
	"MediaBasicInfo.Status":                  rMediaStatus,
	"MediaBasicInfo.Type":                    rMediaType,
	"MediaBasicInfo.Name":                    rName,
	"MediaBasicInfo.TagSet":                  rEmptyArr,
	"MediaSourceData.LiveRecordInfo":         rNull,
	"MediaSourceData.TrtcRecordInfo":         rNull,
	"MediaSourceData.WebPageRecordInfo":      rNull,
	"MediaAudioStreamItem.Bitrate":           rAudioBitrate,
	"MediaAudioStreamItem.Codec":             rAudioCodec,
	"RestoreMediaTask.Status":                rRestoreStatus,
}

var byName = map[string]rule{
	"TaskId": rTaskID, "FileId": rFileID, "SrcFileId": rFileID, "FileIdSet": rFileIDSet,
	"Status": rStatus, "ErrCode": rErrCode, "ErrCodeExt": rErrCodeExt, "Message": rMessage,
	"Url": rURL, "FileUrl": rURL, "MediaUrl": rURL, "CoverUrl": rURL, "WebVttUrl": rURL, "ImageUrl": rURL,
	"CreateTime": rBeginTime, "UpdateTime": rTime, "FinishTime": rTime, "BeginProcessTime": rBeginTime,
	"ExpireTime": rNeverExpire, "Definition": rDefinition, "Width": rWidth, "Height": rHeight,
	"Bitrate": rBitrate, "Duration": rDuration, "VideoDuration": rDuration, "AudioDuration": rDuration,
	"Size": rSize, "Fps": rFps, "Container": rContainer, "Codec": rVideoCodec, "SamplingRate": rSampling,
	"Md5": rMd5, "FileName": rName, "MediaName": rName, "Category": rCategory,
	"StorageRegion": rStorageRegion, "StorageClass": rStorageClass, "SourceType": rSourceType,
	"Progress": rProgress, "Confidence": rConfidence, "TasksNotifyMode": rNotifyMode,
	"TotalCount": rTotalCount, "ImageUrlSet": rImageURLs, "Output": rOutput, "MetaData": rOutput,
	"TimeOffset": rTimeOffset, "ClassName": rClassName, "ClassPath": rClassName,
}

// compiled rules, per type and field.
var rules [][]rule

// typeKeys holds each type's keys, made the first time an event needs
// them (see keysOf): a run makes a few of the catalog's types, and the
// keys of all of them are some 400 KB.
var typeKeys []atomic.Pointer[[2][]string]

func init() {
	rules = make([][]rule, len(types))
	typeKeys = make([]atomic.Pointer[[2][]string], len(types))
	for t, ty := range types {
		if lr, ok := legacyRules[t]; ok {
			// A 4.0 data type: its names are the wire's, its rules its own.
			rules[t] = lr
			continue
		}
		for _, f := range ty.Fields {
			r, ok := byPath[ty.Name+"."+f.Name]
			if !ok {
				r = byName[f.Name]
				// A name rule applies only to the kind it is written for.
				if (r == rErrCode && f.Kind != sdkschema.Num) || (r == rStatus && f.Kind != sdkschema.Str) ||
					(r == rWidth || r == rHeight) && f.Kind != sdkschema.Num || r == rDefinition && f.Kind != sdkschema.Num ||
					r == rOutput && f.Kind != sdkschema.Obj || r == rTimeOffset && f.Kind != sdkschema.Num {
					r = rZero
				}
			}
			rules[t] = append(rules[t], r)
		}
	}
}

// keysOf returns type t's keys, one per field: `"Name":`, or with v4 the
// 4.0 lowerCamel spelling `"name":` (a 4.0 data type's names are the
// wire's either way). They are made on first use; two goroutines may make
// the same ones at once, and either is kept.
func keysOf(t int, v4 bool) []string {
	p := &typeKeys[t]
	k := p.Load()
	if k == nil {
		k = new([2][]string)
		fs := types[t].Fields
		_, legacy := legacyRules[t]
		k[0] = make([]string, len(fs))
		for i, f := range fs {
			k[0][i] = `"` + f.Name + `":`
		}
		k[1] = k[0]
		if !legacy {
			k[1] = make([]string, len(fs))
			for i, f := range fs {
				k[1][i] = `"` + legacyName(f.Name) + `":`
			}
		}
		p.Store(k)
	}
	if v4 {
		return k[1]
	}
	return k[0]
}

// legacyName is a 3.0 key in the 4.0 spelling: TaskId is vodTaskId, the
// rest lowerCamel (FileId -> fileId, MetaData -> metaData).
func legacyName(s string) string {
	if s == "TaskId" {
		return "vodTaskId"
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// The kinds of subtask a task flow runs, in MediaProcessTaskResult.Type,
// with the member that carries each and its preset template.
var subtasks = []struct {
	typ, member string
	def         int
}{
	{"Transcode", "TranscodeTask", 100030},
	{"AnimatedGraphics", "AnimatedGraphicTask", 20000},
	{"SnapshotByTimeOffset", "SnapshotByTimeOffsetTask", 10},
	{"SampleSnapshot", "SampleSnapshotTask", 10},
	{"ImageSprites", "ImageSpriteTask", 10},
	{"CoverBySnapshot", "CoverBySnapshotTask", 10},
	{"AdaptiveDynamicStreaming", "AdaptiveDynamicStreamingTask", 10},
}

// Media the events describe: source resolutions with their usual bitrates.
var resolutions = []struct{ w, h, vbr int }{
	{640, 360, 800_000}, {1280, 720, 2_500_000}, {1920, 1080, 5_000_000}, {3840, 2160, 15_000_000},
}

// errExt gives a 3.0 ErrCode its ErrCodeExt and message.
var errExt = map[int][2]string{
	40000: {"InvalidInput", "input parameter is invalid"},
	60000: {"SourceFileError.ContentMalformed", "source file is malformed"},
	70000: {"InternalError", "internal error, retry later"},
}

// Codes3 are the API 3.0 ErrCode values a failed task carries.
var Codes3 = []int{40000, 60000, 70000}

// filler holds what one catalog event's values agree on.
type filler struct {
	b    []byte
	r    splitmix
	r0   splitmix // r as the event's member or data object starts
	e    *Event
	g    *Generator
	dir  []byte // the file's folder URL, ending in '/'
	v4   bool
	fail bool
	// the media
	w, h, fps, vbr, abr int
	dur                 float64
	// the task flow (ProcedureStateChanged)
	notify   string
	finished bool
	sub      int // index in subtasks, -1 outside one
	subState byte
	subFail  bool
	depth    int
	// values written many times in one event, formatted once
	end, begin, dur2 []byte // rTime, rBeginTime, rDuration
}

const maxObjDepth, maxArrDepth = 4, 3

func (c *filler) obj(t int) {
	if d := c.depth + 1; d <= maxProgDepth {
		v := 0
		if c.v4 {
			v = 1
		}
		fs := types[t].Fields
		rs := rules[t]
		c.depth++
		for _, op := range prog(v, d, t) {
			c.b = append(c.b, op.lit...)
			if op.field >= 0 {
				c.value(&fs[op.field], rs[op.field])
			}
		}
		c.depth--
		return
	}
	c.b = append(c.b, '{')
	fs := types[t].Fields
	keys := keysOf(t, c.v4)
	c.depth++
	for i := range fs {
		if i > 0 {
			c.b = append(c.b, ',')
		}
		c.b = append(c.b, keys[i]...)
		c.value(&fs[i], rules[t][i])
	}
	c.depth--
	c.b = append(c.b, '}')
}

// An object's program: its keys, punctuation and every value that is the
// same in every event, joined into literals, between the fields whose
// value the event decides. It writes the same bytes as walking the fields
// one by one, in a few copies instead of one per key.
type progOp struct {
	lit   string
	field int // index of a field to write after lit, -1 for none
}

const maxProgDepth = maxObjDepth + 2

// progs[v4][depth][type]: depth is that of the object's fields (1 at the
// event's member). Each is compiled the first time an event needs it (see
// prog): a run makes a few of the catalog's types, and the programs of
// all of them at every depth would hold some 800 KB for the whole run.
var progs [2][maxProgDepth + 1][]atomic.Pointer[[]progOp]

func init() {
	for v := range 2 {
		for d := 1; d <= maxProgDepth; d++ {
			progs[v][d] = make([]atomic.Pointer[[]progOp], len(types))
		}
	}
	resultElems = compileResultElems()
}

// prog is the program of type t at depth d (v: 1 for 4.0), compiled on
// first use. Two goroutines may compile the same one at once: both make
// the same program, and either is kept.
func prog(v, d, t int) []progOp {
	p := &progs[v][d][t]
	if ops := p.Load(); ops != nil {
		return *ops
	}
	ops := compileObj(t, d, v == 1)
	p.Store(&ops)
	return ops
}

func compileObj(t, d int, v4 bool) []progOp {
	var ops []progOp
	keys := keysOf(t, v4)
	// One buffer for the literals.
	cur := []byte{'{'}
	for i := range types[t].Fields {
		if i > 0 {
			cur = append(cur, ',')
		}
		cur = append(cur, keys[i]...)
		if lit, ok := staticValue(&types[t].Fields[i], rules[t][i], d, v4); ok {
			cur = append(cur, lit...)
			continue
		}
		ops = append(ops, progOp{string(cur), i})
		cur = cur[:0]
	}
	return append(ops, progOp{string(append(cur, '}')), -1})
}

// staticValue is the value a field of an object at depth d has in every
// event, if it has one.
func staticValue(f *sdkschema.Field, r rule, d int, v4 bool) (string, bool) {
	switch r {
	case rNull:
		return "null", true
	case rEmptyArr:
		return "[]", true
	case rMediaStatus:
		return `"Normal"`, true
	case rNeverExpire:
		return `"9999-12-31T23:59:59Z"`, true
	case rVideoCodec:
		return `"h264"`, true
	case rAudioCodec:
		return `"aac"`, true
	case rSampling:
		return "44100", true
	case rMediaType:
		return `"mp4"`, true
	case rCategory:
		return `"Video"`, true
	case rStorageRegion:
		return `"ap-guangzhou"`, true
	case rStorageClass:
		return `"STANDARD"`, true
	case rClassName:
		return `"其他"`, true
	case rPositionType:
		return `"Time"`, true
	case rZero:
	default:
		return "", false
	}
	switch f.Kind {
	case sdkschema.Str:
		return `""`, true
	case sdkschema.Num:
		return "0", true
	case sdkschema.Bool:
		return "false", true
	case sdkschema.StrArr, sdkschema.NumArr, sdkschema.BoolArr:
		return "[]", true
	case sdkschema.Obj, sdkschema.ObjArr:
		open, close := "", ""
		if f.Kind == sdkschema.Obj && d >= maxObjDepth {
			return noObject(f), true
		}
		if f.Kind == sdkschema.ObjArr {
			if d >= maxArrDepth {
				return "[]", true
			}
			open, close = "[", "]"
		}
		if d+1 > maxProgDepth {
			return "", false
		}
		if sub := prog(b2i(v4), d+1, f.Ref); len(sub) == 1 {
			return open + sub[0].lit + close, true
		}
	}
	return "", false
}

// resultElems[v4][subtask] is a MediaProcessResultSet element as literals
// around its one member: {"Type":..., the other members null, "X":<pre, post>}.
var resultElems [2][]resultElem

type resultElem struct {
	typ, member int
	pre, post   string
}

func compileResultElems() (out [2][]resultElem) {
	t := sdkschema.TypeIndex("MediaProcessTaskResult")
	for v := range 2 {
		keys := keysOf(t, v == 1)
		for _, st := range subtasks {
			el := resultElem{typ: t, member: -1}
			cur := "{"
			for i, f := range types[t].Fields {
				if i > 0 {
					cur += ","
				}
				cur += keys[i]
				switch f.Name {
				case "Type":
					cur += string(appendString(nil, st.typ))
				case st.member:
					el.member, el.pre = i, cur
					cur = ""
				default:
					cur += "null"
				}
			}
			el.post = cur + "}"
			out[v] = append(out[v], el)
		}
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *filler) top() bool { return c.depth == 1 }

func (c *filler) value(f *sdkschema.Field, r rule) {
	b := c.b
	switch r {
	case rNull:
		b = append(b, "null"...)
	case rEmptyArr:
		b = append(b, "[]"...)
	case rTaskID:
		b = appendString(b, c.e.TaskID)
	case rFileID:
		b = appendString(b, c.e.FileID)
	case rFileIDSet:
		b = append(b, '[')
		b = appendString(b, c.e.FileID)
		b = append(b, ']')
	case rStatus:
		switch {
		case c.top() && !c.finished:
			b = append(b, `"PROCESSING"`...)
		case c.top():
			b = append(b, `"FINISH"`...)
		case c.subState == 'P':
			b = append(b, `"PROCESSING"`...)
		case c.subFail || (c.sub < 0 && c.fail):
			b = append(b, `"FAIL"`...)
		default:
			b = append(b, `"SUCCESS"`...)
		}
	case rMediaStatus:
		b = append(b, `"Normal"`...)
	case rRestoreStatus:
		b = strconv.AppendInt(b, int64(c.e.Status), 10)
	case rErrCode:
		b = strconv.AppendInt(b, int64(c.errCode()), 10)
	case rErrCodeExt:
		if code := c.errCode(); code == 0 {
			b = append(b, `""`...)
		} else {
			b = appendString(b, errExt[code][0])
		}
	case rMessage:
		if c.top() {
			b = appendString(b, c.e.Message)
		} else if c.subFail {
			b = appendString(b, errExt[c.e.Status][1])
		} else {
			b = append(b, `""`...)
		}
	case rURL:
		b = c.url(b, f.Name, 0)
	case rTime:
		if c.subState == 'P' {
			b = append(b, `""`...)
			break
		}
		b = append(b, c.end...)
	case rBeginTime:
		b = append(b, c.begin...)
	case rNeverExpire:
		b = append(b, `"9999-12-31T23:59:59Z"`...)
	case rDefinition:
		b = strconv.AppendInt(b, int64(c.definition()), 10)
	case rWidth, rHeight:
		w, h := c.size()
		if r == rHeight {
			w = h
		}
		b = strconv.AppendInt(b, int64(w), 10)
	case rBitrate:
		b = strconv.AppendInt(b, int64(c.bitrate()+c.abr), 10)
	case rAudioBitrate:
		b = strconv.AppendInt(b, int64(c.abr), 10)
	case rDuration:
		b = append(b, c.dur2...)
	case rSeconds:
		b = strconv.AppendInt(b, int64(c.dur), 10)
	case rSize:
		b = strconv.AppendInt(b, int64(float64(c.bitrate()+c.abr)*c.dur/8), 10)
	case rFps:
		b = strconv.AppendInt(b, int64(c.fps), 10)
	case rContainer:
		if c.sub >= 0 && subtasks[c.sub].typ == "AnimatedGraphics" {
			b = append(b, `"gif"`...)
		} else {
			b = append(b, `"mov,mp4,m4a,3gp,3g2,mj2"`...)
		}
	case rVideoCodec:
		b = append(b, `"h264"`...)
	case rAudioCodec:
		b = append(b, `"aac"`...)
	case rSampling:
		b = append(b, "44100"...)
	case rMd5:
		b = append(b, '"')
		b = appendHex(b, c.r.Uint64(), 16)
		b = appendHex(b, c.r.Uint64(), 16)
		b = append(b, '"')
	case rName:
		b = append(b, `"video-`...)
		b = appendHex(b, fileHash(c.e.FileID), 8)
		if f.Name == "FileName" {
			b = append(b, ".mp4"...)
		}
		b = append(b, '"')
	case rMediaType:
		b = append(b, `"mp4"`...)
	case rCategory:
		b = append(b, `"Video"`...)
	case rStorageRegion:
		b = append(b, `"ap-guangzhou"`...)
	case rStorageClass:
		b = append(b, `"STANDARD"`...)
	case rSourceType:
		if f.Name == "sourceType" { // 4.0: Record, ClientUpload or ServerUpload
			b = append(b, `"ServerUpload"`...)
		} else if c.e.Kind != nil && c.e.Kind.Name == "PullComplete" {
			b = append(b, `"PullUpload"`...)
		} else {
			b = append(b, `"Upload"`...)
		}
	case rClassName:
		b = append(b, `"其他"`...)
	case rProgress:
		if c.subState == 'P' || (c.top() && !c.finished) {
			b = strconv.AppendInt(b, int64(c.r.Uint64()%100), 10)
		} else {
			b = append(b, "100"...)
		}
	case rConfidence:
		b = strconv.AppendInt(b, int64(50+c.r.Uint64()%50), 10)
	case rNotifyMode:
		b = appendString(b, c.notify)
	case rTotalCount:
		b = strconv.AppendInt(b, int64(c.tiles()), 10)
	case rImageURLs:
		n := 1
		if c.sub >= 0 && subtasks[c.sub].typ == "ImageSprites" {
			n = PresetTemplate.SheetCount(c.tiles())
		} else if c.sub >= 0 && subtasks[c.sub].typ == "SampleSnapshot" {
			n = min(int(c.dur/10)+1, 20)
		}
		b = append(b, '[')
		for k := 0; k < n; k++ {
			if k > 0 {
				b = append(b, ',')
			}
			b = c.url(b, f.Name, k)
		}
		b = append(b, ']')
	case rTimeOffset:
		b = strconv.AppendInt(b, int64(c.dur*500), 10) // ms, the middle
	case rProcResults:
		c.b = b
		c.procResults(f)
		return
	case rProcTaskList:
		c.b = b
		c.procTaskList4()
		return
	case rOne:
		c.b = b
		if f.Kind == sdkschema.ObjArr {
			c.b = append(c.b, '[')
			c.obj(f.Ref)
			c.b = append(c.b, ']')
		} else {
			c.obj(f.Ref)
		}
		return
	case rVideoBitrate:
		b = strconv.AppendInt(b, int64(c.bitrate()), 10)
	case rPositionType:
		b = append(b, `"Time"`...)
	case rTimeOffsetSet:
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(c.dur*500), 10)
		b = append(b, ']')
	case rOutput:
		if (c.top() && c.fail) || c.subState == 'P' || c.subFail {
			b = append(b, noObject(f)...)
			break
		}
		c.b = b
		c.obj(f.Ref)
		return
	default:
		c.b = b
		c.zero(f)
		return
	}
	c.b = b
}

// noObject is an object member that holds nothing (a failed task's
// output, an object below the depth the catalog fills): null where the SDK
// notes that the member may be null, an empty object otherwise.
func noObject(f *sdkschema.Field) string {
	if f.Null {
		return "null"
	}
	return "{}"
}

func (c *filler) zero(f *sdkschema.Field) {
	switch f.Kind {
	case sdkschema.Str:
		c.b = append(c.b, `""`...)
	case sdkschema.Num:
		c.b = append(c.b, '0')
	case sdkschema.Bool:
		c.b = append(c.b, "false"...)
	case sdkschema.StrArr, sdkschema.NumArr, sdkschema.BoolArr:
		c.b = append(c.b, "[]"...)
	case sdkschema.Obj:
		if c.depth >= maxObjDepth {
			c.b = append(c.b, noObject(f)...)
			return
		}
		c.obj(f.Ref)
	case sdkschema.ObjArr:
		if c.depth >= maxArrDepth {
			c.b = append(c.b, "[]"...)
			return
		}
		c.b = append(c.b, '[')
		c.obj(f.Ref)
		c.b = append(c.b, ']')
	}
}

// procResults writes MediaProcessResultSet: one element per subtask of the
// flow, each with its Type and only its own member set.
func (c *filler) procResults(f *sdkschema.Field) {
	t := f.Ref
	fs := types[t].Fields
	keys := keysOf(t, c.v4)
	flow, failAt, procAt := c.flowPlan(&c.r)
	c.b = append(c.b, '[')
	first := true
	c.depth++
	for s := range subtasks {
		if !runs(flow, s, failAt, procAt) {
			continue
		}
		if !first {
			c.b = append(c.b, ',')
		}
		first = false
		c.sub, c.subFail, c.subState = s, s == failAt, 'F'
		if procAt >= 0 && s >= procAt {
			c.subState = 'P'
		}
		el := &resultElems[b2i(c.v4)][s]
		if el.member >= 0 && el.typ == t {
			c.b = append(c.b, el.pre...)
			c.obj(fs[el.member].Ref)
			c.b = append(c.b, el.post...)
			continue
		}
		c.b = append(c.b, '{')
		for i := range fs {
			if i > 0 {
				c.b = append(c.b, ',')
			}
			c.b = append(c.b, keys[i]...)
			switch {
			case fs[i].Name == "Type":
				c.b = appendString(c.b, subtasks[s].typ)
			case fs[i].Name == subtasks[s].member:
				c.obj(fs[i].Ref)
			default:
				c.b = append(c.b, "null"...)
			}
		}
		c.b = append(c.b, '}')
	}
	c.depth--
	c.sub, c.subFail, c.subState = -1, false, 0
	c.b = append(c.b, ']')
}

// flowPlan draws a task flow: the bits that say which optional subtask
// kinds it runs, the index in subtasks of the one that fails (-1 for none)
// and of the first still PROCESSING (-1 for none: the flow is finished).
func (c *filler) flowPlan(r *splitmix) (flow uint64, failAt, procAt int) {
	flow, failAt, procAt = r.Uint64(), -1, -1
	if c.fail {
		failAt = int(flow>>8) % len(subtasks)
	}
	if !c.finished {
		procAt = int(flow>>16) % len(subtasks)
		if e := c.e; e.notify == 'P' && e.changes > 0 {
			// A flow's PROCESSING notifications tell of its subtasks in
			// turn: the k-th of n has the first k*len/n done.
			procAt = int(e.change) * len(subtasks) / int(e.changes)
		}
	}
	return flow, failAt, procAt
}

// runs reports whether the flow runs subtask kind s: Transcode,
// ImageSprites and CoverBySnapshot always, each other kind half the time,
// and the kinds that fail or are PROCESSING.
func runs(flow uint64, s, failAt, procAt int) bool {
	return s == 0 || s == 4 || s == 5 || flow&(1<<uint(s)) != 0 || s == failAt || s == procAt
}

func (c *filler) errCode() int {
	if c.top() || c.subFail {
		return c.e.Status
	}
	return 0
}

func (c *filler) definition() int {
	if c.sub >= 0 {
		return subtasks[c.sub].def
	}
	return 10
}

// size is the picture size: a transcode's output is at most 720p, an
// animated GIF 320 wide, a sprite tile 142x80, the source otherwise.
func (c *filler) size() (int, int) {
	if c.sub < 0 {
		return c.w, c.h
	}
	switch subtasks[c.sub].typ {
	case "Transcode":
		if c.h > 720 {
			return 1280, 720
		}
	case "AnimatedGraphics":
		return 320, 320 * c.h / c.w
	case "ImageSprites":
		return PresetTemplate.Width, PresetTemplate.Height
	}
	return c.w, c.h
}

func (c *filler) bitrate() int {
	if c.sub >= 0 && subtasks[c.sub].typ == "Transcode" && c.h > 720 {
		return 2_500_000
	}
	return c.vbr
}

func (c *filler) tiles() int {
	return PresetTemplate.TileCount(time.Duration(c.dur * float64(time.Second)))
}

// url writes a URL in the file's folder, named as VOD names each output.
func (c *filler) url(b []byte, field string, k int) []byte {
	b = append(b, '"')
	b = append(b, c.dir...)
	def := int64(c.definition())
	kind := ""
	if c.sub >= 0 {
		kind = subtasks[c.sub].typ
	} else if c.v4 && field == "url" && c.e.Kind.Name == "CreateSnapshotByTimeOffsetComplete" {
		kind = "SnapshotByTimeOffset"
	}
	switch {
	case kind == "Transcode":
		b = append(b, "v.f"...)
		b = strconv.AppendInt(b, def, 10)
		b = append(b, ".mp4"...)
	case kind == "AdaptiveDynamicStreaming":
		b = append(b, "adp."...)
		b = strconv.AppendInt(b, def, 10)
		b = append(b, ".m3u8"...)
	case kind == "AnimatedGraphics":
		b = append(b, "animatedGraphic/animatedGraphic_"...)
		b = strconv.AppendInt(b, def, 10)
		b = append(b, ".gif"...)
	case kind == "ImageSprites" && (field == "WebVttUrl" || field == "webVttUrl"):
		b = append(b, "imageSprite/imageSprite_"...)
		b = strconv.AppendInt(b, def, 10)
		b = append(b, ".vtt"...)
	case kind == "ImageSprites":
		b = append(b, "imageSprite/imageSprite_"...)
		b = strconv.AppendInt(b, def, 10)
		b = append(b, '_')
		b = strconv.AppendInt(b, int64(k), 10)
		b = append(b, ".jpg"...)
	case kind == "SampleSnapshot":
		b = append(b, "sampleSnapshot/sampleSnapshot_"...)
		b = strconv.AppendInt(b, def, 10)
		b = append(b, '_')
		b = strconv.AppendInt(b, int64(k), 10)
		b = append(b, ".jpg"...)
	case kind == "SnapshotByTimeOffset":
		b = append(b, "snapshotByTimeOffset/snapshotByTimeOffset_"...)
		b = strconv.AppendInt(b, def, 10)
		b = append(b, '_')
		b = strconv.AppendInt(b, int64(c.dur*500), 10)
		b = append(b, ".jpg"...)
	case kind == "CoverBySnapshot" || field == "CoverUrl" || field == "coverUrl":
		b = append(b, "coverBySnapshot/coverBySnapshot_10_0.jpg"...)
	default:
		b = append(b, "f0.mp4"...)
	}
	return append(b, '"')
}

// fillCatalog sets the catalog fields of e: a task of kind k, failed with
// code when code != 0.
func (g *Generator) fillCatalog(e *Event, k *Kind, f *eventRand, code int, msg string) {
	e.Kind, e.gen = k, g
	e.key = f.src.Uint64()
	e.Status, e.Message = code, msg
	var buf [96]byte
	b := buf[:0]
	if k.tag != "" {
		if !k.Compat2017 {
			b = append(b, g.appStr...)
			b = append(b, '-')
		}
		b = append(b, k.tag...)
		b = append(b, '-')
		b = appendHex(b, f.src.Uint64(), 16)
		b = appendHex(b, mix.Mix64(e.Index+g.taskKey), 16)
		if k.tag == "procedurev2" {
			b = append(b, "t0"...)
		}
	}
	n := len(b)
	if g.fileIDs != nil {
		e.TaskID = string(b)
		e.FileID = g.fileIDs[e.Index%uint64(len(g.fileIDs))]
	} else {
		s := string(appendFileID(b, f.faker))
		e.TaskID, e.FileID = s[:n], s[n:]
	}
	d := time.Duration(math.Exp(f.faker.Float64Range(math.Log(float64(DefaultMinDuration)), math.Log(float64(DefaultMaxDuration)))))
	e.Duration = d.Round(10 * time.Millisecond)
}

// fillers are reused: a filler holds the buffers of the values it formats
// once per event.
var fillers = sync.Pool{New: func() any { return new(filler) }}

// appendCatalog writes e's member (3.0) or data (4.0) object.
func appendCatalog(b []byte, e *Event, v4 bool) []byte {
	if e.gen == nil {
		return append(b, e.Raw...)
	}
	g := e.gen
	c := fillers.Get().(*filler)
	*c = filler{b: b, e: e, g: g, v4: v4, sub: -1, fail: e.Status != 0,
		end: c.end[:0], begin: c.begin[:0], dur2: c.dur2[:0], dir: c.dir[:0]}
	c.r.state = e.key
	res := resolutions[c.r.Uint64()%uint64(len(resolutions))]
	c.w, c.h, c.vbr, c.abr = res.w, res.h, res.vbr, 128_000
	c.fps = 25 + 5*int(c.r.Uint64()%2)
	c.dur = e.Duration.Seconds()
	c.finished, c.notify = true, "Finish"
	if e.Kind.Name == "ProcedureStateChanged" {
		// A flow notifies once at the end (Finish) or at every subtask's
		// change (Change): a Change event is PROCESSING but for the last.
		if m := c.r.Uint64() % 10; m < 3 {
			c.notify = "Change"
			c.finished = m == 0 || e.Status != 0
		}
		switch e.notify {
		case 'F':
			c.notify, c.finished = "Finish", true
		case 'C', 'P':
			c.notify, c.finished = "Change", e.notify == 'C'
		}
	}
	c.dir = append(c.dir, g.prefix...)
	c.dir = appendHex(c.dir, mix.Mix64(fileHash(e.FileID)^uint64(g.seed)^saltFile)>>32, 8)
	c.dir = append(c.dir, e.FileID...)
	c.dir = append(c.dir, '/')
	c.end = appendQuotedTime(c.end, e.Time)
	c.begin = appendQuotedTime(c.begin, e.Time.Add(-time.Duration(c.dur/4+5)*time.Second))
	c.dur2 = strconv.AppendFloat(c.dur2, c.dur, 'f', -1, 64)
	c.r0 = c.r
	if t := e.Kind.typ4; v4 && t >= 0 {
		c.obj(t)
	} else {
		c.obj(e.Kind.typ)
	}
	b = c.b
	c.b, c.e, c.g = nil, nil, nil
	fillers.Put(c)
	return b
}

func appendQuotedTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339)
	return append(b, '"')
}
