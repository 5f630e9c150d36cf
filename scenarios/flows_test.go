package scenarios

import (
	"strings"
	"testing"
	"time"
)

func TestFlows(t *testing.T) {
	sc, err := Parse("t.yaml", []byte(`format: v3
flows:
  - weight: 3
    steps:
      - NewFileUpload
      - {eventType: ProcedureStateChanged, after: 30s..5m, changes: 2, failure: 5%}
      - {eventType: FileDeleted, after: 1h}
  - steps: [PullComplete]
`))
	if err != nil {
		t.Fatal(err)
	}
	f := sc.Generator.Flows
	if len(f) != 2 || f[0].Weight != 3 || f[1].Weight != 1 || len(f[0].Steps) != 3 || f[1].Steps[0].EventType != "PullComplete" {
		t.Fatalf("flows %+v", f)
	}
	st := f[0].Steps[1]
	if st.EventType != "ProcedureStateChanged" || st.MinGap != 30*time.Second || st.MaxGap != 5*time.Minute || st.Changes != 2 || st.FailureRatio != 0.05 {
		t.Fatalf("step %+v", st)
	}
	if d := f[0].Steps[2]; d.MinGap != time.Hour || d.MaxGap != time.Hour {
		t.Fatalf("step %+v", d)
	}
	if _, err := sc.Source(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, src, want string }{
		{"with outcomes", "outcomes: [{success: {}}]\nflows: [{steps: [NewFileUpload]}]\n", "2:1: flows: a scenario gives either flows or outcomes, not both"},
		{"misspelt type", "flows:\n  - steps: [NewFileUplaod]\n", `2:13: flows[0].steps[0].eventType: unknown event type "NewFileUplaod" (did you mean "NewFileUpload"?)`},
		{"sprite", "flows:\n  - steps: [CreateImageSpriteComplete]\n", "2:13: flows[0].steps[0].eventType: CreateImageSpriteComplete is not made in flows"},
		{"no steps", "flows:\n  - weight: 1\n", "2:5: flows[0]: missing steps"},
		{"changes elsewhere", "flows:\n  - steps: [{eventType: NewFileUpload, changes: 2}]\n", "2:25: flows[0].steps[0]: changes apply to ProcedureStateChanged only"},
		{"cannot fail", "flows:\n  - steps: [{eventType: FileDeleted, failure: 5%}]\n", "2:25: flows[0].steps[0].eventType: FileDeleted has no failure"},
		{"3.0 only in v4", "flows:\n  - steps: [RestoreMediaComplete]\n", "2:13: event type RestoreMediaComplete: VOD sends it only in the 3.0 format"},
		{"bad gap", "flows:\n  - steps: [{eventType: NewFileUpload, after: 5m..1m}]\n", "2:47: flows[0].steps[0].after: range 5m..1m is backwards"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			probs := problemsOf(t, tc.src)
			if len(probs) == 0 || !strings.HasPrefix(probs[0], tc.want) {
				t.Fatalf("problems %q, want one starting %q", probs, tc.want)
			}
		})
	}
}
