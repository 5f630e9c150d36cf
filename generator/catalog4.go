package generator

import "github.com/vodsim/vodsim/generator/internal/sdkschema"

// The 4.0 ("v2.0 callback", legacy) data objects of the types that have
// one, as Tencent's archived comparison of v2.0 and v3.0 callbacks
// documents them (tencentyun/intlcloud-documents, VOD developer guide,
// "v2.0 callback" comparison; tencentyun/qcloud-documents
// product/视频服务/点播/0-存档旧文档（含弃用文档）/任务管理与事件通知/事件通知/):
// keys and their order as in each type's sample. ProcedureStateChanged
// follows its own archived document ("任务流状态变更", the same folder of
// tencentyun/qcloud-documents): processTaskList[] of {taskType, status,
// errCode, message, input, output}, written by procTaskList4 (catalog4proc.go).

// legacyField is one key of a 4.0 data object and the rule of its value.
type legacyField struct {
	name string
	kind sdkschema.Kind
	rule rule
	ref  string // the legacy type of an object or array of objects
}

type legacyType struct {
	name   string
	kind   string // the event type whose data it is; "" for a nested type
	fields []legacyField
}

var legacyTypes = []legacyType{
	{"NewFileUpload4", "NewFileUpload", []legacyField{
		{"fileId", sdkschema.Str, rFileID, ""},
		{"fileName", sdkschema.Str, rName, ""},
		{"coverUrl", sdkschema.Str, rURL, ""},
		{"fileUrl", sdkschema.Str, rURL, ""},
		{"transcodeTaskId", sdkschema.Str, rZero, ""},
		{"procedureTaskId", sdkschema.Str, rZero, ""},
		{"sourceType", sdkschema.Str, rSourceType, ""},
		{"sourceContext", sdkschema.Str, rZero, ""},
		{"author", sdkschema.Str, rZero, ""},
		{"streamId", sdkschema.Str, rZero, ""},
	}},
	{"PullComplete4", "PullComplete", []legacyField{
		{"status", sdkschema.Num, rErrCode, ""},
		{"message", sdkschema.Str, rMessage, ""},
		{"vodTaskId", sdkschema.Str, rTaskID, ""},
		{"fileId", sdkschema.Str, rFileID, ""},
		{"fileUrl", sdkschema.Str, rURL, ""},
		{"transcodeTaskId", sdkschema.Str, rZero, ""},
	}},
	{"FileDeleted4", "FileDeleted", []legacyField{
		{"status", sdkschema.Num, rErrCode, ""},
		{"message", sdkschema.Str, rMessage, ""},
		{"fileInfo", sdkschema.ObjArr, rZero, "FileInfo4"},
	}},
	{"FileInfo4", "", []legacyField{
		{"fileId", sdkschema.Str, rFileID, ""},
	}},
	{"TranscodeComplete4", "TranscodeComplete", []legacyField{
		{"status", sdkschema.Num, rErrCode, ""},
		{"message", sdkschema.Str, rMessage, ""},
		{"vodTaskId", sdkschema.Str, rTaskID, ""},
		{"fileId", sdkschema.Str, rFileID, ""},
		{"fileName", sdkschema.Str, rName, ""},
		{"duration", sdkschema.Num, rSeconds, ""},
		{"coverUrl", sdkschema.Str, rURL, ""},
		{"playSet", sdkschema.ObjArr, rZero, "PlaySet4"},
	}},
	{"PlaySet4", "", []legacyField{
		{"url", sdkschema.Str, rURL, ""},
		{"definition", sdkschema.Num, rZero, ""},
		{"vbitrate", sdkschema.Num, rBitrate, ""},
		{"vheight", sdkschema.Num, rHeight, ""},
		{"vwidth", sdkschema.Num, rWidth, ""},
	}},
	{"CreateSnapshotByTimeOffsetComplete4", "CreateSnapshotByTimeOffsetComplete", []legacyField{
		{"vodTaskId", sdkschema.Str, rTaskID, ""},
		{"fileId", sdkschema.Str, rFileID, ""},
		{"definition", sdkschema.Num, rDefinition, ""},
		{"picInfo", sdkschema.ObjArr, rZero, "PicInfo4"},
	}},
	{"PicInfo4", "", []legacyField{
		{"status", sdkschema.Num, rErrCode, ""},
		{"timeOffset", sdkschema.Num, rTimeOffset, ""},
		{"url", sdkschema.Str, rURL, ""},
	}},
	{"ClipComplete4", "ClipComplete", []legacyField{
		{"vodTaskId", sdkschema.Str, rTaskID, ""},
		{"srcFileId", sdkschema.Str, rFileID, ""},
		{"fileInfo", sdkschema.Obj, rZero, "OutputFile4"},
	}},
	{"ConcatComplete4", "ConcatComplete", []legacyField{
		{"vodTaskId", sdkschema.Str, rTaskID, ""},
		{"fileInfo", sdkschema.ObjArr, rZero, "OutputFile4"},
	}},
	{"ProcedureStateChanged4", "ProcedureStateChanged", []legacyField{
		{"vodTaskId", sdkschema.Str, rTaskID, ""},
		{"status", sdkschema.Str, rStatus, ""},
		{"message", sdkschema.Str, rMessage, ""},
		{"errCode", sdkschema.Num, rErrCode, ""},
		{"fileId", sdkschema.Str, rFileID, ""},
		{"metaData", sdkschema.Obj, rOne, "MetaData4"},
		{"processTaskList", sdkschema.ObjArr, rProcTaskList, "ProcessTask4"},
	}},
	{"MetaData4", "", []legacyField{
		{"size", sdkschema.Num, rSize, ""},
		{"container", sdkschema.Str, rContainer, ""},
		{"bitrate", sdkschema.Num, rBitrate, ""},
		{"height", sdkschema.Num, rHeight, ""},
		{"width", sdkschema.Num, rWidth, ""},
		{"md5", sdkschema.Str, rMd5, ""},
		{"duration", sdkschema.Num, rSeconds, ""},
		{"videoStreamList", sdkschema.ObjArr, rOne, "VideoStream4"},
		{"audioStreamList", sdkschema.ObjArr, rOne, "AudioStream4"},
	}},
	{"VideoStream4", "", []legacyField{
		{"bitrate", sdkschema.Num, rVideoBitrate, ""},
		{"height", sdkschema.Num, rHeight, ""},
		{"width", sdkschema.Num, rWidth, ""},
		{"codec", sdkschema.Str, rVideoCodec, ""},
		{"fps", sdkschema.Num, rFps, ""},
	}},
	{"AudioStream4", "", []legacyField{
		{"codec", sdkschema.Str, rAudioCodec, ""},
		{"samplingRate", sdkschema.Num, rSampling, ""},
		{"bitrate", sdkschema.Num, rAudioBitrate, ""},
	}},
	// One element of processTaskList, as decoding checks it: input and
	// output hold the keys of every task type's (TaskInput4, TaskOutput4);
	// procTaskList4 writes each type's own below.
	{"ProcessTask4", "", []legacyField{
		{"taskType", sdkschema.Str, rZero, ""},
		{"status", sdkschema.Str, rStatus, ""},
		{"errCode", sdkschema.Num, rErrCode, ""},
		{"message", sdkschema.Str, rMessage, ""},
		{"input", sdkschema.Obj, rZero, "TaskInput4"},
		{"output", sdkschema.Obj, rZero, "TaskOutput4"},
	}},
	{"TaskInput4", "", []legacyField{
		{"definition", sdkschema.Num, rDefinition, ""},
		{"watermark", sdkschema.Num, rZero, ""},
		{"position", sdkschema.Num, rZero, ""},
		{"positionType", sdkschema.Str, rZero, ""},
		{"timeOffset", sdkschema.NumArr, rZero, ""},
	}},
	{"TaskOutput4", "", []legacyField{
		{"url", sdkschema.Str, rURL, ""},
		{"size", sdkschema.Num, rSize, ""},
		{"container", sdkschema.Str, rContainer, ""},
		{"md5", sdkschema.Str, rMd5, ""},
		{"bitrate", sdkschema.Num, rBitrate, ""},
		{"height", sdkschema.Num, rHeight, ""},
		{"width", sdkschema.Num, rWidth, ""},
		{"duration", sdkschema.Num, rSeconds, ""},
		{"videoStreamList", sdkschema.ObjArr, rOne, "VideoStream4"},
		{"audioStreamList", sdkschema.ObjArr, rOne, "AudioStream4"},
		{"imageUrls", sdkschema.StrArr, rImageURLs, ""},
		{"imageUrl", sdkschema.Str, rURL, ""},
		{"imgInfo", sdkschema.ObjArr, rOne, "ImgInfo4"},
		{"totalCount", sdkschema.Num, rTotalCount, ""},
		{"urlList", sdkschema.StrArr, rImageURLs, ""},
		{"webVttUrl", sdkschema.Str, rURL, ""},
	}},
	// The input and output of each task type, in the document's order.
	{"TranscodeInput4", "", []legacyField{
		{"definition", sdkschema.Num, rDefinition, ""},
		{"watermark", sdkschema.Num, rZero, ""},
	}},
	{"TranscodeOutput4", "", []legacyField{
		{"url", sdkschema.Str, rURL, ""},
		{"size", sdkschema.Num, rSize, ""},
		{"container", sdkschema.Str, rContainer, ""},
		{"md5", sdkschema.Str, rMd5, ""},
		{"bitrate", sdkschema.Num, rBitrate, ""},
		{"height", sdkschema.Num, rHeight, ""},
		{"width", sdkschema.Num, rWidth, ""},
		{"duration", sdkschema.Num, rSeconds, ""},
		{"videoStreamList", sdkschema.ObjArr, rOne, "VideoStream4"},
		{"audioStreamList", sdkschema.ObjArr, rOne, "AudioStream4"},
	}},
	{"DefinitionInput4", "", []legacyField{
		{"definition", sdkschema.Num, rDefinition, ""},
	}},
	{"SampleSnapshotOutput4", "", []legacyField{
		{"imageUrls", sdkschema.StrArr, rImageURLs, ""},
	}},
	{"CoverBySnapshotInput4", "", []legacyField{
		{"definition", sdkschema.Num, rDefinition, ""},
		{"position", sdkschema.Num, rZero, ""},
		{"positionType", sdkschema.Str, rPositionType, ""},
	}},
	{"CoverBySnapshotOutput4", "", []legacyField{
		{"imageUrl", sdkschema.Str, rURL, ""},
	}},
	{"SnapshotByTimeOffsetInput4", "", []legacyField{
		{"definition", sdkschema.Num, rDefinition, ""},
		{"timeOffset", sdkschema.NumArr, rTimeOffsetSet, ""},
	}},
	{"SnapshotByTimeOffsetOutput4", "", []legacyField{
		{"imgInfo", sdkschema.ObjArr, rOne, "ImgInfo4"},
	}},
	{"ImgInfo4", "", []legacyField{
		{"timeOffset", sdkschema.Num, rTimeOffset, ""},
		{"url", sdkschema.Str, rURL, ""},
	}},
	{"ImageSpritesOutput4", "", []legacyField{
		{"totalCount", sdkschema.Num, rTotalCount, ""},
		{"urlList", sdkschema.StrArr, rImageURLs, ""},
		{"webVttUrl", sdkschema.Str, rURL, ""},
	}},
	{"OutputFile4", "", []legacyField{
		{"fileType", sdkschema.Str, rMediaType, ""},
		{"status", sdkschema.Num, rErrCode, ""},
		{"message", sdkschema.Str, rMessage, ""},
		{"fileId", sdkschema.Str, rFileID, ""},
		{"fileUrl", sdkschema.Str, rURL, ""},
	}},
}

