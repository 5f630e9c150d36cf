package main

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/vodsim/vodsim/sender"
)

// Bounds of send --start-at: a time further ahead is a mistake (a date
// typed wrong), and one longer past means the shards would not start
// together.
const (
	maxStartAhead = 24 * time.Hour
	maxStartPast  = time.Minute
)

// shardOpts are send's flags for running one shard of a run.
type shardOpts struct {
	shard   string
	startAt string
	// now is the clock --start-at is checked and waited against.
	now func() time.Time
}

func (o *shardOpts) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.shard, "shard", "", "send only shard K of N of the run: the events whose index is K modulo N, at 1/N of the rate; --count is the whole run's (K from 0, e.g. $JOB_COMPLETION_INDEX/4)")
	fs.StringVar(&o.startAt, "start-at", "", "wait until this time (RFC 3339, e.g. 2026-01-02T15:04:05Z) before sending, so that shards start together; at most 24h ahead, 1m past")
}

// apply sets cfg.Shard from --shard and returns the time --start-at asks
// for (zero without it).
func (o *shardOpts) apply(cfg *sender.Config, fs *pflag.FlagSet) (time.Time, error) {
	if fs.Changed("shard") {
		sh, err := sender.ParseShard(o.shard)
		if err != nil {
			return time.Time{}, usageErrorf("send: --shard: %v", err)
		}
		cfg.Shard = sh
	}
	if !fs.Changed("start-at") {
		return time.Time{}, nil
	}
	at, err := time.Parse(time.RFC3339Nano, o.startAt)
	if err != nil {
		return time.Time{}, usageErrorf("send: --start-at %q: not an RFC 3339 time such as 2026-01-02T15:04:05Z", o.startAt)
	}
	now := time.Now
	if o.now != nil {
		now = o.now
	}
	switch d := at.Sub(now()); {
	case d > maxStartAhead:
		return time.Time{}, usageErrorf("send: --start-at %s is %s ahead: at most %s", o.startAt, d.Round(time.Second), maxStartAhead)
	case d < -maxStartPast:
		return time.Time{}, usageErrorf("send: --start-at %s is %s past: at most %s (the shards would not start together)", o.startAt, (-d).Round(time.Second), maxStartPast)
	}
	return at, nil
}

// waitStart waits until at (at once if zero or past), or until ctx ends.
func waitStart(ctx context.Context, at time.Time) error {
	if at.IsZero() {
		return nil
	}
	d := time.Until(at)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return errInterrupted
	}
}
