// Package connlimit caps the connections an http.Server holds open, for
// the servers vodsim runs: the pull endpoint and the checking receiver.
package connlimit
