package generator

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/vodsim/vodsim/internal/mix"
)

// Defaults used where a Config field is left zero.
const (
	// DefaultFailureRatio is the share of failures in the default mix.
	DefaultFailureRatio = 0.05
	// DefaultMinDuration and DefaultMaxDuration bound the source video
	// length of a success; durations are drawn log-uniformly between them.
	DefaultMinDuration = 30 * time.Second
	DefaultMaxDuration = 2 * time.Hour
	// DefaultSpacing is the time between two events' completion times.
	DefaultSpacing = time.Second
	// DefaultScheme is the scheme of generated sheet URLs.
	DefaultScheme = "http"
)

// DefaultStart is the completion time of event 0 when Config.Start is zero.
// A fixed instant keeps output byte-identical from one day to the next.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config says what a Generator builds. The zero value gives a realistic
// production mix: 95 % successes on the preset template 10 with videos of
// 30 s to 2 h, 5 % failures spread over the families an image sprite task
// can fail in, all for one account drawn from the seed.
type Config struct {
	// Seed selects the stream; any value, 0 included, is a valid seed.
	Seed int64
	// Outcomes is the weighted outcome mix; nil means Mix(DefaultFailureRatio).
	Outcomes []Outcome
	// AppID is the account's app id; 0 draws a 10-digit one from Seed.
	AppID uint64
	// Scheme is the sheet URLs' scheme; "" means DefaultScheme.
	Scheme string
	// Host is the sheet URLs' host; "" means "{AppID}.vod2.myqcloud.com".
	Host string
	// FileIDs, when set, are used in turn: event i gets FileIDs[i%len].
	// When nil every event gets a fresh file id.
	FileIDs []string
	// Start is event 0's completion time; zero means DefaultStart.
	Start time.Time
	// Spacing is the time between completion times (with Flows, between
	// two files' starts); 0 means DefaultSpacing.
	Spacing time.Duration
	// Flows, when set, make the stream the events of files that each go
	// through one of them (drawn by weight), interleaved by time; event i
	// is then the i-th of that merge. Outcomes must be nil.
	Flows []Flow
}

// Outcome is one weighted entry of the outcome mix. Set at most one of
// Success and Failure; with neither, the outcome is a default success.
type Outcome struct {
	// Weight is relative to the other outcomes' weights; must be >= 0.
	Weight float64
	// Success, when set, makes this a successful task.
	Success *Success
	// Failure, when set, makes this a failed task.
	Failure *Failure
	// EventType names the outcome's event type (see Kinds); "" means
	// CreateImageSpriteComplete. For another type, Success's fields do
	// not apply and Failure's codes default to Codes3 (the 2017 types:
	// every documented legacy code).
	EventType string
}

// Success describes successful tasks.
type Success struct {
	// Template is the sprite template; the zero Template means PresetTemplate.
	Template Template
	// MinDuration and MaxDuration bound the source video's length, drawn
	// log-uniformly; zero means DefaultMinDuration / DefaultMaxDuration.
	// Equal values give a fixed length. MaxDuration is at most
	// MaxVideoDuration.
	MinDuration, MaxDuration time.Duration
}

// Failure describes failed tasks.
type Failure struct {
	// Codes are the error codes to draw from, uniformly; nil means
	// SpriteCodes(). Codes outside ErrorCodes are allowed (a receiver may
	// meet undocumented ones) and get the message "".
	Codes []int
	// Message, when set, is the exact message of every such failure. When
	// nil, half the failures carry "" (as the seed's example) and half the
	// code's documented description.
	Message *string
}

// Mix returns a two-outcome mix: a share failureRatio (0..1) of default
// failures, the rest default successes.
func Mix(failureRatio float64) []Outcome {
	return []Outcome{
		{Weight: 1 - failureRatio, Success: &Success{}},
		{Weight: failureRatio, Failure: &Failure{}},
	}
}

// ErrConfig is wrapped by every error New returns for a bad Config.
var ErrConfig = errors.New("invalid generator config")

