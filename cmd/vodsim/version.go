package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=...";
// otherwise it comes from the module's build information.
var version = ""

func init() {
	register("version", "print vodsim's version", func(io stdio) command { return &versionCmd{io: io} })
}

type versionCmd struct{ io stdio }

// Version returns vodsim's version string.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func (c *versionCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet(c.io, "version", "Usage: vodsim version\n\nPrints vodsim's version and the Go version it was built with.", "  vodsim version")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("version: takes no arguments, got %q", fs.Args())
	}
	fmt.Fprintf(c.io.out, "vodsim %s (%s %s/%s)\n", Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
