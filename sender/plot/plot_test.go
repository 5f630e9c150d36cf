package plot

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// journal writes n synthetic journal lines, as a send writes them: events
// at rate per second, a retry for every 10th, a failure for every 50th;
// n events in n + n/10 lines.
func journal(n int, rate float64) []byte {
	var b bytes.Buffer
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range n {
		at := t0.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		lat := time.Duration(1+i%97) * time.Millisecond
		final := "acknowledged"
		if i%50 == 0 {
			final = "failed"
		}
		if i%10 == 0 {
			fmt.Fprintf(&b, `{"index":%d,"taskId":"t%d","attempt":1,"intended":"%s","start":"%s","latencyNs":5000000000,"error":"timeout"}`+"\n",
				i, i, at.Format(time.RFC3339Nano), at.Format(time.RFC3339Nano))
			at2 := at.Add(5 * time.Second)
			fmt.Fprintf(&b, `{"index":%d,"taskId":"t%d","attempt":2,"intended":"%s","start":"%s","latencyNs":%d,"status":200,"final":"%s"}`+"\n",
				i, i, at.Format(time.RFC3339Nano), at2.Format(time.RFC3339Nano), lat, final)
			continue
		}
		fmt.Fprintf(&b, `{"index":%d,"taskId":"t%d","attempt":1,"intended":"%s","start":"%s","latencyNs":%d,"status":200,"final":"%s"}`+"\n",
			i, i, at.Format(time.RFC3339Nano), at.Format(time.RFC3339Nano), lat, final)
	}
	return b.Bytes()
}

func page(t testing.TB, j []byte) []byte {
	t.Helper()
	var d Data
	if err := d.Read(bytes.NewReader(j)); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := d.WriteHTML(&out, "test <run>"); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestPageIsSelfContained(t *testing.T) {
	pages := map[int]string{}
	for _, n := range []int{0, 1, 300, 20000} {
		p := string(page(t, journal(n, 1000)))
		pages[n] = p
		for _, bad := range []string{"<script", "src=", "href=", "@import", "url(", "<link"} {
			if strings.Contains(p, bad) {
				t.Errorf("%d lines: the page holds %q: it must fetch nothing", n, bad)
			}
		}
		if !strings.Contains(p, "<title>test &lt;run&gt;</title>") || !strings.Contains(p, "<svg") {
			t.Errorf("%d lines: no escaped title or no SVG", n)
		}
	}
	// Few events are drawn each; many are binned into cells.
	if p := pages[300]; strings.Count(p, "<circle") != 300 {
		t.Errorf("300 events: %d circles, want 300", strings.Count(p, "<circle"))
	}
	if p := pages[20000]; strings.Count(p, "<circle") != 0 || !strings.Contains(p, `<path fill="#d62828" d="M`) {
		t.Error("20000 events: want binned cells, failed ones in red, no circles")
	}
}

func TestSummaryCountsStates(t *testing.T) {
	j := journal(100, 100)
	j = append(j, `{"index":100,"count":5,"step":2,"attempt":0,"final":"not-sent","reason":"run stopped","shard":"0/2"}`+"\n"...)
	p := string(page(t, j))
	if !strings.Contains(p, "105 events from") || !strings.Contains(p, "1 shard") || !strings.Contains(p, "5 not-sent") || !strings.Contains(p, "2 failed") {
		t.Errorf("summary: %s", p[strings.Index(p, "<p>"):strings.Index(p, "</p>")])
	}
}

func TestBadJournal(t *testing.T) {
	var d Data
	err := d.Read(strings.NewReader(`{"index":0,"taskId":"a","attempt":1,"intended":"2026-01-02T03:04:05Z","start":"2026-01-02T03:04:05Z","status":200}` + "\nnot json\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Read: %v, want an error at line 2", err)
	}
}

// TestChromiumDrawsThePage renders a page in headless Chromium and checks
// that the charts are drawn: enough coloured pixels in each chart's area.
func TestChromiumDrawsThePage(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is needed to render the plot (apt-get install chromium); .ci/run installs it")
		}
		t.Skip("chromium not installed: the page is not rendered (apt-get install chromium)")
	}
	dir := t.TempDir()
	html, shot := filepath.Join(dir, "plot.html"), filepath.Join(dir, "plot.png")
	if err := os.WriteFile(html, page(t, journal(20000, 500)), 0o666); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--screenshot="+shot, "--window-size=1200,900", "file://"+html)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The charts' areas, in page pixels (the body has a 16 px margin and a
	// heading above the SVG): latency, rate, retries.
	for _, a := range []struct {
		name           string
		x0, y0, x1, y1 int
		want           int
	}{
		{"latency", left + 20, 110, left + plotW, 390, 2000},
		{"rate", left + 20, 460, left + plotW, 620, 300},
		{"retries", left + 20, 690, left + plotW, 800, 300},
	} {
		coloured := 0
		for y := a.y0; y < a.y1; y++ {
			for x := a.x0; x < a.x1; x++ {
				r, g, b, _ := img.At(x, y).RGBA()
				// Not white nor grey (the grid and axes): a chart's colour.
				hi, lo := max(r, g, b), min(r, g, b)
				if hi-lo > 0x2000 {
					coloured++
				}
			}
		}
		if coloured < a.want {
			t.Errorf("%s chart: %d coloured pixels, want at least %d: not drawn", a.name, coloured, a.want)
		}
	}
}

