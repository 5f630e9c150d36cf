package sender

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vodsim/vodsim/sender/pace"
	"github.com/vodsim/vodsim/sender/receiver"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/4", Shard{0, 4}, ""},
		{" 3/4 ", Shard{3, 4}, ""},
		{"0/1", Shard{0, 1}, ""},
		{"4/4", Shard{}, "K must be 0 to 3"},
		{"-1/4", Shard{}, "K must be 0 to 3"},
		{"0/0", Shard{}, "N must be 1 to"},
		{"1", Shard{}, "is not K/N"},
		{"/4", Shard{}, "whole numbers"},
		{"a/b", Shard{}, "whole numbers"},
		{"$(JOB_COMPLETION_INDEX)/4", Shard{}, "whole numbers"},
	} {
		got, err := ParseShard(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ParseShard(%q): %v", tc.in, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseShard(%q) error %v, want one containing %q", tc.in, err, tc.err)
		case got != tc.want:
			t.Errorf("ParseShard(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestShardCount(t *testing.T) {
	for n := uint64(0); n < 20; n++ {
		for of := 1; of <= 5; of++ {
			var sum uint64
			for k := 0; k < of; k++ {
				s := Shard{k, of}
				c := s.Count(n)
				sum += c
				for p := uint64(0); p < c; p++ {
					if i := s.index(p); i >= n || i%uint64(of) != uint64(k) || s.pos(i) != p {
						t.Fatalf("shard %v of %d events: position %d is index %d", s, n, p, i)
					}
				}
			}
			if sum != n {
				t.Errorf("%d shards of %d events hold %d", of, n, sum)
			}
		}
	}
}

// shardLine is what the test reads of a journal line.
type shardLine struct {
	Index     uint64 `json:"index"`
	TaskID    string `json:"taskId"`
	Attempt   int    `json:"attempt"`
	Duplicate bool   `json:"duplicate"`
	Malformed string `json:"malformed"`
	Final     string `json:"final"`
	Shard     string `json:"shard"`
}

// TestShardsTogetherAreTheWholeRun runs a run with faults whole and in 3
// shards: the shards' journals hold the same events (task ids), the same
// duplicates and malformed bodies, each event in exactly one shard.
func TestShardsTogetherAreTheWholeRun(t *testing.T) {
	const count, seed, n = 100, 21, 3
	faults := Faults{Duplicate: 0.1, Malformed: 0.1, Reorder: 0.1, ReorderWindow: 5}
	decisions := func(j *bytes.Buffer, shard string) []string {
		var out []string
		sc := bufio.NewScanner(j)
		for sc.Scan() {
			var l shardLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatal(err)
			}
			if l.Shard != shard {
				t.Fatalf("line %s: shard %q, want %q", sc.Text(), l.Shard, shard)
			}
			out = append(out, fmt.Sprintf("%d|%s|%s|%v", l.Index, l.TaskID, l.Malformed, l.Duplicate))
		}
		return out
	}
	srv := httptest.NewServer(&receiver.Receiver{})
	defer srv.Close()
	var whole bytes.Buffer
	rep := send(t, Config{Target: srv.URL, Seed: seed, Count: count, Faults: faults, Journal: &whole})
	want := decisions(&whole, "")
	sort.Strings(want)

	var got []string
	var acked, dups, malformed uint64
	for k := 0; k < n; k++ {
		srv := httptest.NewServer(&receiver.Receiver{})
		var j bytes.Buffer
		sh := Shard{k, n}
		r := send(t, Config{Target: srv.URL, Seed: seed, Count: count, Faults: faults, Journal: &j, Shard: sh})
		srv.Close()
		if r.Shard != sh.String() || r.Events != sh.Count(count) {
			t.Errorf("shard %v: report names shard %q with %d events, want %d", sh, r.Shard, r.Events, sh.Count(count))
		}
		lines := decisions(&j, sh.String())
		for _, l := range lines {
			var idx uint64
			fmt.Sscan(strings.SplitN(l, "|", 2)[0], &idx)
			if idx%n != uint64(k) {
				t.Errorf("shard %v sent event %d", sh, idx)
			}
		}
		got = append(got, lines...)
		acked += r.Acknowledged
		dups += r.Duplicates
		malformed += r.Malformed
	}
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the shards' journals differ from the whole run's:\nshards: %v\nwhole:  %v", got, want)
	}
	if acked != rep.Acknowledged || dups != rep.Duplicates || malformed != rep.Malformed {
		t.Errorf("shards: %d acknowledged, %d duplicates, %d malformed; whole run: %d, %d, %d",
			acked, dups, malformed, rep.Acknowledged, rep.Duplicates, rep.Malformed)
	}
}

// TestShardRate: shard K of N sends at the whole run's send times of its
// events, 1/N of the rate of each phase.
func TestShardRate(t *testing.T) {
	p := pace.Profile{{Duration: time.Second, From: 100}, {Duration: time.Second, From: 100, To: 300}}
	s, err := pace.NewSchedule(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRun(Config{Target: "http://127.0.0.1:1/", Profile: p, Duration: 2 * time.Second, Shard: Shard{1, 4}})
	if err != nil {
		t.Fatal(err)
	}
	whole := s.Due(2*time.Second - 1)
	if want := (Shard{1, 4}).Count(whole); r.planned != want {
		t.Errorf("planned %d, want %d of the whole run's %d", r.planned, want, whole)
	}
	r.ownTr.CloseIdleConnections()
}

func TestShardConfigError(t *testing.T) {
	err := Config{Target: "http://127.0.0.1:1/", Shard: Shard{4, 4}}.Validate()
	if err == nil || !strings.Contains(err.Error(), "shard 4/4") {
		t.Errorf("Validate: %v, want a shard error", err)
	}
}
