package sender

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histograms are a report's HDR histograms themselves (microseconds, 1 µs
// to an hour, 3 significant digits), each in the HdrHistogram V2
// compressed encoding, base64 (hdrhistogram-go's Encode), so that reports
// merge without loss: the merged percentiles are those of all the samples,
// not an average of percentiles. "" is a histogram without samples.
type Histograms struct {
	Latency  string `json:"latency"`
	Service  string `json:"service"`
	Lateness string `json:"lateness"`
	ConnWait string `json:"connWait"`
}

// ErrMerge is wrapped by the errors of Merge when the reports cannot be
// merged: they lack histograms, or come from different runs or shards.
var ErrMerge = errors.New("cannot merge reports")

// encodeHist returns h in the V2 compressed encoding, base64: the bytes
// hdrhistogram-go's Encode gives for h with newHist's bound (widen), ""
// for a histogram without samples. It writes them itself so that no
// widened copy is made and the zlib writer, some 800 KB at the best
// compression, is made once for a report's histograms rather than once
// for each.
func encodeHist(h *hdrhistogram.Histogram) string {
	if h.TotalCount() == 0 {
		return ""
	}
	snap := h.Export()
	counts := snap.Counts
	// The counts up to the highest recorded, each a ZigZag LEB128 long; a
	// run of zeros is one negative count.
	for len(counts) > 0 && counts[len(counts)-1] == 0 {
		counts = counts[:len(counts)-1]
	}
	e := histEncoders.Get().(*histEncoder)
	defer histEncoders.Put(e)
	e.counts = e.counts[:0]
	for i := 0; i < len(counts); {
		c := counts[i]
		i++
		if c == 0 {
			zeros := int64(1)
			for i < len(counts) && counts[i] == 0 {
				zeros++
				i++
			}
			if zeros > 1 {
				c = -zeros
			}
		}
		e.counts = appendZigZag(e.counts, c)
	}
	be := binary.BigEndian
	raw := e.raw[:0]
	raw = be.AppendUint32(raw, uint32(hdrhistogram.V2EncodingCookieBase|0x10))
	raw = be.AppendUint32(raw, uint32(len(e.counts)))
	raw = be.AppendUint32(raw, 1) // normalizing index offset
	raw = be.AppendUint32(raw, uint32(snap.SignificantFigures))
	raw = be.AppendUint64(raw, uint64(snap.LowestTrackableValue))
	raw = be.AppendUint64(raw, uint64(max(snap.HighestTrackableValue, histMax)))
	raw = be.AppendUint64(raw, math.Float64bits(1)) // integer to double ratio
	raw = append(raw, e.counts...)
	e.raw = raw

	e.comp.Reset()
	if e.zw == nil {
		e.zw, _ = zlib.NewWriterLevel(&e.comp, zlib.BestCompression)
	} else {
		e.zw.Reset(&e.comp)
	}
	e.zw.Write(raw) // a bytes.Buffer: no error
	e.zw.Close()
	out := be.AppendUint32(e.head[:0], uint32(hdrhistogram.V2CompressedEncodingCookieBase|0x10))
	out = be.AppendUint32(out, uint32(e.comp.Len()))
	out = append(out, e.comp.Bytes()...)
	e.head = out
	return base64.StdEncoding.EncodeToString(out)
}

// histEncoder is encodeHist's reusable state.
type histEncoder struct {
	counts, raw, head []byte
	comp              bytes.Buffer
	zw                *zlib.Writer
}

var histEncoders = sync.Pool{New: func() any { return new(histEncoder) }}

// appendZigZag appends v as HdrHistogram's ZigZag LEB128-64b9B: 7 bits a
// byte, the ninth byte, if any, holding the last 8.
func appendZigZag(b []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for n := 0; n < 8; n++ {
		if u>>7 == 0 {
			return append(b, byte(u))
		}
		b = append(b, byte(u&0x7f|0x80))
		u >>= 7
	}
	return append(b, byte(u))
}

// decodeHist reads an encoded histogram into one of the report's bounds.
// hdrhistogram-go's Decode panics on some corrupt input: that is an error.
func decodeHist(s string) (h *hdrhistogram.Histogram, err error) {
	h = newHist()
	if s == "" {
		return h, nil
	}
	defer func() {
		if recover() != nil {
			h, err = nil, errors.New("corrupt histogram")
		}
	}()
	d, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("corrupt histogram: %v", err)
	}
	h.Merge(d)
	return h, nil
}

// histograms returns the tally's histograms, encoded.
func (t *tally) histograms() *Histograms {
	return &Histograms{
		Latency: encodeHist(t.latency), Service: encodeHist(t.service),
		Lateness: encodeHist(t.lateness), ConnWait: encodeHist(t.connWait),
	}
}