// Generator builds events. It is safe for concurrent use; build one with New.
type Generator struct {
	seed     int64
	taskKey  uint64 // offset of the task ids' bijective half
	outcomes []outcome
	total    float64
	appID    uint64
	appStr   string
	prefix   string // "{scheme}://{host}/{bucket}/"
	style    int
	fileIDs  []string
	start    time.Time
	spacing  time.Duration
	pool     sync.Pool
	flows    []flow
	stream   *flowStream // nil without flows
	// flowTotal is the flows' weights added up.
	flowTotal float64
}

type outcome struct {
	cum      float64 // cumulative weight, up to and including this one
	failure  bool
	tmpl     Template
	logMin   float64
	logMax   float64
	codes    []int
	message  string
	fixedMsg bool
	kind     *Kind // nil for the sprite event
}

type eventRand struct {
	src   splitmix
	faker *gofakeit.Faker
}

// Sheet URL styles seen in real callbacks.
const (
	styleNamed = iota // imageSprite/imageSprite_10_0.jpg + imageSprite_10.vtt
	styleStamp        // imageSprite/1513156058_533711271_00001.jpg + 1513156058_533711271.vtt
)

var bucketRegions = []string{"gzp", "gz", "sh", "bj", "cq", "transcq", "transgzp", "transsh"}

