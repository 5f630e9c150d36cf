// Package sender delivers events to a callback receiver over HTTP as
// Tencent Cloud VOD does: one POST per event, at a rate, with VOD's retry
// behaviour, optional faults on the wire, and an exact report of what
// happened to every event.
//
// Run sends a Config and returns its Report; the rate comes from package
// pace, the events from package generator. The other end of the wire is
// not sender's business: package receiver checks what arrives, and
// package sendtest runs a send against a handler inside a Go test. Bad
// input is an *Error whose Kind is ErrConfig, ErrTarget, ErrHeader,
// ErrJournal or ErrMerge.
package sender
