package generator

import "github.com/vodsim/vodsim/internal/mix"

// splitmix is a SplitMix64 generator: tiny, fast, and good enough for test
// data. It implements math/rand.Source64 so a gofakeit.Faker can draw from it.
// It is not safe for concurrent use; each event gets its own.
type splitmix struct{ state uint64 }

func (s *splitmix) Uint64() uint64 {
	s.state += 0x9e3779b97f4a7c15
	return mix.Mix64(s.state)
}

func (s *splitmix) Int63() int64 { return int64(s.Uint64() >> 1) }

func (s *splitmix) Seed(seed int64) { s.state = uint64(seed) }

// Stream salts keep the draws for different purposes independent.
const (
	saltEvent   = 0x6576656e74000001
	saltAccount = 0x6163636f756e7402
	saltTask    = 0x7461736b00000003
	saltFile    = 0x66696c6500000004
)

func eventKey(seed int64, salt uint64, i uint64) uint64 {
	return mix.Mix64(mix.Mix64(uint64(seed)^salt) + i*0x9e3779b97f4a7c15)
}
