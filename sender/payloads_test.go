package sender

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/vodsim/vodsim/generator"
)

// bodies records every body POSTed to it, in arrival order.
type bodies struct {
	mu  sync.Mutex
	got [][]byte
}

func (b *bodies) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	b.got = append(b.got, body)
	b.mu.Unlock()
	w.Write([]byte("{}"))
}

// Payloads are sent byte for byte, key order, spacing and unknown fields
// kept, and the report reads the task ids of those that decode.
func TestPayloadsSentVerbatim(t *testing.T) {
	rec := &bodies{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	g, _ := generator.New(generator.Config{Seed: 3})
	e := g.Event(0)
	sprite := generator.Encoding{}.Marshal(&e)
	payloads := [][]byte{
		sprite,
		[]byte(`{"data": {"vodTaskId": "x", "status": 0}, "eventType": "Custom", "version": "4.0"}`),
		[]byte(`[1, 2, 3]`),
	}
	rep := send(t, Config{Target: srv.URL, Payloads: payloads, MaxInFlight: 1})
	if rep.Events != 3 || rep.Acknowledged != 3 {
		t.Fatalf("events %d acknowledged %d, want 3 and 3", rep.Events, rep.Acknowledged)
	}
	if len(rec.got) != 3 {
		t.Fatalf("receiver got %d bodies, want 3", len(rec.got))
	}
	for i, want := range payloads {
		if !bytes.Equal(rec.got[i], want) {
			t.Errorf("body %d: got %s, want %s as given", i, rec.got[i], want)
		}
	}
	// The sprite is a success; the two others are no VOD events (an
	// unknown type, not an object): neither success nor failure.
	if p := rep.Payloads; p.Success != 1 || p.Failure != 0 || p.NotVOD != 2 {
		t.Errorf("payload mix %+v, want 1 success and 2 not VOD events", p)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if want := "payloads      1 success, 0 failure, 2 not a VOD event\n"; !bytes.Contains(text.Bytes(), []byte(want)) {
		t.Errorf("text report lacks %q:\n%s", want, text.String())
	}
	// Shards' reports merge their mixes.
	var shards []*Report
	for k := range 2 {
		shards = append(shards, send(t, Config{Target: srv.URL, Payloads: payloads, MaxInFlight: 1, Shard: Shard{Index: k, Of: 2}}))
	}
	if m, err := Merge(shards); err != nil || m.Payloads.NotVOD != 2 || m.Payloads.Success != 1 {
		t.Errorf("merged payload mix %+v (%v), want 1 success and 2 not VOD events", m.Payloads, err)
	}
	if _, err := Run(t.Context(), Config{Target: srv.URL, Payloads: payloads, Count: 4}); Reason(err) == "" {
		t.Errorf("a count above the payloads given: err %v, want a config error", err)
	}
}

// A malformed body of any catalog type loses its own member (every field
// in it is optional in the SDKs' models) or gets an unknown field in it,
// not only a sprite's (TestMalformedEveryType: the receiver rejects each).
func TestMalformCatalogMember(t *testing.T) {
	g, _ := generator.New(generator.Config{Seed: 3, Outcomes: []generator.Outcome{{Weight: 1, EventType: "ProcedureStateChanged"}}})
	e := g.Event(0)
	enc := generator.Encoding{Format: generator.FormatV3}
	body := enc.Marshal(&e)
	for _, m := range []Malformation{MalformMissingField, MalformUnknownField} {
		out := malform(append([]byte(nil), body...), m, enc, 1)
		var env map[string]json.RawMessage
		if err := json.Unmarshal(out, &env); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		var member map[string]any
		raw, hasMember := env["ProcedureStateChangeEvent"]
		json.Unmarshal(raw, &member)
		_, hasUnknown := member["unexpectedField"]
		if m == MalformMissingField && hasMember || m == MalformUnknownField && !hasUnknown {
			t.Errorf("%s left the member as it was: %s", m, out)
		}
	}
}
