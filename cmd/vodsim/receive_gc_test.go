package main

import "testing"

// TestReceiveMemoryLimit: the limit leaves a small receiver room for
// receiveGCPercent's heap and a full window room for GOGC 100's.
func TestReceiveMemoryLimit(t *testing.T) {
	for _, window := range []int{1, 1000, 1 << 20, 50 << 20} {
		live := int64(2<<20) + windowIDBytes*int64(window)
		limit := receiveMemoryLimit(window)
		if limit < 2*live {
			t.Errorf("window %d: limit %d MB under twice the live heap (%d MB)", window, limit>>20, live>>20)
		}
		if small := int64(4<<20) * (100 + receiveGCPercent) / 100; window < 1000 && limit < small {
			t.Errorf("window %d: limit %d MB under GOGC %d's smallest heap goal", window, limit>>20, receiveGCPercent)
		}
	}
}
