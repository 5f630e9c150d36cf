package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/receiver"
)

// TestSendReportComposes: the receiver's stats join the push report as a
// text line after the timing lines and under "receiver" in the JSON.
func TestSendReportComposes(t *testing.T) {
	r := &sendReport{Report: &sender.Report{Events: 2, Acknowledged: 2},
		Receiver: &receiver.Stats{Requests: 2, Distinct: 2, WellFormed: 2}}
	var text, js bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	line := "\n  receiver      2 payloads, 2 distinct events, 0 duplicates, 0 malformed: every payload well-formed\n"
	if i, j := strings.Index(text.String(), line), strings.Index(text.String(), "  conn wait"); i < 0 || i < j {
		t.Errorf("text report lacks %q after the timing lines:\n%s", line, text.String())
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(js.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["events"]; !ok {
		t.Errorf("JSON lacks the push report's fields: %s", js.String())
	}
	var back sendReport
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Receiver == nil || back.Receiver.Distinct != 2 || back.Events != 2 {
		t.Errorf("JSON round trip: %v, %+v", err, back)
	}
	if r.breaches() != nil {
		t.Errorf("well-formed stats breach: %v", r.breaches())
	}
	r.Receiver.Malformed, r.Receiver.FirstError = 1, "bad"
	if b := r.breaches(); len(b) != 1 || b[0].Name != "well-formed" {
		t.Errorf("a malformed payload no fault explains: breaches %v", b)
	}
}