// Merge combines the reports of runs that went on at the same time, such
// as the N shards of one run, into one report: the counters summed, the
// histograms merged (so the percentiles are those of every sample), the
// rates summed, the start the earliest and the duration up to the latest
// end. Each report must carry its Histograms. Reports that name shards
// must name shards of one N, none twice; all must have one seed and
// format. The merged report's Shard lists the shards it holds ("0-3/4",
// "0,2/4"); Missing gives those it lacks. The merged report is not
// judged: call Judge on it. Merge only reads reps.
func Merge(reps []*Report) (*Report, error) {
	if len(reps) == 0 {
		return nil, &Error{Kind: ErrMerge, Reason: "no reports"}
	}
	out := &Report{
		Version: reps[0].Version, Target: reps[0].Target, Format: reps[0].Format, Seed: reps[0].Seed,
		Scenario:    reps[0].Scenario,
		StatusCodes: map[int]uint64{}, Errors: map[string]uint64{}, FirstErrors: map[string]string{},
		NotSentReasons: map[string]uint64{}, Payloads: PayloadMix{FailureCodes: map[int]uint64{}},
	}
	hists := [4]*hdrhistogram.Histogram{newHist(), newHist(), newHist(), newHist()}
	var end time.Time
	shards := map[int]bool{}
	of := 0
	var known *Report // the first with a seed and format
	for i, r := range reps {
		which := fmt.Sprintf("report %d", i+1)
		if r.Shard != "" {
			which += " (shard " + r.Shard + ")"
		}
		if r.Histograms == nil {
			return nil, &Error{Kind: ErrMerge, Reason: fmt.Sprintf("%s has no histograms: it was written by a vodsim without them, or is a merged text", which)}
		}
		// A report rebuilt from a journal has no seed or format (Format
		// "-"): it is checked against the others by the rest, and makes
		// the merged one's payload mix partial, so that is said unknown
		// too.
		switch {
		case r.Format == "-":
			out.Format = "-"
		case known == nil:
			known = r
		case r.Seed != known.Seed || r.Format != known.Format:
			return nil, &Error{Kind: ErrMerge, Reason: fmt.Sprintf("%s is of seed %d, format %s; another of seed %d, format %s: not one run", which, r.Seed, r.Format, known.Seed, known.Format)}
		}
		switch {
		case r.Format == "-":
			// A journal names no target.
		case out.Target == journalTarget:
			out.Target = r.Target
		case r.Target != out.Target:
			out.Target = "several targets"
		}
		if r.Scenario != out.Scenario {
			out.Scenario = ""
		}
		if (r.Shard == "") != (reps[0].Shard == "") {
			return nil, &Error{Kind: ErrMerge, Reason: fmt.Sprintf("%s and report 1: one is a shard, the other a whole run", which)}
		}
		if r.Shard == "" {
			// A shard given twice is caught below; a whole run's report
			// given twice (a file named twice) would count its events twice.
			for j, o := range reps[:i] {
				if o.Start.Equal(r.Start) && o.Format == r.Format && o.Seed == r.Seed && o.Events == r.Events && o.Attempts == r.Attempts {
					return nil, &Error{Kind: ErrMerge, Reason: fmt.Sprintf("%s is report %d given twice: one run's events would count twice", which, j+1)}
				}
			}
		}
		if r.Shard != "" {
			ks, n, err := parseShardList(r.Shard)
			if err != nil {
				return nil, &Error{Kind: ErrMerge, Reason: fmt.Sprintf("%s: %v", which, err)}
			}
			if of != 0 && n != of {
				return nil, &Error{Kind: ErrMerge, Reason: fmt.Sprintf("%s is a shard of %d, report 1 of %d", which, n, of)}
			}
			of = n
			for _, k := range ks {
				if shards[k] {
					return nil, &Error{Kind: ErrMerge, Reason: fmt.Sprintf("%s: shard %d/%d is in two reports", which, k, n)}
				}
				shards[k] = true
			}
		}
		for j, s := range []string{r.Histograms.Latency, r.Histograms.Service, r.Histograms.Lateness, r.Histograms.ConnWait} {
			h, err := decodeHist(s)
			if err != nil {
				return nil, &Error{Kind: ErrMerge, Reason: fmt.Sprintf("%s: %v", which, err)}
			}
			hists[j].Merge(h)
		}
		if i == 0 || r.Start.Before(out.Start) {
			out.Start = r.Start
		}
		if e := r.Start.Add(r.Duration); e.After(end) {
			end = e
		}
		out.TargetRate += r.TargetRate
		out.AchievedRate += r.AchievedRate
		out.ScheduleSpan = max(out.ScheduleSpan, r.ScheduleSpan)
		out.Events += r.Events
		out.Acknowledged += r.Acknowledged
		out.OtherStatus += r.OtherStatus
		out.Failed += r.Failed
		out.InterruptedEvents += r.InterruptedEvents
		out.NotSent += r.NotSent
		addCounts(out.NotSentReasons, r.NotSentReasons)
		out.Attempts += r.Attempts
		out.Retries += r.Retries
		out.Duplicates += r.Duplicates
		out.DuplicatesAcknowledged += r.DuplicatesAcknowledged
		out.Reordered += r.Reordered
		out.Malformed += r.Malformed
		out.Delayed += r.Delayed
		out.Late += r.Late
		addCounts(out.StatusCodes, r.StatusCodes)
		addCounts(out.Errors, r.Errors)
		for k, v := range r.FirstErrors {
			if _, ok := out.FirstErrors[k]; !ok {
				out.FirstErrors[k] = v
			}
		}
		out.Payloads.Success += r.Payloads.Success
		out.Payloads.Failure += r.Payloads.Failure
		out.Payloads.NotVOD += r.Payloads.NotVOD
		addCounts(out.Payloads.FailureCodes, r.Payloads.FailureCodes)
		out.Interrupted = out.Interrupted || r.Interrupted
	}
	out.Duration = end.Sub(out.Start)
	if s := out.Duration.Seconds(); s > 0 {
		out.Throughput = float64(out.Acknowledged+out.OtherStatus+out.Failed) / s
	}
	if of > 0 {
		out.Shard = shardList(shards, of)
	}
	out.Latency, out.Service, out.Lateness, out.ConnWait = summarise(hists[0]), summarise(hists[1]), summarise(hists[2]), summarise(hists[3])
	out.Histograms = &Histograms{Latency: encodeHist(hists[0]), Service: encodeHist(hists[1]), Lateness: encodeHist(hists[2]), ConnWait: encodeHist(hists[3])}
	if out.Format == "-" {
		// With a journal among them: what journals lack is unknown for
		// the whole (not the first report's, nor a partial mix).
		out.Seed, out.Payloads = 0, PayloadMix{FailureCodes: map[int]uint64{}}
		out.Reordered, out.Delayed, out.Late = 0, 0, 0
	}
	return out, nil
}

