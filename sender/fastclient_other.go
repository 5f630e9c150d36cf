//go:build !unix

package sender

import "net"

// peeker cannot look at an idle connection without waiting here: a
// connection the receiver closed is found when it is used.
type peeker struct{}

func (*peeker) peerClosed(net.Conn) bool { return false }
