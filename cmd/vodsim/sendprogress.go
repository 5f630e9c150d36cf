package main

import (
	"fmt"
	"os"
	"time"

	"github.com/vodsim/vodsim/sender"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressLine draws the live progress line: sent, rate, errors, ETA.
func progressLine(w interface{ Write([]byte) (int, error) }) func(sender.Progress) {
	return func(p sender.Progress) {
		rate := 0.0
		if s := p.Elapsed.Seconds(); s > 0 {
			rate = float64(p.Started) / s
		}
		eta := "-"
		if p.Planned > 0 && rate > 0 && p.Started <= p.Planned {
			eta = time.Duration(float64(p.Planned-p.Started) / rate * float64(time.Second)).Round(time.Second).String()
		}
		planned := ""
		if p.Planned > 0 {
			planned = fmt.Sprintf("/%d", p.Planned)
		}
		fmt.Fprintf(w, "\r\033[Ksent %d%s  %.0f/s  done %d  acknowledged %d  errors %d  ETA %s",
			p.Started, planned, rate, p.Done, p.Acknowledged, p.Errors, eta)
	}
}