// Missing lists the shards of N a report's Shard does not hold, nil for a
// whole run or every shard.
func (rep *Report) Missing() []int {
	if rep.Shard == "" {
		return nil
	}
	ks, n, err := parseShardList(rep.Shard)
	if err != nil {
		return nil
	}
	have := map[int]bool{}
	for _, k := range ks {
		have[k] = true
	}
	var out []int
	for k := range n {
		if !have[k] {
			out = append(out, k)
		}
	}
	return out
}

// MissingShards is the check Judge adds for a merged report that lacks
// shards: nil when it has them all.
func (rep *Report) MissingShards() *Breach {
	m := rep.Missing()
	if len(m) == 0 {
		return nil
	}
	_, n, _ := parseShardList(rep.Shard)
	return &Breach{Name: "shards", Message: fmt.Sprintf("%d of %d shards missing: %s", len(m), n, joinInts(m))}
}

func addCounts[K comparable](dst, src map[K]uint64) {
	for k, v := range src {
		dst[k] += v
	}
}

// parseShardList reads a report's Shard: "K/N", or a merged list such as
// "0-3,5/8".
func parseShardList(s string) ([]int, int, error) {
	list, ns, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 || n > MaxShards {
		return nil, 0, fmt.Errorf("shard %q is not K/N", s)
	}
	var ks []int
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a || b >= n {
			return nil, 0, fmt.Errorf("shard %q is not K/N with 0 <= K < N", s)
		}
		for k := a; k <= b; k++ {
			ks = append(ks, k)
		}
	}
	return ks, n, nil
}

// shardList writes the shards held as "0-3,5/8".
func shardList(have map[int]bool, n int) string {
	ks := slicesSorted(have)
	var parts []string
	for i := 0; i < len(ks); {
		j := i
		for j+1 < len(ks) && ks[j+1] == ks[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", ks[i], ks[j]))
		} else {
			parts = append(parts, strconv.Itoa(ks[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",") + "/" + strconv.Itoa(n)
}

func slicesSorted(m map[int]bool) []int {
	ks := make([]int, 0, len(m))
	for k := range maps.Keys(m) {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
