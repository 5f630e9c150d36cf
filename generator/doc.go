// Package generator builds realistic Tencent Cloud VOD event notifications
// of every type VOD's API 3.0 lists (CATALOG.md says where each value rule
// comes from), CreateImageSpriteComplete by default, and encodes them in the
// 3.0 wire format and, for the types that have one, the 4.0 (legacy)
// envelope. Config.Flows makes the events of files that each go through a
// flow (an upload, its task flow, a deletion), interleaved by time.
//
// A Generator is deterministic: event i of a generator built from a Config
// with seed s is a pure function of (s, Config, i). Each event draws from its
// own random source, derived by hashing the seed and the index, so events can
// be made in any order, on any number of goroutines, and event 1,000,000 costs
// no more than event 0.
//
// The package does no I/O; it only builds values and bytes.
package generator
