package pullevent_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vodsim/vodsim/generator"
	"github.com/vodsim/vodsim/sender/pullevent"
)

// A test suite starts the endpoint in-process on a free loopback port,
// fills its queue, lets the code under test poll it, and reads the stats.
func Example() {
	srv, err := pullevent.Listen("127.0.0.1:0", pullevent.Config{NoAuth: true})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	g, err := generator.New(generator.Config{Seed: 42})
	if err != nil {
		panic(err)
	}
	srv.Queue().AddFrom(g, 0, 20)

	// The code under test polls srv.URL(); here, one legacy PullEvent.
	resp, err := http.Get(srv.URL() + "/v2/index.php?Action=PullEvent")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(strings.Count(string(body), `"msgHandle"`), "events pulled")

	s := srv.Queue().Stats()
	fmt.Printf("available %d, in flight %d, confirmed %d\n", s.Available, s.InFlight, s.Confirmed)
	// Output:
	// 16 events pulled
	// available 4, in flight 16, confirmed 0
}
