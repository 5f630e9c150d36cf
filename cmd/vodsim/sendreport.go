package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vodsim/vodsim/sender"
	"github.com/vodsim/vodsim/sender/receiver"
)

// sendReport is what vodsim send reports: the push report and, when the
// run went to the embedded receiver, what that receiver saw. Its JSON is
// the push report's with the receiver's stats under "receiver".
type sendReport struct {
	*sender.Report
	// Receiver is nil when the run went to a --target.
	Receiver *receiver.Stats `json:"receiver,omitempty"`
}

// breachError is the error of a judged run, send's or report's: nil when
// no threshold was breached, else errShortfall (exit 1) naming each breach.
func breachError(breaches []sender.Breach) error {
	if len(breaches) == 0 {
		return nil
	}
	msgs := make([]string, len(breaches))
	for i, b := range breaches {
		msgs[i] = b.String()
	}
	return fmt.Errorf("%w: %s", errShortfall, strings.Join(msgs, "; "))
}

// breaches are what the receiver's stats add to the report's checks: a
// malformed payload that no fault explains.
func (r *sendReport) breaches() []sender.Breach {
	if s := r.Receiver; s != nil && !s.AllWellFormed() && r.Malformed == 0 {
		return []sender.Breach{{Name: "well-formed", Message: "the embedded receiver got malformed payloads: " + s.FirstError}}
	}
	return nil
}

// WriteText writes the push report for people, with a line for the
// receiver's stats after the timing lines.
func (r *sendReport) WriteText(w io.Writer) error {
	var more []sender.TextLine
	if s := r.Receiver; s != nil {
		var b strings.Builder
		fmt.Fprintf(&b, "%s, %s, %d duplicates, %d malformed",
			plural(s.Requests, "payload"), plural(s.Distinct, "distinct event"), s.Duplicates, s.Malformed)
		if s.Signed > 0 || s.BadSignature > 0 {
			// Bad signatures count unsigned 3.0 payloads too (as receive says).
			fmt.Fprintf(&b, ", %d signed, %d bad signatures (wrong, expired or missing)", s.Signed, s.BadSignature)
		}
		switch {
		case s.Malformed == 0:
			b.WriteString(": every payload well-formed")
		case r.Malformed > 0:
			fmt.Fprintf(&b, ": malformed payloads expected, %d events were sent malformed on purpose (first: %s)", r.Malformed, s.FirstError)
		default:
			fmt.Fprintf(&b, ": NOT every payload well-formed (first: %s)", s.FirstError)
		}
		more = append(more, sender.TextLine{Label: "receiver", Text: b.String()})
	}
	return r.Report.WriteText(w, more...)
}

// WriteJSON writes the report as indented JSON, as sender.Report does.
func (r *sendReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// plural gives "1 event", "2 events".
func plural(n uint64, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatUint(n, 10) + " " + one + "s"
}

// mergeReports merges reports as sender.Merge does, and their receivers'
// stats, summed.
func mergeReports(reps []*sendReport) (*sendReport, error) {
	base := make([]*sender.Report, len(reps))
	for i, r := range reps {
		base[i] = r.Report
	}
	merged, err := sender.Merge(base)
	if err != nil {
		return nil, err
	}
	out := &sendReport{Report: merged}
	for _, r := range reps {
		if r.Receiver != nil {
			if out.Receiver == nil {
				out.Receiver = &receiver.Stats{}
			}
			out.Receiver.Add(*r.Receiver)
		}
	}
	return out, nil
}
