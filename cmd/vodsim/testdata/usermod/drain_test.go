// A user's test, in a module of its own: it starts vodsim's fake pull
// endpoint with pulltest, injects `vodsim gen` output through the admin
// API, and drains the queue with Tencent's Go SDK common client, as a
// service's poller would. The file of events is named by VODSIM_EVENTS.
package usermod

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/vodsim/vodsim/sender/pullevent"
	"github.com/vodsim/vodsim/sender/pullevent/pulltest"
)

func TestDrainWithSDK(t *testing.T) {
	path := os.Getenv("VODSIM_EVENTS")
	if path == "" {
		t.Skip("VODSIM_EVENTS names no file of `vodsim gen` output")
	}
	ndjson, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []string // task ids, in order
	sc := bufio.NewScanner(bytes.NewReader(ndjson))
	for sc.Scan() {
		var ev struct {
			Data struct{ VodTaskID string } `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Data.VodTaskID == "" {
			t.Fatalf("%s: line %d is not a 4.0 event: %v", path, len(want)+1, err)
		}
		want = append(want, ev.Data.VodTaskID)
	}

	start := time.Now()
	srv := pulltest.NewServer(t, pullevent.Config{})
	resp, err := http.Post(srv.URL()+"/_vodsim/events", "application/x-ndjson", bytes.NewReader(ndjson))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("inject: %s", resp.Status)
	}

	cp := profile.NewClientProfile()
	cp.HttpProfile.Endpoint = srv.Addr()
	cp.HttpProfile.Scheme = "HTTP"
	c := common.NewCommonClient(common.NewCredential(pullevent.DefaultSecretID, pullevent.DefaultSecretKey), "ap-guangzhou", cp)

	var got []string
	for pulls := 0; ; pulls++ {
		if pulls > len(want)+1 {
			t.Fatalf("%d pulls and the queue is not empty", pulls)
		}
		pull := tchttp.NewCommonResponse()
		if err := c.Send(tchttp.NewCommonRequest("vod", "2018-07-17", "PullEvents"), pull); err != nil {
			t.Fatal(err)
		}
		var pr struct {
			Response struct {
				EventSet []struct {
					EventHandle string
					Event       struct{ TaskId string } `json:"CreateImageSpriteCompleteEvent"`
				}
			}
		}
		if err := json.Unmarshal(pull.GetBody(), &pr); err != nil {
			t.Fatal(err)
		}
		if len(pr.Response.EventSet) == 0 {
			break
		}
		var handles []string
		for _, e := range pr.Response.EventSet {
			got = append(got, e.Event.TaskId)
			handles = append(handles, e.EventHandle)
		}
		confirm := tchttp.NewCommonRequest("vod", "2018-07-17", "ConfirmEvents")
		if err := confirm.SetActionParameters(map[string]any{"EventHandles": handles}); err != nil {
			t.Fatal(err)
		}
		if err := c.Send(confirm, tchttp.NewCommonResponse()); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("drained %d events in %v", len(got), time.Since(start))

	if len(got) != len(want) {
		t.Fatalf("drained %d events, injected %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d: task id %s, injected %s (FIFO order)", i, got[i], want[i])
		}
	}
	if st := srv.Queue().Stats(); st.Confirmed != uint64(len(want)) || st.Available != 0 || st.InFlight != 0 {
		t.Errorf("stats %+v: want all %d confirmed, none left", st, len(want))
	}
}
