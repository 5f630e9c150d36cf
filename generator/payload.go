package generator

import "fmt"

// SuccessEvent returns one successful event of seed: event 0 of a
// Generator whose only outcome is a default Success (the preset template
// 10, a video of 30 s to 2 h). The same seed gives the same event.
func SuccessEvent(seed int64) Event {
	return oneEvent(seed, Outcome{Weight: 1, Success: &Success{}})
}

// FailureEvent returns one failed event of seed with status code: event 0
// of a Generator whose only outcome is a Failure with that code. Its
// message is "" or the code's documented description, as the seed draws.
// A code outside ErrorCodes is allowed; FailureEvent panics if code is 0,
// the status of a success.
func FailureEvent(seed int64, code int) Event {
	if code == 0 {
		panic("generator: FailureEvent: code 0 is the status of a success")
	}
	return oneEvent(seed, Outcome{Weight: 1, Failure: &Failure{Codes: []int{code}}})
}

// SuccessPayload is SuccessEvent(seed) encoded in format ("" means
// DefaultFormat): a callback body, or a line to inject into a pull queue.
// It panics if format is not "", FormatV4 or FormatV3 (ParseFormat reads
// the other spellings).
func SuccessPayload(seed int64, format Format) []byte {
	checkPayloadFormat("SuccessPayload", format)
	e := SuccessEvent(seed)
	return Encoding{Format: format}.Marshal(&e)
}

// FailurePayload is FailureEvent(seed, code) encoded in format ("" means
// DefaultFormat). It panics if code is 0 or format is not "", FormatV4
// or FormatV3.
func FailurePayload(seed int64, code int, format Format) []byte {
	checkPayloadFormat("FailurePayload", format)
	e := FailureEvent(seed, code)
	return Encoding{Format: format}.Marshal(&e)
}

// checkPayloadFormat panics on a format the one-call helpers would
// otherwise encode as 4.0 without a word (Encoding writes 4.0 for any
// Format but FormatV3), so that a test asking for "3.0" does not post a
// 4.0 body and pass.
func checkPayloadFormat(fn string, format Format) {
	switch format {
	case "", FormatV4, FormatV3:
		return
	}
	panic(fmt.Sprintf("generator: %s: unknown format %q: want FormatV4 or FormatV3 (ParseFormat reads %q)", fn, format, format))
}

func oneEvent(seed int64, o Outcome) Event {
	g, err := New(Config{Seed: seed, Outcomes: []Outcome{o}})
	if err != nil {
		panic(fmt.Sprintf("generator: one event of seed %d: %v", seed, err))
	}
	return g.Event(0)
}
