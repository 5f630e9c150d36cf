package scenarios

import (
	"strings"
	"testing"
)

func TestOutcomeEventType(t *testing.T) {
	sc, err := Parse("t.yaml", []byte("format: v3\noutcomes:\n  - {weight: 3, eventType: ProcedureStateChanged, success: {}}\n"+
		"  - {weight: 1, eventType: procedurestatechanged, failure: {}}\n  - {weight: 1, eventType: RestoreMediaComplete, success: {}}\n"+
		"  - {weight: 1, eventType: CreateImageSpriteComplete, success: {}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range sc.Generator.Outcomes {
		got = append(got, o.EventType)
	}
	if want := "ProcedureStateChanged,ProcedureStateChanged,RestoreMediaComplete,"; strings.Join(got, ",") != want {
		t.Fatalf("event types %q, want %q", strings.Join(got, ","), want)
	}
	for _, tc := range []struct{ name, src, want string }{
		{"misspelt", "outcomes:\n  - {eventType: ProcedureStateChange, success: {}}\n",
			`2:17: outcomes[0].eventType: unknown event type "ProcedureStateChange" (did you mean "ProcedureStateChanged"?)`},
		{"not a string", "outcomes:\n  - {eventType: [a], success: {}}\n", "2:17: outcomes[0].eventType: want an event type name"},
		{"cannot fail", "outcomes:\n  - {eventType: FileDeleted, failure: {}}\n", "2:17: outcomes[0].eventType: FileDeleted has no failure"},
		{"sprite fields", "outcomes:\n  - {eventType: NewFileUpload, success: {videoDuration: 10s}}\n", "2:17: outcomes[0].eventType: template and videoDuration describe CreateImageSpriteComplete only"},
		{"3.0 only in v4", "outcomes:\n  - {eventType: RestoreMediaComplete, success: {}}\n", "2:17: event type RestoreMediaComplete: VOD sends it only in the 3.0 format; set format: v3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			probs := problemsOf(t, tc.src)
			if len(probs) == 0 || !strings.HasPrefix(probs[0], tc.want) {
				t.Fatalf("problems %q, want one starting %q", probs, tc.want)
			}
		})
	}
}
