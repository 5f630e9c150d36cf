// Package receiver is vodsim's checking callback receiver: the other end
// of the wire from package sender, as vodsim receive and vodsim send's
// embedded default serve it. A Receiver is an http.Handler that answers
// like a well-behaved app backend and checks every payload strictly
// (decoding, 3.0 signatures), counting distinct events and duplicates.
// CheckPayload is the same check for one body.
package receiver
