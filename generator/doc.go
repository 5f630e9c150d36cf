// Package generator builds realistic CreateImageSpriteComplete events, the
// notification Tencent Cloud VOD sends when an image sprite task ends, and
// encodes them in the 4.0 (legacy) and 3.0 wire formats.
//
// A Generator is deterministic: event i of a generator built from a Config
// with seed s is a pure function of (s, Config, i). Each event draws from its
// own random source, derived by hashing the seed and the index, so events can
// be made in any order, on any number of goroutines, and event 1,000,000 costs
// no more than event 0.
//
// The package does no I/O; it only builds values and bytes.
package generator
