// Package pace is the rate model that vodsim sends and feeds by: a Profile
// of phases (constant, ramped, or stepped rates) and the Schedule it gives,
// which says when event k falls due. Push delivery (package sender) paces
// its POSTs by it and the pull feed (package pullevent) adds queued events
// by it, so both run at the same rate from the same profile.
//
// A Profile is a plain value; a Schedule is read-only and safe for
// concurrent use. The package depends on nothing else of vodsim.
package pace
