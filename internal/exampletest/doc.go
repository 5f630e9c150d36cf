// Package exampletest gives vodsim's Example functions the testing.TB that
// a test function gets from go test, so that the examples of helpers taking
// one (pulltest.NewServer, sendtest.NewReceiver, ...) read as the test
// code they stand for.
package exampletest
