// Package sendtest starts the two ends of a push delivery in one line of a
// Go test, in the style of net/http/httptest: a checking receiver on a free
// port of 127.0.0.1, and a send against the test's own handler. Each stops
// by itself when the test ends.
package sendtest