// TestTickLabels: axis ticks read as the step's multiples they are,
// 0.6s and 1.8s, never 0.6000000000000001s or 1.7999999999999998s
// (nor -0s).
func TestTickLabels(t *testing.T) {
	for _, c := range []struct {
		lo, hi, step float64
		want         string
	}{
		{0, 2, 0.2, "0.0s 0.2s 0.4s 0.6s 0.8s 1.0s 1.2s 1.4s 1.6s 1.8s 2.0s"},
		{0, 1, 0.1, "0.0s 0.1s 0.2s 0.3s 0.4s 0.5s 0.6s 0.7s 0.8s 0.9s 1.0s"},
		{0, 50, 5, "0s 5s 10s 15s 20s 25s 30s 35s 40s 45s 50s"},
	} {
		var got []string
		for _, v := range ticks(c.lo, c.hi, c.step) {
			got = append(got, fmtSeconds(v, c.step))
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("ticks %g..%g by %g: %s, want %s", c.lo, c.hi, c.step, g, c.want)
		}
	}
}

// TestSpanTooLong: a line whose time is far from the others' (here one
// with no send time, which reads as year 1) is refused with a message
// that says so, by Read and by WriteHTML, instead of per-second series
// as long as the span that exhaust memory.
func TestSpanTooLong(t *testing.T) {
	j := journal(3, 10)
	bad := `{"index":3,"attempt":1,"start":"2026-01-02T03:04:06Z","latencyNs":1000,"status":200,"final":"acknowledged"}` + "\n"
	var d Data
	err := d.Read(bytes.NewReader(append(j, bad...)))
	if err == nil || !strings.Contains(err.Error(), "more than 31 days") || !strings.Contains(err.Error(), "0001-01-01") {
		t.Fatalf("Read: %v; want the span refused", err)
	}
	var out bytes.Buffer
	if err := d.WriteHTML(&out, "x"); err == nil || out.Len() != 0 {
		t.Fatalf("WriteHTML: %v, %d bytes; want an error and nothing written", err, out.Len())
	}
	// Two journals 40 days apart are not one run's either.
	var d2 Data
	later := bytes.ReplaceAll(j, []byte("2026-01-02"), []byte("2026-02-11"))
	if err := d2.Read(bytes.NewReader(j)); err != nil {
		t.Fatal(err)
	}
	if err := d2.Read(bytes.NewReader(later)); err == nil || !strings.Contains(err.Error(), "more than 31 days") {
		t.Fatalf("Read of a journal 40 days later: %v; want the span refused", err)
	}
}
