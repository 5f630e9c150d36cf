// Command vodsim stands in for Tencent Cloud VOD's event notifications:
// it generates CreateImageSpriteComplete events, delivers them to a webhook
// as the real service would, and serves a fake PullEvent endpoint.
//
// Run "vodsim help" for the subcommands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(exitCode(err, os.Stderr))
}
