package plot

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vodsim/vodsim/sender"
)

// Geometry of the page, in SVG pixels.
const (
	width     = 1100
	left      = 80 // room for the y axis labels
	right     = 20
	plotW     = width - left - right
	latH      = 290
	rateH     = 170
	retryH    = 110
	gap       = 60 // title and x axis labels between charts
	cell      = 2  // a latency cell is cell x cell pixels
	maxPoints = 5000
	maxSeries = plotW / 2 // points of a per-second line, at most
	// maxSpan bounds the time the journals span: the per-second series
	// are counted second by second over it.
	maxSpan = 31 * 24 * time.Hour
)

// states in the order of their weight: a cell shows the worst.
var states = []struct {
	s     sender.State
	color string
}{
	{sender.Acknowledged, "#2a9d8f"},
	{sender.OtherStatus, "#e9a23b"},
	{sender.Interrupted, "#8e6cc0"},
	{sender.Failed, "#d62828"},
}

func stateRank(s sender.State) int {
	for i, x := range states {
		if x.s == s {
			return i
		}
	}
	return -1
}

// Data gathers what the charts show from journal lines. The zero value is
// empty and ready; it is not safe for concurrent use.
type Data struct {
	// per event reaching a final state after an attempt
	at   []int64   // send time, UNIX ns
	lat  []float32 // latency, seconds
	rank []uint8
	// times (UNIX ns) of the first attempts' send times and starts, and
	// of the retries' starts; counted per second when the page is drawn
	intended, started, retried []int64
	// per second since base, the earliest time of all (set by WriteHTML)
	base                      int64
	target, achieved, retries []uint32
	counts                    map[sender.State]uint64
	journals                  int
	lines                     uint64
	shards                    map[string]bool
	// the earliest and latest time of an attempt line
	first, last time.Time
}

// Lines is how many journal lines d holds: none, and there is nothing to
// draw.
func (d *Data) Lines() uint64 { return d.lines }

// Read adds the lines of one journal to d. Journals whose times span
// more than 31 days together (not one run's, or a line with a wrong time)
// are an error.
func (d *Data) Read(r io.Reader) error {
	d.journals++
	if err := sender.ReadJournal(r, func(l *sender.JournalLine) error {
		d.Add(l)
		return nil
	}); err != nil {
		return err
	}
	return d.checkSpan()
}

// checkSpan says whether the times of d's lines fit in maxSpan.
func (d *Data) checkSpan() error {
	if d.last.Sub(d.first) > maxSpan {
		return fmt.Errorf("the journals' times run from %s to %s, more than 31 days: not the journals of one run, or a line with a wrong time",
			d.first.Format(time.RFC3339), d.last.Format(time.RFC3339))
	}
	return nil
}

// span widens first..last to t.
func (d *Data) span(t time.Time) {
	if d.first.IsZero() && d.last.IsZero() {
		d.first, d.last = t, t
		return
	}
	if t.Before(d.first) {
		d.first = t
	}
	if t.After(d.last) {
		d.last = t
	}
}

// Add adds one journal line.
func (d *Data) Add(l *sender.JournalLine) {
	d.lines++
	if d.counts == nil {
		d.counts = map[sender.State]uint64{}
		d.shards = map[string]bool{}
	}
	if l.Shard != "" {
		d.shards[l.Shard] = true
	}
	if l.Attempt > 0 {
		d.span(l.Intended)
		d.span(l.Start)
		if l.Attempt == 1 && !l.Duplicate {
			d.intended = append(d.intended, l.Intended.UnixNano())
			d.started = append(d.started, l.Start.UnixNano())
		}
		if l.Attempt > 1 {
			d.retried = append(d.retried, l.Start.UnixNano())
		}
	}
	if l.Final == "" || l.Duplicate {
		return
	}
	d.counts[l.Final] += max(l.Count, 1)
	if l.Attempt == 0 || l.Final == sender.NotSent {
		return
	}
	done := l.Start.Add(time.Duration(l.LatencyNs))
	d.at = append(d.at, l.Intended.UnixNano())
	d.lat = append(d.lat, float32(done.Sub(l.Intended).Seconds()))
	d.rank = append(d.rank, uint8(max(stateRank(l.Final), 0)))
}

// perSecond counts times by second since the base.
func (d *Data) perSecond(ts []int64) []uint32 {
	var out []uint32
	for _, t := range ts {
		i := int((t - d.base) / 1e9)
		for len(out) <= i {
			out = append(out, 0)
		}
		out[i]++
	}
	return out
}

// series counts the times per second from the earliest of them all.
func (d *Data) series() {
	d.base = math.MaxInt64
	for _, ts := range [][]int64{d.intended, d.started, d.retried, d.at} {
		for _, t := range ts {
			d.base = min(d.base, t)
		}
	}
	if d.base == math.MaxInt64 {
		d.base = 0
	}
	d.target, d.achieved, d.retries = d.perSecond(d.intended), d.perSecond(d.started), d.perSecond(d.retried)
}

