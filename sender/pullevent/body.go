package pullevent

import (
	"io"
	"net/http"
	"sync"

	"github.com/google/uuid"
)

// newRequestID returns a fresh RequestId: a random (version 4) UUID, as
// the real API's.
func newRequestID() string { return uuid.NewString() }

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// Bodies larger than smallBody are read by at most maxLargeBodies
// requests at once, so that the memory held by bodies being read stays
// bounded (about maxLargeBodies times the body limit) however many arrive.
const (
	smallBody      = 64 << 10
	maxLargeBodies = 8
)

// readBody reads r's body, at most limit bytes.
func (s *Server) readBody(r *http.Request, w http.ResponseWriter, limit int64) ([]byte, error) {
	return s.readBodyInto(nil, r, w, limit)
}

// bodyPool holds API 3.0 request body buffers; a buffer that grew past
// maxPooledBody is left to the garbage collector.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledBody = 64 << 10

// readBodyInto appends r's body, at most limit bytes, to dst. A body
// declared larger than limit is refused unread; a large one waits for
// one of maxLargeBodies slots.
func (s *Server) readBodyInto(dst []byte, r *http.Request, w http.ResponseWriter, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return dst, nil
	}
	if r.ContentLength > limit {
		return dst, &http.MaxBytesError{Limit: limit}
	}
	if r.ContentLength < 0 || r.ContentLength > smallBody {
		select {
		case s.bodies <- struct{}{}:
			defer func() { <-s.bodies }()
		case <-r.Context().Done():
			return dst, r.Context().Err()
		}
	}
	if n := int(r.ContentLength); n > 0 && cap(dst)-len(dst) < n+1 {
		dst = append(make([]byte, 0, len(dst)+n+1), dst...)
	}
	rd := http.MaxBytesReader(w, r.Body, limit)
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := rd.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}
