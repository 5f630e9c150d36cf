package exampletest

import (
	"context"
	"fmt"
	"testing"
)

// T is a testing.TB for an Example. It supports what vodsim's helpers call:
// Helper, Cleanup, Context, Fatal, Fatalf, Errorf, Error, Log and Logf;
// a failure panics, as an Example has no test to fail. Other methods of
// testing.TB panic. Call Done when the example ends to run the cleanups.
// A T is not safe for concurrent use.
type T struct {
	testing.TB // nil: only the methods below are implemented
	cleanups   []func()
	ctx        context.Context
	cancel     context.CancelFunc
}

// New returns a T; defer its Done.
func New() *T {
	ctx, cancel := context.WithCancel(context.Background())
	return &T{ctx: ctx, cancel: cancel}
}

// Done cancels the Context and runs the cleanups, last registered first.
func (t *T) Done() {
	t.cancel()
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	t.cleanups = nil
}

func (t *T) Helper()                           {}
func (t *T) Name() string                      { return "Example" }
func (t *T) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *T) Context() context.Context          { return t.ctx }
func (t *T) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }
func (t *T) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *T) Error(args ...any)                 { panic(fmt.Sprint(args...)) }
func (t *T) Errorf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *T) Log(args ...any)                   {}
func (t *T) Logf(format string, args ...any)   {}
func (t *T) Failed() bool                      { return false }