// types are the SDK's model types, then the 4.0 data types.
var types, legacyRules = func() ([]sdkschema.Type, map[int][]rule) {
	n := len(sdkschema.Types)
	out := append(sdkschema.Types[:n:n], make([]sdkschema.Type, len(legacyTypes))...)
	idx := map[string]int{}
	for i, lt := range legacyTypes {
		idx[lt.name] = n + i
	}
	rs := map[int][]rule{}
	for i, lt := range legacyTypes {
		t := sdkschema.Type{Name: lt.name}
		for _, f := range lt.fields {
			ref := -1
			if f.ref != "" {
				ref = idx[f.ref]
			}
			t.Fields = append(t.Fields, sdkschema.Field{Name: f.name, Kind: f.kind, Ref: ref})
			rs[n+i] = append(rs[n+i], f.rule)
		}
		out[n+i] = t
	}
	return out, rs
}()

// legacyTypeOf is the index in types of kind's 4.0 data type, or -1.
func legacyTypeOf(kind string) int {
	for i, lt := range legacyTypes {
		if lt.kind == kind {
			return len(sdkschema.Types) + i
		}
	}
	return -1
}

// legacyTypeIndex is the index in types of the named 4.0 type; it panics
// on a name catalog4.go does not define.
func legacyTypeIndex(name string) int {
	for i, lt := range legacyTypes {
		if lt.name == name {
			return len(sdkschema.Types) + i
		}
	}
	panic("generator: no 4.0 type " + name)
}
