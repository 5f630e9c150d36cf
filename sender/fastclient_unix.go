//go:build unix

package sender

import (
	"net"
	"syscall"
)

// peerClosed says whether the receiver has closed an idle connection
// (or sent on it, which an HTTP/1.1 server does not do between
// answers): a peek that does not wait finds an end of stream, bytes or
// an error instead of nothing to read.
func peerClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	closed := false
	err = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n > 0 || err == nil || err != syscall.EAGAIN && err != syscall.EWOULDBLOCK && err != syscall.EINTR
		return true
	})
	return closed || err != nil
}
