package sender_test

import (
	"fmt"

	"github.com/vodsim/vodsim/sender"
)

// Shard 1 of 4 of a run of 10 events sends events 1, 5 and 9.
func ExampleParseShard() {
	sh, err := sender.ParseShard("1/4")
	if err != nil {
		panic(err)
	}
	fmt.Println(sh, sh.Count(10))
	_, err = sender.ParseShard("4/4")
	fmt.Println(err)
	// Output:
	// 1/4 3
	// shard 4/4: K must be 0 to 3 (shards count from 0)
}
