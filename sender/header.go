package sender

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// ErrHeader is wrapped by CheckHeader's errors.
var ErrHeader = errors.New("bad header")

func headerErr(format string, a ...any) error {
	return &Error{Kind: ErrHeader, Reason: fmt.Sprintf(format, a...)}
}

// ownedHeaders are set by vodsim (or the transport) on every request.
var ownedHeaders = []string{"Content-Type", "Content-Length", "Host", "Transfer-Encoding", "Trailer"}

// CheckHeader says whether a request may carry the header name: value as
// one of Config.Headers: the name must be an HTTP token and the value hold
// no control character but tab (as net/http checks them), and the name
// must not be one of the headers vodsim sets itself: Content-Type,
// Content-Length, Host, Transfer-Encoding and Trailer. Its error wraps
// ErrHeader.
func CheckHeader(name, value string) error {
	if name == "" {
		return headerErr("empty name")
	}
	for i := 0; i < len(name); i++ {
		if !httpguts.IsTokenRune(rune(name[i])) {
			return headerErr("name %q: character %q at %d is not allowed in a header name", name, name[i], i+1)
		}
	}
	for _, o := range ownedHeaders {
		if strings.EqualFold(name, o) {
			return headerErr("%s is set by vodsim and cannot be given", o)
		}
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return headerErr("%s: control character %q at %d is not allowed in a header value", name, c, i+1)
		}
	}
	return nil
}
