//go:build unix

package sender

import (
	"net"
	"syscall"
	"unsafe"
)

// peeker looks at an idle connection without waiting. What it needs (the
// connection's RawConn, the function its Read runs, a byte to peek into)
// is made on its first use, so a check allocates nothing: at a rate where
// connections sit idle for more than idleCheckAfter, every attempt checks
// one.
type peeker struct {
	rc     syscall.RawConn
	fn     func(fd uintptr) bool
	closed bool
	b      [1]byte
}

// peerClosed says whether the receiver has closed idle connection c
// (or sent on it, which an HTTP/1.1 server does not do between
// answers): a peek that does not wait finds an end of stream, bytes or
// an error instead of nothing to read.
func (p *peeker) peerClosed(c net.Conn) bool {
	if p.fn == nil {
		sc, ok := c.(syscall.Conn)
		if !ok {
			return false
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			return true
		}
		p.rc = rc
		p.fn = func(fd uintptr) bool {
			_, _, errno := syscall.Syscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&p.b[0])), 1,
				syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
			// No error: an end of stream or a byte; no byte yet: EAGAIN.
			p.closed = errno != syscall.EAGAIN && errno != syscall.EWOULDBLOCK && errno != syscall.EINTR
			return true
		}
	}
	p.closed = false
	err := p.rc.Read(p.fn)
	return p.closed || err != nil
}
