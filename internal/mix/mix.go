package mix

// Golden is the golden-ratio increment that SplitMix64 steps its state by.
const Golden = 0x9e3779b97f4a7c15

// Mix64 is the SplitMix64 finaliser: a bijection on uint64 that scatters
// nearby inputs far apart.
func Mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
