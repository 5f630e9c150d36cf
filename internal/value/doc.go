// Package value holds the value types that vodsim's flags and scenario
// files share: a share of events, a rate and a duration. Each parses and
// validates its own text, so that "5%" or "50/s" means the same, and is
// refused for the same reason, on the command line and in a scenario file.
//
// Every type is a pflag.Value (Set, String, Type) and an
// encoding.TextUnmarshaler. Errors name the value as written and say what
// is allowed, but not where it came from: the caller adds the flag or the
// key. The types are plain values, safe for concurrent reads.
package value
