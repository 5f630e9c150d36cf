package generator_test

import (
	"bytes"
	"fmt"

	"github.com/vodsim/vodsim/generator"
)

// One success and one failure with a chosen code, as a callback body in
// either format: what a receiver's unit test posts to its handler.
func ExampleSuccessPayload() {
	fmt.Println(string(generator.SuccessPayload(7, generator.FormatV4)))
	fmt.Println(string(generator.FailurePayload(7, -43001, generator.FormatV4)))
	v3 := generator.FailurePayload(7, -43001, generator.FormatV3)
	fmt.Println(string(v3[:40]), bytes.Contains(v3, []byte(`"ErrCode":-43001`)))
	// Output:
	// {"version":"4.0","eventType":"CreateImageSpriteComplete","data":{"status":0,"message":"","vodTaskId":"CreateImageSprite-753829c8cbcbdaa20ea3d89fcaea1334","fileId":"2104105458712455545","definition":10,"totalCount":17,"imageSpriteUrl":["http://1277360522.vod2.myqcloud.com/fbdd99b4vodtranssh1277360522/1a63eed02104105458712455545/imageSprite/1767225600_603459160_00001.jpg"]}}
	// {"version":"4.0","eventType":"CreateImageSpriteComplete","data":{"status":-43001,"message":"decode failed: the file may be corrupted","vodTaskId":"CreateImageSprite-753829c8cbcbdaa20ea3d89fcaea1334","fileId":"2104105458712455545"}}
	// {"EventType":"CreateImageSpriteComplete" true
}

// The events behind the payloads, for a test that fills a pull queue or
// compares what its handler stored.
func ExampleFailureEvent() {
	e := generator.FailureEvent(7, -47104)
	fmt.Println(e.Success(), e.Status, e.TaskID[:18])
	s := generator.SuccessEvent(7)
	fmt.Println(s.Success(), s.Template.Definition, len(s.SpriteURLs) > 0)
	// Output:
	// false -47104 CreateImageSprite-
	// true 10 true
}
