package sender

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/vodsim/vodsim/sender/receiver"
)

// synthetic is a report of n latency samples of value d, with its histograms.
func synthetic(shard string, n int, d time.Duration) *Report {
	h := newHist()
	for range n {
		record(&h, d)
	}
	return &Report{
		Shard: shard, Seed: 1, Format: "v4", Version: "dev", Start: time.Unix(1000, 0), Duration: time.Second,
		Events: uint64(n), Acknowledged: uint64(n), Attempts: uint64(n), StatusCodes: map[int]uint64{200: uint64(n)},
		Latency: summarise(h), Histograms: &Histograms{Latency: encodeHist(h)}, TargetRate: 10, AchievedRate: 9,
	}
}

func TestMergePercentilesOfAllSamples(t *testing.T) {
	// 90 fast samples in one shard, 10 slow in the other: the merged p50
	// is fast and the p99 slow, which no average of the shards' gives.
	a, b := synthetic("0/2", 90, time.Millisecond), synthetic("1/2", 10, time.Second)
	// Through JSON, as vodsim report reads them.
	var reps []*Report
	for _, r := range []*Report{a, b} {
		var buf bytes.Buffer
		if err := r.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		var back Report
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		reps = append(reps, &back)
	}
	m, err := Merge(reps)
	if err != nil {
		t.Fatal(err)
	}
	if m.Latency.Count != 100 || m.Latency.P50 > 2*time.Millisecond || m.Latency.P99 < 900*time.Millisecond {
		t.Errorf("merged latency %+v: want 100 samples, p50 ~1ms, p99 ~1s", m.Latency)
	}
	if m.Events != 100 || m.StatusCodes[200] != 100 || m.TargetRate != 20 || m.AchievedRate != 18 || m.Shard != "0-1/2" {
		t.Errorf("merged %d events, %v, target %v achieved %v, shard %q", m.Events, m.StatusCodes, m.TargetRate, m.AchievedRate, m.Shard)
	}
	if len(m.Missing()) != 0 || m.MissingShards() != nil {
		t.Errorf("missing %v", m.Missing())
	}
	// A merged report merges again.
	again, err := Merge([]*Report{m})
	if err != nil || again.Latency != m.Latency {
		t.Errorf("merge of the merged: %v, %+v", err, again)
	}
}