// New checks cfg and returns a Generator for it. Errors wrap ErrConfig.
func New(cfg Config) (*Generator, error) {
	g := &Generator{seed: cfg.Seed, start: cfg.Start, spacing: cfg.Spacing, taskKey: eventKey(cfg.Seed, saltTask, 0)}
	if g.start.IsZero() {
		g.start = DefaultStart
	}
	if g.spacing == 0 {
		g.spacing = DefaultSpacing
	}
	if g.spacing < 0 {
		return nil, fmt.Errorf("%w: spacing %v is negative", ErrConfig, cfg.Spacing)
	}
	outs := cfg.Outcomes
	if cfg.Flows != nil {
		if outs != nil {
			return nil, fmt.Errorf("%w: give either outcomes or flows, not both", ErrConfig)
		}
		if err := g.compileFlows(cfg.Flows); err != nil {
			return nil, err
		}
		outs = Mix(0) // unused: the flows make every event
	}
	if outs == nil {
		outs = Mix(DefaultFailureRatio)
	}
	if len(outs) == 0 {
		return nil, fmt.Errorf("%w: no outcomes", ErrConfig)
	}
	for k, o := range outs {
		if o.Weight < 0 || math.IsNaN(o.Weight) || math.IsInf(o.Weight, 0) {
			return nil, fmt.Errorf("%w: outcome %d: weight %v must be a number >= 0", ErrConfig, k, o.Weight)
		}
		if o.Success != nil && o.Failure != nil {
			return nil, fmt.Errorf("%w: outcome %d: both success and failure set", ErrConfig, k)
		}
		g.total += o.Weight
		oc := outcome{cum: g.total}
		kd, ok := LookupKind(o.EventType)
		if o.EventType != "" && !ok {
			return nil, fmt.Errorf("%w: outcome %d: unknown event type %q (see Kinds)", ErrConfig, k, o.EventType)
		}
		if ok && kd.Name != EventType {
			if o.Failure != nil && !kd.CanFail {
				return nil, fmt.Errorf("%w: outcome %d: event type %s has no failure", ErrConfig, k, o.EventType)
			}
			oc.kind = kd
			if o.Failure != nil {
				oc.failure, oc.codes = true, o.Failure.Codes
				if oc.codes == nil {
					oc.codes = Codes3
					if kd.Compat2017 {
						oc.codes = allCodes()
					}
				}
				if o.Failure.Message != nil {
					oc.fixedMsg, oc.message = true, *o.Failure.Message
				}
				for _, c := range oc.codes {
					if c == 0 {
						return nil, fmt.Errorf("%w: outcome %d: code 0 means success, not failure", ErrConfig, k)
					}
					if err := kd.CheckCode(c); err != nil {
						return nil, fmt.Errorf("%w: outcome %d: %v", ErrConfig, k, err)
					}
				}
			}
			g.outcomes = append(g.outcomes, oc)
			continue
		}
		if o.Failure != nil {
			oc.failure = true
			oc.codes = o.Failure.Codes
			if oc.codes == nil {
				oc.codes = SpriteCodes()
			}
			if len(oc.codes) == 0 {
				return nil, fmt.Errorf("%w: outcome %d: failure with an empty code list", ErrConfig, k)
			}
			for _, c := range oc.codes {
				if c == 0 {
					return nil, fmt.Errorf("%w: outcome %d: code 0 means success, not failure", ErrConfig, k)
				}
			}
			if o.Failure.Message != nil {
				oc.fixedMsg, oc.message = true, *o.Failure.Message
			}
		} else {
			var s Success
			if o.Success != nil {
				s = *o.Success
			}
			if s.Template == (Template{}) {
				s.Template = PresetTemplate
			}
			if err := s.Template.Validate(); err != nil {
				return nil, fmt.Errorf("%w: outcome %d: %v", ErrConfig, k, err)
			}
			lo, hi := s.MinDuration, s.MaxDuration
			if lo == 0 {
				lo = DefaultMinDuration
			}
			if hi == 0 {
				hi = max(DefaultMaxDuration, lo)
			}
			if lo <= 0 || hi < lo {
				return nil, fmt.Errorf("%w: outcome %d: video duration range %v..%v is empty", ErrConfig, k, lo, hi)
			}
			if hi > MaxVideoDuration {
				return nil, fmt.Errorf("%w: outcome %d: video duration %v is over %.0fs, the longest source VOD processes (-47104)", ErrConfig, k, hi, MaxVideoDuration.Seconds())
			}
			oc.tmpl, oc.logMin, oc.logMax = s.Template, math.Log(float64(lo)), math.Log(float64(hi))
		}
		g.outcomes = append(g.outcomes, oc)
	}
	if !(g.total > 0) {
		return nil, fmt.Errorf("%w: outcome weights add up to 0", ErrConfig)
	}
	for k, id := range cfg.FileIDs {
		if !isFileID(id) {
			return nil, fmt.Errorf("%w: file id %d %q is not a decimal string of 1 to 20 digits", ErrConfig, k, id)
		}
	}
	g.fileIDs = cfg.FileIDs

	// The account: one app id, one storage bucket, one URL style per seed.
	acct := splitmix{state: eventKey(cfg.Seed, saltAccount, 0)}
	g.appID = cfg.AppID
	if g.appID == 0 {
		g.appID = 1250000000 + acct.Uint64()%80000000
	} else {
		acct.Uint64()
	}
	g.appStr = strconv.FormatUint(g.appID, 10)
	scheme, host := cfg.Scheme, cfg.Host
	if scheme == "" {
		scheme = DefaultScheme
	}
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("%w: URL scheme %q is not http or https", ErrConfig, scheme)
	}
	if host == "" {
		host = g.appStr + ".vod2.myqcloud.com"
	}
	bucket := make([]byte, 0, 64)
	bucket = appendHex(bucket, acct.Uint64()>>32, 8)
	bucket = append(bucket, "vod"...)
	bucket = append(bucket, bucketRegions[acct.Uint64()%uint64(len(bucketRegions))]...)
	bucket = append(bucket, g.appStr...)
	g.prefix = scheme + "://" + host + "/" + string(bucket) + "/"
	g.style = int(acct.Uint64() % 2)
	g.pool.New = func() any {
		r := &eventRand{}
		r.faker = gofakeit.NewCustom(&r.src)
		return r
	}
	return g, nil
}

