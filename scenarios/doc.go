// Package scenarios reads, validates and embeds vodsim scenario files: YAML
// (or JSON) documents that say what to simulate: the seed and wire format,
// how many events or for how long, the rate profile, the outcome mix, field
// overrides, delivery faults, the retry policy, or fixtures to replay.
//
// Parse checks a whole file and reports every problem at once as
// "FILE:LINE:COL: message" in a *ValidationError; it never panics. Load takes
// either the name of a built-in scenario (see Builtins; "builtin:NAME"
// always means one) or a file path; Read takes a scenario from a reader,
// such as standard input.
//
// Values are written as vodsim's flags take them, and read by the same
// code: rates, shares and durations by package internal/value, retry
// conditions, attempts, the reorder window and the sign key by package
// sender.
//
// Load, Read, Parse, Builtins and BuiltinFile keep no state between calls
// and are safe for concurrent use.
//
// A Scenario does not generate events itself: Source builds the
// generator.Source the scenario describes, and SendConfig turns the whole
// scenario into a sender.Config in one call.
package scenarios
