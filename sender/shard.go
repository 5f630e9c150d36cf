package sender

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxShards is the largest N of a Shard K/N.
const MaxShards = 100_000

// Shard selects one of Of interleaved parts of a run: the events whose
// index is congruent to Index modulo Of. Shard K of N sends the same
// events (same seed, same indices, the same fault decisions) that the
// unsharded run would, at the send times that run's schedule gives them,
// so each shard runs at 1/N of the rate of every phase and the N shards
// together deliver the unsharded run's events, each once. A Config's Count
// stays the whole run's count. The zero value (and 0/1) is the whole run.
// A Shard is a plain value.
type Shard struct {
	Index, Of int
}

// ParseShard reads "K/N", 0 <= K < N <= MaxShards.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("%q is not K/N (shard K of N, from 0, such as 0/4)", s)
	}
	ki, err1 := strconv.Atoi(strings.TrimSpace(k))
	ni, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%q is not K/N: K and N must be whole numbers (such as 0/4)", s)
	}
	sh := Shard{Index: ki, Of: ni}
	if ni == 0 {
		return Shard{}, fmt.Errorf("shard %s: N must be 1 to %d", s, MaxShards)
	}
	if err := sh.Validate(); err != nil {
		return Shard{}, err
	}
	return sh, nil
}

// Validate says what is wrong with s, or nil.
func (s Shard) Validate() error {
	switch {
	case s == Shard{}:
		return nil
	case s.Of < 1 || s.Of > MaxShards:
		return fmt.Errorf("shard %d/%d: N must be 1 to %d", s.Index, s.Of, MaxShards)
	case s.Index < 0 || s.Index >= s.Of:
		return fmt.Errorf("shard %d/%d: K must be 0 to %d (shards count from 0)", s.Index, s.Of, s.Of-1)
	}
	return nil
}

// Sharded reports whether s is a part of a run, not the whole.
func (s Shard) Sharded() bool { return s.Of > 1 }

// String gives "K/N", "" for the whole run.
func (s Shard) String() string {
	if !s.Sharded() {
		return ""
	}
	return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Of)
}

// first is the index of the shard's first event; step the distance
// between its events.
func (s Shard) first() uint64 {
	if !s.Sharded() {
		return 0
	}
	return uint64(s.Index)
}

func (s Shard) step() uint64 {
	if !s.Sharded() {
		return 1
	}
	return uint64(s.Of)
}

// Count is how many of the first n events of the whole run are the shard's.
func (s Shard) Count(n uint64) uint64 {
	f := s.first()
	if n <= f {
		return 0
	}
	return (n - f + s.step() - 1) / s.step()
}

// pos is the position in the shard of event idx (one of the shard's).
func (s Shard) pos(idx uint64) uint64 { return (idx - s.first()) / s.step() }

// index is the event index of the shard's position p.
func (s Shard) index(p uint64) uint64 { return s.first() + p*s.step() }

// appendShard adds `,"shard":"K/N"` to a journal line of a shard's run.
func (t *tally) appendShard(b []byte) []byte {
	if !t.r.shard.Sharded() {
		return b
	}
	b = append(b, `,"shard":"`...)
	b = append(b, t.r.shard.String()...)
	return append(b, '"')
}