// Validate reports what is wrong with t, or nil.
func (t Template) Validate() error {
	if t.Definition == PresetTemplate.Definition {
		// The system preset predates the console's limits (its tiles are
		// 142x80); it is fixed, so only the exact preset is valid.
		if t != PresetTemplate {
			return fmt.Errorf("template 10 is the fixed preset (10x10 tiles of 142x80 jpg every 10s); custom templates take ids >= %d", MinCustomDefinition)
		}
		return nil
	}
	switch {
	case t.Definition < MinCustomDefinition:
		return fmt.Errorf("template definition %d: must be 10 (the preset) or >= %d", t.Definition, MinCustomDefinition)
	case t.Rows < 1 || t.Columns < 1:
		return fmt.Errorf("template %d: grid %dx%d (columns x rows): both must be at least 1", t.Definition, t.Columns, t.Rows)
	case !tileSideOK(t.Width) || !tileSideOK(t.Height):
		return fmt.Errorf("template %d: tile size %dx%d: each side must be 0 or %d..%d", t.Definition, t.Width, t.Height, MinTileSide, MaxTileSide)
	case t.Columns*t.Width > MaxSheetSide || t.Rows*t.Height > MaxSheetSide:
		return fmt.Errorf("template %d: sheet of %dx%d tiles of %dx%d px exceeds %d px a side", t.Definition, t.Columns, t.Rows, t.Width, t.Height, MaxSheetSide)
	case t.Interval < MinInterval || t.Interval%time.Second != 0:
		return fmt.Errorf("template %d: interval %v: must be a whole number of seconds, at least 1s (VOD samples by the second)", t.Definition, t.Interval)
	case t.Format != "jpg" && t.Format != "png" && t.Format != "webp":
		return fmt.Errorf("template %d: format %q must be jpg, png or webp", t.Definition, t.Format)
	}
	return nil
}

func tileSideOK(n int) bool {
	return n == 0 || (n >= MinTileSide && n <= MaxTileSide)
}