func TestMergeErrors(t *testing.T) {
	noHist := synthetic("1/2", 1, time.Millisecond)
	noHist.Histograms = nil
	otherSeed := synthetic("1/2", 1, time.Millisecond)
	otherSeed.Seed = 2
	corrupt := synthetic("1/2", 1, time.Millisecond)
	corrupt.Histograms.Latency = "HISTFAAAA"
	for _, tc := range []struct {
		name string
		reps []*Report
		msg  string
	}{
		{"twice", []*Report{synthetic("0/2", 1, 0), synthetic("0/2", 1, 0)}, "shard 0/2 is in two reports"},
		{"other N", []*Report{synthetic("0/2", 1, 0), synthetic("1/3", 1, 0)}, "is a shard of 3, report 1 of 2"},
		{"whole and shard", []*Report{synthetic("0/2", 1, 0), synthetic("", 1, 0)}, "one is a shard"},
		{"no histograms", []*Report{synthetic("0/2", 1, 0), noHist}, "report 2 (shard 1/2) has no histograms"},
		{"seed", []*Report{synthetic("0/2", 1, 0), otherSeed}, "not one run"},
		{"corrupt", []*Report{synthetic("0/2", 1, 0), corrupt}, "corrupt histogram"},
		{"bad shard", []*Report{synthetic("2/2", 1, 0)}, "not K/N"},
		{"none", nil, "no reports"},
	} {
		_, err := Merge(tc.reps)
		if !errors.Is(err, ErrMerge) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want ErrMerge with %q", tc.name, err, tc.msg)
		}
	}
	m, err := Merge([]*Report{synthetic("0/4", 1, 0), synthetic("2/4", 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if b := m.MissingShards(); m.Shard != "0,2/4" || b == nil || b.Message != "2 of 4 shards missing: 1, 3" {
		t.Errorf("shard %q, breach %v", m.Shard, b)
	}
}

func FuzzDecodeHist(f *testing.F) {
	f.Add(encodeHist(synthetic("", 3, time.Millisecond).latencyHist()))
	f.Add("HISTFAAAAB")
	f.Fuzz(func(t *testing.T, s string) {
		decodeHist(s) // must not panic
	})
}

func (r *Report) latencyHist() *hdrhistogram.Histogram {
	h, _ := decodeHist(r.Histograms.Latency)
	return h
}

// TestShardReportsMergeIntoTheWholeRun: the merged report of 3 shards
// counts what the whole run counts, and a report rebuilt from each
// shard's journal merges into the same counts.
func TestShardReportsMergeIntoTheWholeRun(t *testing.T) {
	const count, seed, n = 120, 4, 3
	faults := Faults{Duplicate: 0.1, Malformed: 0.1}
	srv := httptest.NewServer(&receiver.Receiver{})
	defer srv.Close()
	whole := send(t, Config{Target: srv.URL, Seed: seed, Count: count, Faults: faults})
	var reps, rebuilt []*Report
	for k := range n {
		var j bytes.Buffer
		reps = append(reps, send(t, Config{Target: srv.URL, Seed: seed, Count: count, Faults: faults, Shard: Shard{k, n}, Journal: &j}))
		r, err := ReportFromJournal(&j)
		if err != nil {
			t.Fatal(err)
		}
		rebuilt = append(rebuilt, r)
	}
	type counts struct {
		Events, Acknowledged, Attempts, Duplicates, Malformed uint64
		Codes                                                 map[int]uint64
		Samples                                               int64
	}
	of := func(r *Report) counts {
		return counts{r.Events, r.Acknowledged, r.Attempts, r.Duplicates, r.Malformed, r.StatusCodes, r.Latency.Count}
	}
	m, err := Merge(reps)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(of(m), of(whole)) || m.Shard != "0-2/3" {
		t.Errorf("merged %+v (shard %q), whole run %+v", of(m), m.Shard, of(whole))
	}
	if m.Payloads.Success+m.Payloads.Failure != whole.Payloads.Success+whole.Payloads.Failure {
		t.Errorf("payload mix %+v, whole run %+v", m.Payloads, whole.Payloads)
	}
	mj, err := Merge(rebuilt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(of(mj), of(whole)) || mj.Shard != "0-2/3" {
		t.Errorf("merged from journals %+v (shard %q), whole run %+v", of(mj), mj.Shard, of(whole))
	}
	checkAccounting(t, mj)
	// Reports and journals of one run merge too; the seed and format of
	// the reports are checked, and the mix is said unknown (a journal
	// holds no payload mix).
	mixed, err := Merge([]*Report{reps[0], rebuilt[1], reps[2]})
	if err != nil {
		t.Fatalf("a journal among reports: %v", err)
	}
	if !reflect.DeepEqual(of(mixed), of(whole)) || mixed.Format != "-" {
		t.Errorf("merged from reports and a journal %+v (format %q), whole run %+v", of(mixed), mixed.Format, of(whole))
	}
	// In any order, the same: no seed or payload mix of one part.
	for _, order := range [][]*Report{{rebuilt[1], reps[0], reps[2]}, {reps[2], reps[0], rebuilt[1]}} {
		m, err := Merge(order)
		if err != nil {
			t.Fatal(err)
		}
		if m.Seed != 0 || m.Payloads.Success+m.Payloads.Failure != 0 || len(m.Payloads.FailureCodes) != 0 || !reflect.DeepEqual(of(m), of(mixed)) {
			t.Errorf("merged in another order: seed %d, payloads %+v, counts %+v", m.Seed, m.Payloads, of(m))
		}
	}
	other := *reps[2]
	other.Seed++
	if _, err := Merge([]*Report{reps[0], rebuilt[1], &other}); err == nil || !strings.Contains(err.Error(), "not one run") {
		t.Errorf("reports of two seeds with a journal between: %v, want not one run", err)
	}
	// What a journal does not hold is said to be missing, not shown as 0.
	var text strings.Builder
	if err := mj.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if s := text.String(); strings.Contains(s, "seed 0") || strings.Contains(s, "0 success, 0 failure") ||
		!strings.Contains(s, "format and seed are not in a journal") || !strings.Contains(s, "payloads      not in a journal") {
		t.Errorf("the text of a report rebuilt from journals:\n%s", s)
	}
}

// libEncode is hdrhistogram-go's own encoding of h.
func libEncode(t *testing.T, h *hdrhistogram.Histogram) string {
	t.Helper()
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEncodeHistAsLibrary: encodeHist writes the bytes of hdrhistogram-go's
// Encode (of the histogram widened to newHist's bound), for histograms of
// every shape: one sample, samples at the bounds, runs of zeros, counts
// that take every length of the encoding's longs.
func TestEncodeHistAsLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 40 {
		full, run := newHist(), newRunHist()
		add := func(us, count int64) {
			_ = full.RecordValues(us, count)
			for us > run.HighestTrackableValue() {
				run = widen(run)
			}
			_ = run.RecordValues(us, count)
		}
		switch n {
		case 0:
			add(1, 1)
		case 1:
			add(runHistMax, 1)
		case 2:
			add(histMax, 3)
		case 3:
			add(7, 1<<62)
		default:
			top := []int64{1000, runHistMax, histMax}[n%3]
			for range 1 + rng.IntN(2000) {
				add(1+rng.Int64N(top), 1+rng.Int64N(1<<uint(rng.IntN(40))))
			}
		}
		want := libEncode(t, full)
		if got := encodeHist(full); got != want {
			t.Errorf("histogram %d: encodeHist differs from hdrhistogram-go's Encode", n)
		}
		if got := encodeHist(run); got != want {
			t.Errorf("histogram %d: encodeHist of the run's histogram differs from Encode of the full one", n)
		}
	}
	if got := encodeHist(newHist()); got != "" {
		t.Errorf("an empty histogram encodes as %q", got)
	}
}

// TestJournalLacksReorderedDelayedLate: a journal holds no reordered,
// delayed or late marks: the text of a report rebuilt from one says so
// rather than "0", and a merge with one does not show the others' part.
func TestJournalLacksReorderedDelayedLate(t *testing.T) {
	srv := httptest.NewServer(&receiver.Receiver{})
	defer srv.Close()
	var j bytes.Buffer
	rep := send(t, Config{Target: srv.URL, Count: 40, Seed: 3, Journal: &j, Shard: Shard{0, 2},
		Faults: Faults{Reorder: 0.5, DelayMax: time.Millisecond}})
	if rep.Reordered == 0 || rep.Delayed == 0 {
		t.Fatalf("reordered %d, delayed %d: want some", rep.Reordered, rep.Delayed)
	}
	rebuilt, err := ReportFromJournal(&j)
	if err != nil {
		t.Fatal(err)
	}
	other := synthetic("1/2", 20, time.Millisecond)
	other.Seed = 3
	other.Reordered, other.Delayed, other.Late = 5, 6, 7
	m, err := Merge([]*Report{other, rebuilt})
	if err != nil {
		t.Fatal(err)
	}
	if m.Reordered+m.Delayed+m.Late != 0 {
		t.Errorf("merged with a journal: reordered %d, delayed %d, late %d; want them unknown (0)", m.Reordered, m.Delayed, m.Late)
	}
	for _, r := range []*Report{rebuilt, m} {
		var text strings.Builder
		if err := r.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		s := text.String()
		for _, bad := range []string{"0 reordered", "0 delayed", "0 events waited"} {
			if strings.Contains(s, bad) {
				t.Errorf("the text says %q of what a journal does not hold:\n%s", bad, s)
			}
		}
		if !strings.Contains(s, "reordered and delayed not in a journal") || !strings.Contains(s, "late          not in a journal") {
			t.Errorf("the text does not say what a journal lacks:\n%s", s)
		}
	}
}

// TestMergeRefusesOneRunTwice: the report of a whole run given twice
// (a file named twice) would count its events twice: it is refused, as a
// shard named twice is. Two runs, even of one seed, merge.
func TestMergeRefusesOneRunTwice(t *testing.T) {
	a := synthetic("", 10, time.Millisecond)
	if _, err := Merge([]*Report{a, a}); !errors.Is(err, ErrMerge) || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("one report twice: %v, want a merge error saying it is given twice", err)
	}
	b := synthetic("", 10, time.Millisecond)
	b.Start = b.Start.Add(time.Millisecond)
	if _, err := Merge([]*Report{a, b}); err != nil {
		t.Errorf("two runs: %v", err)
	}
}

// TestMergeWithAJournalKeepsTheTarget: a journal names no target, so
// merging one with the reports of one target keeps that target.
func TestMergeWithAJournalKeepsTheTarget(t *testing.T) {
	srv := httptest.NewServer(&receiver.Receiver{})
	defer srv.Close()
	var j bytes.Buffer
	rep := send(t, Config{Target: srv.URL, Count: 4, Seed: 5, Shard: Shard{0, 2}})
	send(t, Config{Target: srv.URL, Count: 4, Seed: 5, Shard: Shard{1, 2}, Journal: &j})
	rebuilt, err := ReportFromJournal(&j)
	if err != nil {
		t.Fatal(err)
	}
	for _, order := range [][]*Report{{rep, rebuilt}, {rebuilt, rep}} {
		m, err := Merge(order)
		if err != nil {
			t.Fatal(err)
		}
		if m.Target != rep.Target {
			t.Errorf("merged target %q, want %q", m.Target, rep.Target)
		}
	}
}
