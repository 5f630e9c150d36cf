package generator

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestProcedureStateChangedV4 follows the archived 4.0 document of the
// event: data is {vodTaskId, status, message, errCode, fileId, metaData,
// processTaskList}, each task {taskType, status, errCode, message, input,
// output} with output only on SUCCESS, and the 4.0 event tells of the same
// subtasks, in the same states, as the 3.0 one of the same event (but for
// the kinds the 4.0 document has no shape for).
func TestProcedureStateChangedV4(t *testing.T) {
	k, _ := LookupKind("ProcedureStateChanged")
	documented := map[string]bool{"Transcode": true, "SnapshotByTimeOffset": true, "SampleSnapshot": true, "ImageSprites": true, "CoverBySnapshot": true}
	outputKeys := map[string]string{
		"Transcode":            "[audioStreamList bitrate container duration height md5 size url videoStreamList width]",
		"SnapshotByTimeOffset": "[imgInfo]",
		"SampleSnapshot":       "[imageUrls]",
		"ImageSprites":         "[totalCount urlList webVttUrl]",
		"CoverBySnapshot":      "[imageUrl]",
	}
	for _, cfg := range []Config{
		{Seed: 1, Outcomes: TypeMix([]*Kind{k}, 0.3)},
		{Seed: 2, Outcomes: TypeMix([]*Kind{k}, 1)},
	} {
		g, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for i := uint64(0); i < 100; i++ {
			e := g.Event(i)
			var v4 struct {
				Data struct {
					VodTaskID, Status, Message string
					ErrCode                    *int
					FileID                     string
					MetaData                   map[string]any
					ProcessTaskList            []map[string]json.RawMessage
				}
			}
			var v3 struct {
				ProcedureStateChangeEvent struct {
					Status                string
					MediaProcessResultSet []map[string]json.RawMessage
				}
			}
			b4 := Encoding{Format: FormatV4}.Marshal(&e)
			if err := unmarshalData4(b4, &v4); err != nil {
				t.Fatalf("event %d: %v\n%s", i, err, b4)
			}
			if err := json.Unmarshal(Encoding{Format: FormatV3}.Marshal(&e), &v3); err != nil {
				t.Fatal(err)
			}
			d := v4.Data
			if d.VodTaskID != e.TaskID || d.FileID != e.FileID || d.ErrCode == nil || *d.ErrCode != e.Status || d.MetaData == nil ||
				d.Status != v3.ProcedureStateChangeEvent.Status {
				t.Fatalf("event %d: data %+v does not match the event %+v", i, d, e)
			}
			var want, got []string
			for _, el := range v3.ProcedureStateChangeEvent.MediaProcessResultSet {
				var typ string
				json.Unmarshal(el["Type"], &typ)
				var task struct{ Status string }
				for key, raw := range el {
					if key != "Type" && string(raw) != "null" {
						json.Unmarshal(raw, &task)
					}
				}
				if !documented[typ] {
					// Its failure or PROCESSING shows on the kind before it.
					if task.Status != "SUCCESS" {
						last := &want[len(want)-1]
						*last = (*last)[:strings.IndexByte(*last, ' ')+1] + task.Status
					}
					continue
				}
				want = append(want, typ+" "+task.Status)
			}
			for _, el := range d.ProcessTaskList {
				var typ, status string
				json.Unmarshal(el["taskType"], &typ)
				json.Unmarshal(el["status"], &status)
				got = append(got, typ+" "+status)
				seen[status]++
				keys := fmt.Sprint(sortedKeys(el))
				wantKeys := "[errCode input message status taskType]"
				if status == "SUCCESS" {
					wantKeys = "[errCode input message output status taskType]"
					var out map[string]json.RawMessage
					json.Unmarshal(el["output"], &out)
					if ok := fmt.Sprint(sortedKeys(out)); ok != outputKeys[typ] {
						t.Fatalf("event %d: %s output keys %s, want %s", i, typ, ok, outputKeys[typ])
					}
				}
				if keys != wantKeys {
					t.Fatalf("event %d: %s %s task keys %s, want %s", i, typ, status, keys, wantKeys)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("event %d: 4.0 tasks %v, 3.0 subtasks %v", i, got, want)
			}
		}
		if seen["SUCCESS"] == 0 || seen["FAIL"] == 0 {
			t.Errorf("seed %d: task states %v, want SUCCESS and FAIL among them", cfg.Seed, seen)
		}
		if cfg.Seed == 1 && seen["PROCESSING"] == 0 {
			t.Errorf("seed %d: no PROCESSING task in 300 events (%v)", cfg.Seed, seen)
		}
	}
}

func unmarshalData4(b []byte, v any) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return err
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(probe["data"], &data); err != nil {
		return err
	}
	if got, want := fmt.Sprint(sortedKeys(data)), "[errCode fileId message metaData processTaskList status vodTaskId]"; got != want {
		return fmt.Errorf("data keys %s, want %s", got, want)
	}
	return json.Unmarshal(b, v)
}

func sortedKeys(m map[string]json.RawMessage) []string {
	return slices.Sorted(maps.Keys(m))
}
