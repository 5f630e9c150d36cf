package mix

import "testing"

// TestMix64: SplitMix64's published first outputs for seed 0 (state
// stepped by Golden, then finalised), which every seeded value rests on.
func TestMix64(t *testing.T) {
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	var s uint64
	for i, w := range want {
		s += Golden
		if got := Mix64(s); got != w {
			t.Errorf("output %d = %#x, want %#x", i, got, w)
		}
	}
}
