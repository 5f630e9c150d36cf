// Package mix is vodsim's one hash mixer: the SplitMix64 finaliser that
// the generator seeds events by, the sender draws its seeded faults by and
// the pull queue makes event handles by. Its outputs are part of vodsim's
// determinism (the same seed gives byte-identical events), so it must
// never change.
package mix
