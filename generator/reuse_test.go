package generator

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestReuseRoom: an Event filled with ReuseRoom, one event after
// another, encodes byte for byte as a new Event of each does, in both
// formats and both URL styles, for the sprite event, the catalog and
// flows, and through Clear.
func TestReuseRoom(t *testing.T) {
	configs := map[string]Config{
		"seed 1":  {Seed: 1},
		"seed 2":  {Seed: 2},
		"seed 3":  {Seed: 3, Outcomes: Mix(0.5)},
		"catalog": {Seed: 4, Outcomes: TypeMix(Kinds, DefaultFailureRatio)},
		"flows":   {Seed: 5, Flows: testFlows},
	}
	for name, cfg := range configs {
		g, err := New(cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, enc := range []Encoding{{}, {Format: FormatV3}} {
			var reused Event
			reused.ReuseRoom()
			var a, b []byte
			for i := uint64(0); i < 400; i++ {
				g.Fill(&reused, i)
				fresh := g.Event(i)
				a, b = enc.Append(a[:0], &reused), enc.Append(b[:0], &fresh)
				if !bytes.Equal(a, b) {
					t.Fatalf("%s, %v, event %d: with ReuseRoom\n%s\nwant\n%s", name, enc.Format, i, a, b)
				}
				if i%7 == 0 {
					reused.Clear()
				}
			}
		}
	}
}

// TestReuseRoomAllocates: Fill with ReuseRoom makes no new memory for an
// event's URLs (one allocation less per success: its ids remain), and
// without it each event's URLs are its own, left as they were by the next
// Fill.
func TestReuseRoomAllocates(t *testing.T) {
	g, err := New(Config{Seed: 1, Outcomes: Mix(0)})
	if err != nil {
		t.Fatal(err)
	}
	var plain, reused Event
	reused.ReuseRoom()
	i := uint64(0)
	for range 10 { // the room grows to the largest event's
		g.Fill(&reused, i)
		i++
	}
	allocs := func(e *Event) float64 {
		return testing.AllocsPerRun(200, func() {
			g.Fill(e, i)
			i++
		})
	}
	p, r := allocs(&plain), allocs(&reused)
	if r > p-0.9 {
		t.Errorf("Fill allocates %.2f times per event with ReuseRoom, %.2f without: want one less", r, p)
	}

	g.Fill(&plain, 1)
	vtt, sheet := plain.WebVTTURL, plain.SpriteURLs[0]
	want := strings.Clone(vtt) + " " + strings.Clone(sheet)
	g.Fill(&plain, 2)
	if got := vtt + " " + sheet; got != want {
		t.Errorf("without ReuseRoom, the next Fill changed an event's URLs: %q, want %q", got, want)
	}
}

// TestReuseRoomBounded: an Event that once held a many-sheet success (a
// 1x1 grid every second over two hours: 7,200 sheets) keeps at most
// keepRoom bytes of room and keepURLs slots of SpriteURLs once cleared,
// and the events after it still encode as fresh ones do.
func TestReuseRoomBounded(t *testing.T) {
	many := Template{Definition: 10001, Rows: 1, Columns: 1, Height: 180, Interval: time.Second, Format: "jpg"}
	g, err := New(Config{Seed: 1, Outcomes: []Outcome{
		{Weight: 1, Success: &Success{Template: many, MinDuration: 2 * time.Hour, MaxDuration: 2 * time.Hour}},
		{Weight: 3},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var e Event
	e.ReuseRoom()
	seen := 0
	for i := uint64(0); i < 40; i++ {
		g.Fill(&e, i)
		fresh := g.Event(i)
		if a, b := (Encoding{}).Marshal(&e), (Encoding{}).Marshal(&fresh); !bytes.Equal(a, b) {
			t.Fatalf("event %d differs from a fresh one", i)
		}
		if len(e.SpriteURLs) > keepURLs {
			seen++
		}
		e.Clear()
		if cap(e.room) > keepRoom || cap(e.SpriteURLs) > keepURLs {
			t.Fatalf("event %d: cleared, the Event keeps %d bytes of room and %d URL slots, want at most %d and %d",
				i, cap(e.room), cap(e.SpriteURLs), keepRoom, keepURLs)
		}
	}
	if seen == 0 {
		t.Fatal("no many-sheet event was made")
	}
}
