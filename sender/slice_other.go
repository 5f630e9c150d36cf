//go:build !linux

package sender

import "time"

// ShortSlice is the time slice ShortSlices asks for on Linux.
const ShortSlice = 100 * time.Microsecond

// ShortSlices does nothing here: only Linux (6.12 and later) lets a
// program ask for short time slices (see slice_linux.go).
func ShortSlices() error { return nil }
