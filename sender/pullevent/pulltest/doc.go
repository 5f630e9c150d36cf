// Package pulltest runs vodsim's fake PullEvent endpoint inside a Go test,
// in the style of net/http/httptest: NewServer starts it on a free port of
// 127.0.0.1 and stops it when the test ends, and the signing helpers build
// requests by hand for tests that do not go through Tencent's SDK.
package pulltest
