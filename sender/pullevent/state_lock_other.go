//go:build !unix

package pullevent

import "os"

// lockFile does nothing where flock is missing: two servers must not be
// given one state file there.
func lockFile(*os.File) error { return nil }
