package generator

import (
	"fmt"
	"strings"

	"github.com/vodsim/vodsim/generator/internal/sdkschema"
)

// Kind is one event type of the catalog: every type VOD's API 3.0
// EventContent.EventType lists. CreateImageSpriteComplete is a Kind too, but
// its events keep the dedicated Event fields (Template, SpriteURLs...) and a
// nil Event.Kind.
type Kind struct {
	// Name is the EventType / eventType value.
	Name string
	// Member is the EventContent member that carries the 3.0 event.
	Member string
	// Meaning is a one-line description.
	Meaning string
	// Legacy reports whether the type also has a 4.0 (legacy) shape.
	Legacy bool
	// Compat2017 marks the five types kept for the 2017 API.
	Compat2017 bool
	// CanFail reports whether the event can carry a failure.
	CanFail bool
	// tag is the task kind in the task id: {appId}-{tag}-{32 hex}; a 2017
	// type's task id is {tag}-{32 hex}; "" means the event has no task id.
	tag string
	// extOnly: the 3.0 type tells a failure by its ErrCodeExt string
	// alone (no ErrCode, no numeric Status), which names Codes3 only.
	extOnly bool
	typ     int // index of the member's type in sdkschema.Types
	typ4    int // index in types of the 4.0 data type, -1: typ in lowerCamel
	member  int // index in sdkschema.Members
}

// Formats lists the wire formats the type has.
func (k *Kind) Formats() []Format {
	if k.Legacy {
		return []Format{FormatV4, FormatV3}
	}
	return []Format{FormatV3}
}

// Kinds is the catalog, in the SDK's order of EventContent.EventType: the
// 23 types of today's API, then the 5 compatible with 2017.
var Kinds = []*Kind{
	{Name: "NewFileUpload", Member: "FileUploadEvent", Meaning: "a file finished uploading (and its procedure, if any, was started)", Legacy: true},
	{Name: "ProcedureStateChanged", Member: "ProcedureStateChangeEvent", Meaning: "a task flow (ProcessMedia or an upload's procedure) changed state: transcodes, snapshots, sprites, AI", Legacy: true, CanFail: true, tag: "procedurev2"},
	{Name: "FileDeleted", Member: "FileDeleteEvent", Meaning: "media files were deleted", Legacy: true},
	{Name: "RestoreMediaComplete", Member: "RestoreMediaCompleteEvent", Meaning: "a file in archive storage was restored for a while", CanFail: true},
	{Name: "PullComplete", Member: "PullCompleteEvent", Meaning: "a pull upload (PullUpload from a URL) finished", Legacy: true, CanFail: true, tag: "Pull"},
	{Name: "EditMediaComplete", Member: "EditMediaCompleteEvent", Meaning: "a video edit (EditMedia: clip and join) finished", CanFail: true, tag: "EditMedia"},
	{Name: "SplitMediaComplete", Member: "SplitMediaCompleteEvent", Meaning: "a video split (SplitMedia) finished", CanFail: true, tag: "SplitMedia"},
	{Name: "ComposeMediaComplete", Member: "ComposeMediaCompleteEvent", Meaning: "a media composition (ComposeMedia) finished", CanFail: true, tag: "ComposeMedia"},
	{Name: "WechatMiniProgramPublishComplete", Member: "WechatMiniProgramPublishCompleteEvent", Meaning: "publishing to a WeChat Mini Program finished", CanFail: true, tag: "WechatMiniProgramPublish"},
	{Name: "RemoveWatermark", Member: "RemoveWatermarkCompleteEvent", Meaning: "a watermark removal finished", CanFail: true, tag: "RemoveWatermark"},
	{Name: "RebuildMediaComplete", Member: "RebuildMediaCompleteEvent", Meaning: "a media rebuild (quality regeneration) finished", CanFail: true, tag: "RebuildMedia"},
	{Name: "ReviewAudioVideoComplete", Member: "ReviewAudioVideoCompleteEvent", Meaning: "an audio/video moderation (ReviewAudioVideo) finished", CanFail: true, tag: "ReviewAudioVideo"},
	{Name: "ExtractTraceWatermarkComplete", Member: "ExtractTraceWatermarkCompleteEvent", Meaning: "extracting a trace (user id) watermark finished", CanFail: true, tag: "ExtractTraceWatermark"},
	{Name: "ExtractCopyRightWatermarkComplete", Member: "ExtractCopyRightWatermarkCompleteEvent", Meaning: "extracting a copyright watermark finished", CanFail: true, tag: "ExtractCopyRightWatermark"},
	{Name: "DescribeFileAttributesComplete", Member: "DescribeFileAttributesCompleteEvent", Meaning: "getting a file's attributes (MD5 and the like) finished", CanFail: true, tag: "DescribeFileAttributes"},
	{Name: "QualityInspectComplete", Member: "QualityInspectCompleteEvent", Meaning: "a media quality inspection finished", CanFail: true, tag: "QualityInspect"},
	{Name: "QualityEnhanceComplete", Member: "QualityEnhanceCompleteEvent", Meaning: "a quality enhancement (remaster) finished", CanFail: true, tag: "QualityEnhance"},
	{Name: "PersistenceComplete", Member: "PersistenceCompleteEvent", Meaning: "a clip was persisted as a new file"},
	{Name: "ComplexAdaptiveDynamicStreamingComplete", Member: "ComplexAdaptiveDynamicStreamingCompleteEvent", Meaning: "complex adaptive streaming (multi-audio, subtitles) finished", tag: "ComplexAdaptiveDynamicStreaming"},
	{Name: "ProcessMediaByMPSComplete", Member: "ProcessMediaByMPSCompleteEvent", Meaning: "processing through MPS (ProcessMediaByMPS) finished", CanFail: true, tag: "ProcessMediaByMPS"},
	{Name: "AigcImageTaskComplete", Member: "AigcImageCompleteEvent", Meaning: "an AIGC image generation finished", CanFail: true, tag: "AigcImage"},
	{Name: "AigcVideoTaskComplete", Member: "AigcVideoCompleteEvent", Meaning: "an AIGC video generation finished", CanFail: true, tag: "AigcVideo"},
	{Name: "DescribeAigcFaceInfoAsyncComplete", Member: "DescribeAigcFaceInfoAsyncCompleteEvent", Meaning: "an AIGC face information query finished", CanFail: true, tag: "DescribeAigcFaceInfoAsync"},
	{Name: "TranscodeComplete", Member: "TranscodeCompleteEvent", Meaning: "a transcode started through the 2017 API finished", Legacy: true, Compat2017: true, CanFail: true, tag: "Transcode"},
	{Name: "ConcatComplete", Member: "ConcatCompleteEvent", Meaning: "a concatenation started through the 2017 API finished", Legacy: true, Compat2017: true, tag: "Concat"},
	{Name: "ClipComplete", Member: "ClipCompleteEvent", Meaning: "a clip started through the 2017 API finished", Legacy: true, Compat2017: true, tag: "Clip"},
	{Name: "CreateImageSpriteComplete", Member: "CreateImageSpriteCompleteEvent", Meaning: "an image sprite started through the 2017 API finished (flows report sprites in ProcedureStateChanged)", Legacy: true, Compat2017: true, CanFail: true, tag: "CreateImageSprite"},
	{Name: "CreateSnapshotByTimeOffsetComplete", Member: "SnapshotByTimeOffsetCompleteEvent", Meaning: "snapshots at time offsets started through the 2017 API finished", Legacy: true, Compat2017: true, tag: "CreateSnapshotByTimeOffset"},
}

