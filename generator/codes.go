package generator

import "sort"

// ErrorCode is a documented video-processing error code, the status of a
// failed task.
type ErrorCode struct {
	Code        int    // the status value, e.g. -43001
	Family      string // the family name, e.g. "query" (see Families)
	Description string // the documented meaning, in English
}

// A Family groups codes by the stage of processing that failed.
type Family struct {
	Name        string
	Description string
	// Sprite reports whether an image sprite task can fail at this stage;
	// the default failure mix draws only from these families.
	Sprite bool
}

// Families lists the documented code families, legacy stage families first.
var Families = []Family{
	{"query", "-430xx: querying the source file", true},
	{"concat-query", "-431xx: querying the files to concatenate", false},
	{"screenshot", "-440xx: the screenshot command", true},
	{"screenshot-info", "-441xx: getting screenshot information", true},
	{"transcode", "-450xx: transcoding", false},
	{"verify-info", "-451xx: getting information before verifying", false},
	{"upload-info", "-452xx: getting information before uploading", false},
	{"verify", "-491xx: verifying after transcoding", false},
	{"source", "-47xxx: checks of the source file", true},
}

var stageBases = []struct {
	family string
	base   int
}{
	{"query", -43000},
	{"concat-query", -43100},
	{"screenshot", -44000},
	{"screenshot-info", -44100},
	{"transcode", -45000},
	{"verify-info", -45100},
	{"upload-info", -45200},
	{"verify", -49100},
}

var stageFailures = []struct {
	suffix int
	desc   string
}{
	{1, "decode failed: the file may be corrupted"},
	{29, "decode failed"},
	{89, "codec unknown"},
	{90, "audio frame size unknown"},
	{91, "audio frame format unknown"},
	{92, "audio frame rate unknown"},
	{93, "audio channel count unknown"},
	{94, "no decodable DTS frames"},
	{95, "width or height unknown"},
	{96, "colour space unknown"},
	{97, "no frame in rv30/rv40 and no sar"},
	{98, "unexpected end of file"},
	{99, "seeking outside the actual file size"},
}

var sourceCodes = []ErrorCode{
	{-47100, "source", "source file information is not JSON"},
	{-47101, "source", "width, height or colour space missing"},
	{-47102, "source", "unknown encoder"},
	{-47104, "source", "duration invalid (under 0.01 s or over 604800 s)"},
	{-47200, "source", "duration is 0"},
	{-47400, "source", "no audio and no video"},
	{-47402, "source", "video task but the file has no video"},
	{-47403, "source", "invalid width, height, rotation or display aspect ratio"},
}

// ErrorCodes lists every documented code, sorted by family then code.
var ErrorCodes = buildCodes()

var codeIndex = func() map[int]ErrorCode {
	m := make(map[int]ErrorCode, len(ErrorCodes))
	for _, c := range ErrorCodes {
		m[c.Code] = c
	}
	return m
}()

func buildCodes() []ErrorCode {
	var out []ErrorCode
	for _, s := range stageBases {
		for _, f := range stageFailures {
			out = append(out, ErrorCode{s.base - f.suffix, s.family, f.desc})
		}
	}
	out = append(out, sourceCodes...)
	order := map[string]int{}
	for i, f := range Families {
		order[f.Name] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if order[out[i].Family] != order[out[j].Family] {
			return order[out[i].Family] < order[out[j].Family]
		}
		return out[i].Code > out[j].Code
	})
	return out
}

// LookupCode returns the documented code c, if it is one.
func LookupCode(c int) (ErrorCode, bool) {
	ec, ok := codeIndex[c]
	return ec, ok
}

// FamilyCodes returns the codes of the named family, or nil if there is no
// such family.
func FamilyCodes(name string) []int {
	var out []int
	for _, c := range ErrorCodes {
		if c.Family == name {
			out = append(out, c.Code)
		}
	}
	return out
}

// SpriteCodes returns the codes of every family an image sprite task can
// fail in (Family.Sprite): the default failure mix.
func SpriteCodes() []int {
	var out []int
	for _, f := range Families {
		if f.Sprite {
			out = append(out, FamilyCodes(f.Name)...)
		}
	}
	return out
}

func allCodes() []int {
	out := make([]int, len(ErrorCodes))
	for i, c := range ErrorCodes {
		out[i] = c.Code
	}
	return out
}
