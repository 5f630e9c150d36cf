package pulltest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/internal/exampletest"
	"github.com/vodsim/vodsim/sender/pullevent"
	"github.com/vodsim/vodsim/sender/pullevent/pulltest"
)

// A test starts the endpoint, queues events and polls it; an empty pull
// answers at once. (In a test function, t is the test's *testing.T.)
func ExampleNewServer() {
	t := exampletest.New()
	defer t.Done()

	srv := pulltest.NewServer(t, pullevent.Config{})
	srv.Queue().Add(generator.SuccessEvent(1), generator.FailureEvent(2, -43001))

	var pulled []string
	for {
		var out struct {
			Response struct {
				EventSet []struct {
					EventHandle string
					Event       struct{ TaskId string } `json:"CreateImageSpriteCompleteEvent"`
				}
			}
		}
		do(t, pulltest.NewRequest(srv, "PullEvents", ""), &out)
		if len(out.Response.EventSet) == 0 {
			break
		}
		handles := []string{}
		for _, e := range out.Response.EventSet {
			pulled = append(pulled, e.Event.TaskId[:22])
			handles = append(handles, e.EventHandle)
		}
		body, _ := json.Marshal(map[string]any{"EventHandles": handles})
		do(t, pulltest.NewRequest(srv, "ConfirmEvents", string(body)), nil)
	}
	st := srv.Queue().Stats()
	fmt.Println(pulled, st.Confirmed, st.Available)
	// Output: [CreateImageSprite-5bb2 CreateImageSprite-66fe] 2 0
}

// The legacy API, signed by hand.
func ExampleNewLegacyRequest() {
	t := exampletest.New()
	defer t.Done()

	srv := pulltest.NewServer(t, pullevent.Config{})
	srv.Queue().Add(generator.SuccessEvent(1))
	var out struct {
		Code      int
		EventList []struct{ MsgHandle string }
	}
	do(t, pulltest.NewLegacyRequest(srv, map[string]string{"Action": "PullEvent"}), &out)
	fmt.Println(out.Code, len(out.EventList))
	// Output: 0 1
}

// do sends r and decodes the answer into out (nil: checks it is an answer).
func do(t *exampletest.T, r *http.Request, out any) {
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out == nil {
		out = new(any)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

// Sign signs a request again after a change: here with a key the server
// does not hold, to test the code under test's handling of a refusal.
func ExampleSign() {
	t := exampletest.New()
	defer t.Done()

	srv := pulltest.NewServer(t, pullevent.Config{})
	r := pulltest.NewRequest(srv, "DescribeEventsState", "")
	pulltest.Sign(r, []byte("{}"), pullevent.DefaultSecretID, "not-the-key", srv.Config().Clock.Now())
	var out struct {
		Response struct{ Error struct{ Code string } }
	}
	do(t, r, &out)
	fmt.Println(out.Response.Error.Code)
	// Output: AuthFailure.SignatureFailure
}
