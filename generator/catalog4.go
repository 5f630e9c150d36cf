package generator

import "github.com/vodsim/vodsim/generator/internal/sdkschema"

// The 4.0 ("v2.0 callback", legacy) data objects of the types that have
// one, as Tencent's archived comparison of v2.0 and v3.0 callbacks
// documents them (tencentyun/intlcloud-documents, VOD developer guide,
// "v2.0 callback" comparison; tencentyun/qcloud-documents
// product/视频服务/点播/0-存档旧文档（含弃用文档）/任务管理与事件通知/事件通知/):
// keys and their order as in each type's sample. ProcedureStateChanged
// keeps the 3.0 model in lowerCamel (CATALOG.md says where it differs).

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
