package main

import (
	"context"
	"fmt"

	"github.com/vodsim/vodsim/sender"
)

func init() {
	register("receive", "run a checking callback receiver that prints a line per event", func(io stdio) command { return &receiveCmd{io: io} })
}

// DefaultReceiveListen is where receive listens unless told otherwise.
const DefaultReceiveListen = "127.0.0.1:9000"

type receiveCmd struct{ io stdio }

func (c *receiveCmd) Run(ctx context.Context, args []string) error {
	var listen, signKey string
	var ndjson bool
	var window, maxConns int
	fs := newFlagSet(c.io, "receive", `
Usage: vodsim receive [--listen ADDR] [--ndjson] [--sign-key KEY] [--window N]

Runs the callback receiver that send embeds: it answers every POST with
200 {} as a well-behaved app backend does, checks each payload strictly
(either format), and prints a line per request on stdout: well-formed or
MALFORMED, duplicate task ids, the task and file ids. With --sign-key it
also verifies the T and Sign of 3.0 payloads: one unsigned, signed with
another key or expired is printed BAD SIGN and counted in the summary.

To tell duplicates it remembers the last --window distinct task ids (some
45 bytes each: 45 MB at the default), so its memory stays bounded however
long it runs: once the window is full the oldest id is forgotten, and a
task id that comes back after it was forgotten counts as a new distinct
event, not a duplicate.

It runs until interrupted (Ctrl-C), then prints a summary on stderr and
exits 0.

Like serve, it closes a connection whose headers take over 10 s or whose
whole request takes over 30 s, closes keep-alive connections idle for 60 s,
reads at most 1 MB of a body, and holds at most --max-conns connections.`, `
  vodsim receive                                  # listens on 127.0.0.1:9000
  vodsim receive --listen 127.0.0.1:8080 --ndjson > received.ndjson
  vodsim send --target http://127.0.0.1:9000/ --count 100 --rate 50   # in another terminal
  vodsim receive --sign-key abc123                # then: vodsim send --target http://127.0.0.1:9000/ --format v3 --sign-key abc123`)
	fs.StringVar(&listen, "listen", DefaultReceiveListen, "address to listen on, host:port (port 0 picks a free one)")
	fs.BoolVar(&ndjson, "ndjson", false, "print one JSON object per request instead of text")
	fs.StringVar(&signKey, "sign-key", "", "verify 3.0 payloads' Sign = md5(key + T) (1 to 32 letters and digits)")
	fs.IntVar(&window, "window", sender.DefaultWindow, "distinct task ids remembered to tell duplicates; the oldest is forgotten first")
	fs.IntVar(&maxConns, "max-conns", sender.DefaultMaxConns, "connections held open at once; at the cap the longest-idle one is closed, or a new one waits")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("receive: unexpected argument %q (run 'vodsim receive --help')", fs.Arg(0))
	}
	if fs.Changed("sign-key") {
		if err := sender.CheckSignKey(signKey); err != nil {
			return usageErrorf("receive: --sign-key: %v", err)
		}
	}
	if window < 1 {
		return usageErrorf("receive: --window %d: must be at least 1", window)
	}
	if maxConns < 1 {
		return usageErrorf("receive: --max-conns %d: must be at least 1", maxConns)
	}
	rcv := &sender.Receiver{SignKey: signKey, Log: c.io.out, NDJSON: ndjson, Window: window, MaxConns: maxConns}
	stop, url, err := serveReceiver(rcv, listen)
	if err != nil {
		return listenError("receive", listen, err)
	}
	fmt.Fprintf(c.io.err, "vodsim receive: listening on %s/ (Ctrl-C to stop)\n", url)
	<-ctx.Done()
	stop()
	st := rcv.Stats()
	fmt.Fprintf(c.io.err, "vodsim receive: %d requests, %d well-formed, %d malformed, %d distinct events, %d duplicates",
		st.Requests, st.WellFormed, st.Malformed, st.Distinct, st.Duplicates)
	if st.Signed > 0 || st.BadSignature > 0 {
		fmt.Fprintf(c.io.err, ", %d signed (%d bad signatures)", st.Signed, st.BadSignature)
	}
	fmt.Fprintln(c.io.err)
	return nil
}