func isFileID(s string) bool {
	if len(s) < 1 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// AppID is the account app id every event carries.
func (g *Generator) AppID() uint64 { return g.appID }

// Event returns event i. It is a pure function of the Config and i.
func (g *Generator) Event(i uint64) Event {
	var e Event
	g.Fill(&e, i)
	return e
}

// Fill overwrites *e with event i, reusing e.SpriteURLs' backing array
// where it can; useful on hot paths.
func (g *Generator) Fill(e *Event, i uint64) {
	if g.stream != nil {
		g.fillSlot(e, i, g.slotAt(i))
		return
	}
	r := g.pool.Get().(*eventRand)
	defer g.pool.Put(r)
	r.src.state = eventKey(g.seed, saltEvent, i)
	f := r.faker

	urls := e.SpriteURLs[:0]
	*e = Event{Index: i, AppID: g.appID, Time: g.start.Add(time.Duration(i) * g.spacing), room: e.room, reuse: e.reuse}

	// Outcome.
	o := &g.outcomes[len(g.outcomes)-1]
	if len(g.outcomes) > 1 {
		x := f.Float64Range(0, g.total)
		for k := range g.outcomes {
			if x < g.outcomes[k].cum {
				o = &g.outcomes[k]
				break
			}
		}
	}

	if o.kind != nil {
		code, msg := 0, ""
		if o.failure && len(o.codes) > 0 {
			code = o.codes[f.Number(0, len(o.codes)-1)]
			msg = errExt[code][1]
			if ec, ok := LookupCode(code); ok {
				msg = ec.Description
			}
			if o.fixedMsg {
				msg = o.message
			}
		}
		g.fillCatalog(e, o.kind, r, code, msg)
		return
	}

	// Task id: 64 random bits, then 64 bits that are a bijection of i, so
	// task ids never repeat within a stream.
	var buf [96]byte
	b := append(buf[:0], TaskIDPrefix...)
	b = appendHex(b, f.Uint64(), 16)
	b = appendHex(b, mix.Mix64(i+g.taskKey), 16)
	if g.fileIDs != nil {
		e.TaskID = string(b)
		e.FileID = g.fileIDs[i%uint64(len(g.fileIDs))]
	} else {
		// Both ids in one string: one allocation instead of two.
		n := len(b)
		s := string(appendFileID(b, f))
		e.TaskID, e.FileID = s[:n], s[n:]
	}

	if o.failure {
		e.Status = o.codes[f.Number(0, len(o.codes)-1)]
		switch {
		case o.fixedMsg:
			e.Message = o.message
		case f.Number(0, 1) == 1:
			if ec, ok := LookupCode(e.Status); ok {
				e.Message = ec.Description
			}
		}
		return
	}

	e.Template = o.tmpl
	d := time.Duration(math.Exp(f.Float64Range(o.logMin, o.logMax)))
	e.Duration = d.Round(10 * time.Millisecond)
	if e.Duration <= 0 {
		e.Duration = 10 * time.Millisecond
	}
	e.TotalCount = o.tmpl.TileCount(e.Duration)
	sheets := o.tmpl.SheetCount(e.TotalCount)
	e.SpriteURLs = g.appendURLs(urls, e, f, sheets)
}

// appendURLs builds the sheet and WebVTT URLs of a success in one string
// and slices it, so an event's URLs cost one allocation.
func (g *Generator) appendURLs(urls []string, e *Event, f *gofakeit.Faker, sheets int) []string {
	dir := make([]byte, 0, 128)
	dir = append(dir, g.prefix...)
	dir = appendHex(dir, mix.Mix64(fileHash(e.FileID)^uint64(g.seed)^saltFile)>>32, 8)
	dir = append(dir, e.FileID...)
	dir = append(dir, "/imageSprite/"...)

	var stem []byte
	if g.style == styleStamp {
		stem = strconv.AppendInt(make([]byte, 0, 24), e.Time.Unix(), 10)
		stem = append(stem, '_')
		stem = strconv.AppendInt(stem, int64(f.Number(100000000, 999999999)), 10)
	} else {
		stem = append(make([]byte, 0, 24), "imageSprite_"...)
		stem = strconv.AppendInt(stem, int64(e.Template.Definition), 10)
	}
	per := len(dir) + len(stem) + 8 + len(e.Template.Format)
	var all []byte
	if need := per * (sheets + 1); e.reuse && cap(e.room) >= need {
		all = e.room[:0]
	} else {
		all = make([]byte, 0, need)
		if e.reuse && need <= keepRoom {
			e.room = all
		}
	}
	var endsRoom [32]int // on the stack for up to 31 sheets
	ends := endsRoom[:0]
	for n := 0; n < sheets; n++ {
		all = append(all, dir...)
		all = append(all, stem...)
		if g.style == styleStamp {
			all = append(all, '_')
			all = appendPadded(all, n+1, 5)
		} else {
			all = append(all, '_')
			all = strconv.AppendInt(all, int64(n), 10)
		}
		all = append(all, '.')
		all = append(all, e.Template.Format...)
		ends = append(ends, len(all))
	}
	all = append(all, dir...)
	all = append(all, stem...)
	all = append(all, ".vtt"...)
	ends = append(ends, len(all))
	// all is not written again (until the next Fill into e, with
	// ReuseRoom): its bytes are the URLs' (one allocation, not two).
	s := unsafe.String(unsafe.SliceData(all), len(all))
	start := 0
	for n := 0; n < sheets; n++ {
		urls = append(urls, s[start:ends[n]])
		start = ends[n]
	}
	e.WebVTTURL = s[start:]
	return urls
}

// appendFileID appends a file id of 17 to 20 digits, most often 19.
func appendFileID(b []byte, f *gofakeit.Faker) []byte {
	var lo, span uint64
	switch p := f.Number(0, 99); {
	case p < 5:
		lo, span = 1e16, 9e16
	case p < 15:
		lo, span = 1e17, 9e17
	case p < 90:
		lo, span = 1e18, 9e18
	default:
		lo, span = 1e19, math.MaxUint64-1e19
	}
	return strconv.AppendUint(b, lo+f.Uint64()%span, 10)
}

func fileHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, v uint64, n int) []byte {
	for k := n - 1; k >= 0; k-- {
		b = append(b, hexDigits[(v>>(4*uint(k)))&0xf])
	}
	return b
}

func appendPadded(b []byte, v, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for k := len(s); k < width; k++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