var kindIndex = func() map[string]*Kind {
	m := make(map[string]*Kind, len(Kinds))
	for _, k := range Kinds {
		k.member, k.typ = -1, -1
		for i, mb := range sdkschema.Members {
			if mb.Name == k.Member {
				k.member, k.typ = i, mb.Type
			}
		}
		k.typ4 = legacyTypeOf(k.Name)
		if k.typ < 0 {
			panic("generator: no SDK member " + k.Member)
		}
		numeric, ext := false, false
		for _, f := range sdkschema.Types[k.typ].Fields {
			switch {
			case f.Kind == sdkschema.Num && (f.Name == "ErrCode" || f.Name == "Status"):
				numeric = true
			case f.Name == "ErrCodeExt":
				ext = true
			}
		}
		k.extOnly = ext && !numeric
		m[strings.ToLower(k.Name)] = k
	}
	return m
}()

// CheckCode says why a failure of the type cannot carry code, nil when it
// can. A type whose failure shows only in its ErrCodeExt string (no
// ErrCode, no numeric Status) has names for the codes of Codes3 alone:
// another code would leave ErrCodeExt empty and the event read as a
// success.
func (k *Kind) CheckCode(code int) error {
	if _, ok := errExt[code]; ok || !k.extOnly {
		return nil
	}
	return fmt.Errorf("%s tells a failure only by its ErrCodeExt, which VOD has for the codes %d, %d and %d: %d would read as a success",
		k.Name, Codes3[0], Codes3[1], Codes3[2], code)
}

// LookupKind returns the catalog entry of an event type, by name (any case).
func LookupKind(name string) (*Kind, bool) {
	k, ok := kindIndex[strings.ToLower(strings.TrimSpace(name))]
	return k, ok
}

// ParseKinds parses a comma-separated list of event type names, or "all".
func ParseKinds(s string) ([]*Kind, error) {
	if strings.EqualFold(strings.TrimSpace(s), "all") {
		return Kinds, nil
	}
	var out []*Kind
	seen := map[*Kind]bool{}
	for _, name := range strings.Split(s, ",") {
		k, ok := LookupKind(name)
		if !ok {
			return nil, fmt.Errorf("unknown event type %q (see 'vodsim events' for the list, or all)", strings.TrimSpace(name))
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// TypeMix returns an outcome mix with the named types equally weighted
// (equal shares on average: each event draws its type), a share
// failureRatio of each that can fail being failures.
func TypeMix(kinds []*Kind, failureRatio float64) []Outcome {
	var out []Outcome
	w := 1 / float64(len(kinds))
	for _, k := range kinds {
		if k.Name == EventType {
			out = append(out, Outcome{Weight: w * (1 - failureRatio), Success: &Success{}}, Outcome{Weight: w * failureRatio, Failure: &Failure{}})
			continue
		}
		if !k.CanFail {
			out = append(out, Outcome{Weight: w, EventType: k.Name, Success: &Success{}})
			continue
		}
		out = append(out, Outcome{Weight: w * (1 - failureRatio), EventType: k.Name, Success: &Success{}},
			Outcome{Weight: w * failureRatio, EventType: k.Name, Failure: &Failure{}})
	}
	return out
}
