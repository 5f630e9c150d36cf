package pullevent

import (
	"crypto/sha256"
	"sync"
	"time"
)

// maxReplayKeys bounds the requests remembered to tell replays: about
// 64 bytes each. Past it the oldest is forgotten first.
const maxReplayKeys = 1 << 18

// replays remembers the signed requests seen within the timestamp window
// (maxClockSkew either way), to refuse one seen before. Safe for
// concurrent use; the zero value is ready.
type replays struct {
	mu    sync.Mutex
	seen  map[[sha256.Size]byte]struct{}
	order []replayKey // first seen order; expiries ascend
	head  int
}

type replayKey struct {
	key    [sha256.Size]byte
	expiry int64 // Unix seconds
}

// seenBefore records the request identified by parts, signed with
// timestamp ts, and reports whether it was recorded before. A request is
// forgotten once its timestamp is out of the window, when it could not be
// accepted again anyway.
func (r *replays) seenBefore(now time.Time, ts int64, parts ...string) bool {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = make(map[[sha256.Size]byte]struct{})
	}
	n := now.Unix()
	for r.head < len(r.order) && (r.order[r.head].expiry < n || len(r.seen) >= maxReplayKeys) {
		delete(r.seen, r.order[r.head].key)
		r.order[r.head] = replayKey{}
		r.head++
	}
	if r.head > 1024 && r.head*2 > len(r.order) {
		m := copy(r.order, r.order[r.head:])
		r.order, r.head = r.order[:m], 0
	}
	if _, ok := r.seen[k]; ok {
		return true
	}
	r.seen[k] = struct{}{}
	// Accepted until ts+maxClockSkew; kept as long in case the clock
	// was behind.
	exp := max(ts, n) + int64(maxClockSkew/time.Second)
	if len(r.order) > r.head && exp < r.order[len(r.order)-1].expiry {
		exp = r.order[len(r.order)-1].expiry // keep expiries ascending
	}
	r.order = append(r.order, replayKey{key: k, expiry: exp})
	return false
}