// svg builds the page's markup.
type svg struct{ b strings.Builder }

func (s *svg) f(format string, a ...any) { fmt.Fprintf(&s.b, format, a...) }

// WriteHTML writes the page, titled title; it writes nothing when the
// lines span more than Read allows.
func (d *Data) WriteHTML(w io.Writer, title string) error {
	if err := d.checkSpan(); err != nil {
		return err
	}
	var s svg
	total := latH + rateH + retryH + 3*gap + 25
	s.f(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<style>body{font:14px sans-serif;margin:16px;color:#222}h1{font-size:18px;margin:0 0 4px}p{margin:0 0 8px}svg text{font:12px sans-serif;fill:#333}</style>
</head><body>
<h1>%s</h1>
<p>%s</p>
<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img">
<rect width="100%%" height="100%%" fill="#fff"/>
`, html.EscapeString(title), html.EscapeString(title), html.EscapeString(d.summary()), width, total, width, total)
	d.series()
	t0, t1 := d.timeRange()
	y := gap - 20
	d.latencyChart(&s, y, t0, t1)
	y += latH + gap
	d.rateChart(&s, y, t0, t1)
	y += rateH + gap
	d.retryChart(&s, y, t0, t1)
	s.f("</svg>\n</body></html>\n")
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(s.b.String()); err != nil {
		return err
	}
	return bw.Flush()
}

func (d *Data) summary() string {
	var parts []string
	var events uint64
	for _, n := range d.counts {
		events += n
	}
	parts = append(parts, fmt.Sprintf("%d events from %d journal lines of %s", events, d.lines, nouns(d.journals, "journal")))
	if len(d.shards) > 0 {
		parts = append(parts, nouns(len(d.shards), "shard"))
	}
	for _, st := range append([]sender.State{}, sender.Acknowledged, sender.OtherStatus, sender.Failed, sender.Interrupted, sender.NotSent) {
		if n := d.counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	return strings.Join(parts, ", ")
}

func nouns(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

// timeRange is the span of the x axes, in seconds since the base.
func (d *Data) timeRange() (float64, float64) {
	n := max(len(d.target), len(d.achieved), len(d.retries))
	return 0, math.Max(1, float64(n))
}

// xAxis draws time ticks under a chart at y0 (its bottom).
func xAxis(s *svg, y0 int, t0, t1 float64) {
	s.f(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`+"\n", left, y0, left+plotW, y0)
	step := niceStep((t1 - t0) / 10)
	for _, t := range ticks(t0, t1, step) {
		x := left + (t-t0)/(t1-t0)*plotW
		s.f(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#999"/><text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n",
			x, y0, x, y0+4, x, y0+17, fmtSeconds(t, step))
	}
	s.f(`<text x="%d" y="%d" text-anchor="end">time since start</text>`+"\n", left+plotW, y0+32)
}

func fmtSeconds(t, step float64) string {
	if t >= 60 {
		return (time.Duration(t) * time.Second).String()
	}
	return fmtTick(t, step) + "s"
}

// ticks are the multiples of step from lo to hi, each computed as a
// multiple (not summed), so that none carries a sum's rounding error.
func ticks(lo, hi, step float64) []float64 {
	var out []float64
	for i := math.Ceil(lo/step - 1e-9); i*step <= hi+1e-9; i++ {
		out = append(out, i*step+0) // +0: no -0 before the first tick
	}
	return out
}

// fmtTick writes tick v with as many decimals as step has: 0.6, not
// 0.6000000000000001.
func fmtTick(v, step float64) string {
	return strconv.FormatFloat(v, 'f', max(0, int(-math.Floor(math.Log10(step)+1e-9))), 64)
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

func (d *Data) latencyChart(s *svg, top int, t0, t1 float64) {
	s.f(`<text x="%d" y="%d" font-weight="bold">Latency (send time to final answer), by final state</text>`+"\n", left, top-8)
	bottom := top + latH
	// A log scale from the least to the most latency, in whole decades.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range d.lat {
		v := math.Max(float64(v), 1e-6)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if len(d.lat) == 0 {
		lo, hi = 1e-3, 1
	}
	dlo, dhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if dhi <= dlo {
		dhi = dlo + 1
	}
	yOf := func(v float64) float64 {
		v = math.Max(v, 1e-6)
		return float64(bottom) - (math.Log10(v)-dlo)/(dhi-dlo)*latH
	}
	for e := dlo; e <= dhi; e++ {
		yy := yOf(math.Pow(10, e))
		s.f(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n",
			left, yy, left+plotW, yy, left-6, yy+4, fmtLatency(math.Pow(10, e)))
	}
	s.f(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`+"\n", left, top, left, bottom)
	xOf := func(ns int64) float64 {
		t := float64(ns-d.base) / 1e9
		return left + (t-t0)/(t1-t0)*plotW
	}
	if len(d.lat) <= maxPoints {
		// Few enough to draw each.
		for i, v := range d.lat {
			s.f(`<circle cx="%.1f" cy="%.1f" r="2" fill="%s" fill-opacity="0.7"/>`+"\n", xOf(d.at[i]), yOf(float64(v)), states[d.rank[i]].color)
		}
	} else {
		// One cell per cell x cell pixels, in its worst state's colour.
		cols, rows := plotW/cell+1, latH/cell+1
		grid := make([]int8, cols*rows)
		for i := range grid {
			grid[i] = -1
		}
		for i, v := range d.lat {
			c := int((xOf(d.at[i]) - left) / cell)
			r := int((yOf(float64(v)) - float64(top)) / cell)
			c, r = min(max(c, 0), cols-1), min(max(r, 0), rows-1)
			if k := int8(d.rank[i]); k > grid[r*cols+c] {
				grid[r*cols+c] = k
			}
		}
		for k, st := range states {
			var p strings.Builder
			for i, g := range grid {
				if int(g) == k {
					fmt.Fprintf(&p, "M%d %dh%dv%dh-%dz", left+(i%cols)*cell, top+(i/cols)*cell, cell, cell, cell)
				}
			}
			if p.Len() > 0 {
				s.f(`<path fill="%s" d="%s"/>`+"\n", st.color, p.String())
			}
		}
	}
	xAxis(s, bottom, t0, t1)
	// The legend.
	x := left + 440
	for _, st := range states {
		s.f(`<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", x, top-18, st.color, x+14, top-8, st.s)
		x += 120
	}
}

func fmtLatency(v float64) string {
	switch {
	case v < 1e-3:
		return strconv.FormatFloat(v*1e6, 'g', 3, 64) + "µs"
	case v < 1:
		return strconv.FormatFloat(v*1e3, 'g', 3, 64) + "ms"
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + "s"
}

// downsample averages a per-second series into at most maxSeries points:
// (second, value per second) pairs.
func downsample(v []uint32) [][2]float64 {
	if len(v) == 0 {
		return nil
	}
	g := (len(v) + maxSeries - 1) / maxSeries
	var out [][2]float64
	for i := 0; i < len(v); i += g {
		sum, n := 0.0, 0
		for j := i; j < min(i+g, len(v)); j++ {
			sum += float64(v[j])
			n++
		}
		out = append(out, [2]float64{float64(i) + float64(n)/2, sum / float64(n)})
	}
	return out
}

// lineChart draws series as lines with a linear y axis from 0.
func lineChart(s *svg, top, h int, t0, t1 float64, title string, series []series) {
	s.f(`<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", left, top-8, html.EscapeString(title))
	bottom := top + h
	ymax := 1.0
	for _, se := range series {
		for _, p := range se.pts {
			ymax = math.Max(ymax, p[1])
		}
	}
	ymax *= 1.1 // room above the highest point
	step := niceStep(ymax / 4)
	ymax = math.Ceil(ymax/step) * step
	for _, v := range ticks(0, ymax, step) {
		yy := float64(bottom) - v/ymax*float64(h)
		s.f(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/><text x="%d" y="%.1f" text-anchor="end">%s/s</text>`+"\n",
			left, yy, left+plotW, yy, left-6, yy+4, fmtTick(v, step))
	}
	s.f(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`+"\n", left, top, left, bottom)
	lx := left + 440
	for _, se := range series {
		if len(se.pts) > 0 {
			var p strings.Builder
			for i, pt := range se.pts {
				x := left + (pt[0]-t0)/(t1-t0)*plotW
				y := float64(bottom) - pt[1]/ymax*float64(h)
				if i == 0 {
					fmt.Fprintf(&p, "M%.1f %.1f", x, y)
				} else {
					fmt.Fprintf(&p, "L%.1f %.1f", x, y)
				}
			}
			s.f(`<path fill="none" stroke="%s" stroke-width="2" stroke-dasharray="%s" d="%s"/>`+"\n", se.color, se.dash, p.String())
		}
		s.f(`<rect x="%d" y="%d" width="14" height="3" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", lx, top-12, se.color, lx+18, top-8, se.name)
		lx += 170
	}
	xAxis(s, bottom, t0, t1)
}

// series is one line of a chart.
type series struct {
	name, color string
	pts         [][2]float64
	dash        string
}

func (d *Data) rateChart(s *svg, top int, t0, t1 float64) {
	lineChart(s, top, rateH, t0, t1, "Rate: first attempts started against the schedule, per second", []series{
		{"target (send times)", "#555", downsample(d.target), "6 4"},
		{"achieved (starts)", "#1d70b8", downsample(d.achieved), ""},
	})
}

func (d *Data) retryChart(s *svg, top int, t0, t1 float64) {
	lineChart(s, top, retryH, t0, t1, "Retries started per second", []series{
		{"retries", "#d62828", downsample(d.retries), ""},
	})
}
