package main

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/vodsim/vodsim/scenarios"
	"github.com/vodsim/vodsim/sender"
)

// sendFlags parses send's flags over an empty base config, as send does.
func sendFlags(args ...string) (sender.Config, error) {
	var o sendOpts
	fs := newFlagSet(stdio{out: io.Discard, err: io.Discard}, "send", "", "")
	o.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return sender.Config{}, err
	}
	var cfg sender.Config
	err := applySendFlags(&cfg, fs, &o)
	return cfg, err
}

// TestFlagScenarioParity checks that each setting takes the same strings,
// and refuses the same strings, as a flag of vodsim send and as a key of a
// scenario file, and that what is taken means the same.
func TestFlagScenarioParity(t *testing.T) {
	type got struct {
		rate                        float64
		duplicate, reorder, malform float64
		on                          sender.RetryOn
		attempts, window            int
		signKey                     string
	}
	fromConfig := func(c sender.Config) got {
		g := got{duplicate: c.Faults.Duplicate, reorder: c.Faults.Reorder, malform: c.Faults.Malformed,
			on: c.Retry.On, attempts: c.Retry.Attempts, window: c.Faults.ReorderWindow, signKey: c.SignKey}
		if len(c.Profile) > 0 {
			g.rate = c.Profile[0].From
		}
		if g.reorder > 0 && g.window == 0 {
			g.window = sender.DefaultReorderWindow // what 0 means
		}
		return g
	}
	tests := []struct {
		name   string
		flag   func(v string) []string
		yaml   string // a scenario with %s where the value goes
		accept []string
		refuse []string
	}{
		{"rate", func(v string) []string { return []string{"--rate", v} }, "rate: %s\n",
			[]string{"50/s", "600/m", "3600/h", "50", "2.5", "0", "0/s", "10000000"},
			[]string{"-1", "-5/s", "fast", "50/d", "20000000", "1e9/s"}},
		{"duplicate", func(v string) []string { return []string{"--duplicate", v} }, "delivery: {duplicate: %s}\n",
			[]string{"5%", "0.5%", "0.05", "0", "1", "100%", "0%"},
			[]string{"1.5", "5", "101%", "-0.1", "-1%", "often"}},
		{"reorder", func(v string) []string { return []string{"--reorder", v} }, "delivery: {reorder: %s}\n",
			[]string{"10%", "0.1"}, []string{"2", "200%"}},
		{"malformed", func(v string) []string { return []string{"--malformed", v} }, "delivery: {malformed: %s}\n",
			[]string{"1%", "0.01"}, []string{"-1", "x%"}},
		{"retry on", func(v string) []string { return []string{"--retry-on", v} }, "retry: {on: [%s]}\n",
			[]string{"timeout", "5xx", "429", "conn", "connection", "CONN", "Connection"},
			[]string{"sometimes", "500", "connect"}},
		{"attempts", func(v string) []string { return []string{"--attempts", v} }, "retry: {attempts: %s}\n",
			[]string{"1", "5", "100"}, []string{"0", "-1", "101", "1000"}},
		{"reorder window", func(v string) []string { return []string{"--reorder", "10%", "--reorder-window", v} },
			"delivery: {reorder: {share: 10%%, window: %s}}\n",
			[]string{"1", "20", "1000000"}, []string{"0", "1000001"}},
		{"duration", func(v string) []string { return []string{"--duration", v} }, "duration: %s\n",
			[]string{"0", "30s", "1h30m", "500ms"}, []string{"-1s", "30", "soon"}},
		{"timeout", func(v string) []string { return []string{"--timeout", v} }, "retry: {timeout: %s}\n",
			[]string{"1s", "200ms"}, []string{"0", "0s", "-1s", "5"}},
		{"backoff", func(v string) []string { return []string{"--backoff", v} }, "retry: {backoff: %s}\n",
			[]string{"0", "200ms"}, []string{"-1s", "later"}},
		{"max backoff", func(v string) []string { return []string{"--max-backoff", v} }, "retry: {maxBackoff: %s}\n",
			[]string{"1s"}, []string{"0", "-1s"}},
		{"sign key", func(v string) []string { return []string{"--sign-key", v} }, "format: v3\ndelivery: {signKey: %s}\n",
			[]string{"abc123", strings.Repeat("k", 32)}, []string{"a_b", strings.Repeat("k", 33), `""`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range tc.accept {
				cfg, ferr := sendFlags(tc.flag(v)...)
				sc, serr := scenarios.Parse("parity.yaml", []byte(fmt.Sprintf(tc.yaml, v)))
				if ferr != nil || serr != nil {
					t.Errorf("%q: flag error %v, scenario error %v; want both accepted", v, ferr, serr)
					continue
				}
				fg := fromConfig(cfg)
				sg := fromConfig(sender.Config{Profile: sc.Profile, Faults: sc.Faults, Retry: sc.Retry, SignKey: sc.SignKey})
				if fg != sg {
					t.Errorf("%q: the flag reads %+v, the scenario %+v", v, fg, sg)
				}
			}
			for _, v := range tc.refuse {
				_, ferr := sendFlags(tc.flag(v)...)
				_, serr := scenarios.Parse("parity.yaml", []byte(fmt.Sprintf(tc.yaml, v)))
				if ferr == nil || serr == nil {
					t.Errorf("%q: flag error %v, scenario error %v; want both refused", v, ferr, serr)
				}
			}
		})
	}
}

// TestFlagMessagesSayWhatIsAllowed checks the messages of refused values.
func TestFlagMessagesSayWhatIsAllowed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--duration", "-1s"}, `send: --duration -1s: "-1s" is negative: a duration is 0 or more`},
		{[]string{"--timeout", "0s"}, "send: --timeout 0: must be longer than 0"},
		{[]string{"--attempts", "1000"}, "send: --attempts: must be 1 to 100 (1 = never retry), got 1000"},
		{[]string{"--rate", "-1"}, `send: --rate -1: rate "-1" is negative: a rate is 0 or more`},
		{[]string{"--duplicate", "5"}, "send: --duplicate 5: share 5 is outside 0..1: write a fraction from 0 to 1, or a percentage like 5%"},
		{[]string{"--retry-on", "sometimes"}, `send: --retry-on sometimes: unknown retry condition "sometimes": want timeout, 5xx, 429 or conn (also written connection)`},
		{[]string{"--reorder-window", "0"}, "send: --reorder-window: must be 1 to 1000000 positions, got 0"},
		{[]string{"--backoff", "2s", "--max-backoff", "1s"}, "max backoff 1s is shorter than backoff 2s"},
		{[]string{"--target", "ftp://x"}, `send: --target "ftp://x": the scheme must be http or https`},
	} {
		_, err := sendFlags(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: %v; want %q", tc.args, err, tc.msg)
		}
	}
}

// TestSendFlagsTakeTheScenarioNotation checks what the notation means.
func TestSendFlagsTakeTheScenarioNotation(t *testing.T) {
	cfg, err := sendFlags("--rate", "600/m", "--duplicate", "5%", "--retry-on", "timeout,connection", "--retry-on", "5xx", "--min-rate", "90%")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Profile) != 1 || cfg.Profile[0].From != 10 || cfg.Faults.Duplicate != 0.05 ||
		cfg.Retry.On != sender.RetryTimeout|sender.RetryConnError|sender.RetryServerError {
		t.Errorf("config %+v", cfg)
	}
	// --duration 0 is no limit: the count stays.
	cfg, err = sendFlags("--duration", "0", "--count", "7")
	if err != nil || cfg.Duration != 0 || cfg.Count != 7 {
		t.Errorf("--duration 0: %v, duration %v count %d", err, cfg.Duration, cfg.Count)
	}
	// A rate of 0 is as fast as possible, as a flag and in a file.
	sc, err := scenarios.Parse("zero.yaml", []byte("rate: 0\nevents: 5\n"))
	if err != nil || sc.Profile != nil {
		t.Errorf("rate: 0 = %v, %v; want no profile (as fast as possible)", sc, err)
	}
}

// TestServeTakesTheRateNotation checks serve's --rate and --request-limit.
func TestServeTakesTheRateNotation(t *testing.T) {
	apply := func(args ...string) (serveConfig, error) {
		var o serveOpts
		fs := newFlagSet(stdio{out: io.Discard, err: io.Discard}, "serve", "", "")
		fs.Var(&o.rate, "rate", "")
		fs.Var(&o.requestLimit, "request-limit", "")
		fs.Var(&o.wait, "wait", "")
		if err := parseFlags(fs, args); err != nil {
			return serveConfig{}, err
		}
		return o.apply(fs, serveConfig{})
	}
	cfg, err := apply("--rate", "300/m", "--request-limit", "100/s", "--wait", "0")
	if err != nil || len(cfg.profile) != 1 || cfg.profile[0].From != 5 || cfg.server.RequestLimit != 100 || cfg.server.Wait != 0 {
		t.Errorf("serve: %+v, %v", cfg, err)
	}
	if _, err := apply("--rate", "-1/s"); err == nil || !strings.Contains(err.Error(), "serve: --rate -1/s:") {
		t.Errorf("serve --rate -1/s: %v", err)
	}
	if _, err := apply("--wait", "-1s"); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("serve --wait -1s: %v", err)
	}
}

func TestPushOnly(t *testing.T) {
	sc, err := scenarios.Load("chaos")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(pushOnly(sc), "; ")
	if !strings.Contains(got, "delivery faults") || !strings.Contains(got, "retry policy") {
		t.Errorf("chaos: %q", got)
	}
	sc, err = scenarios.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if got := pushOnly(sc); got != nil {
		t.Errorf("default: %q, want nothing", got)
	}
	if pushOnly(nil) != nil {
		t.Error("no scenario: want nothing")
	}
}

func TestNouns(t *testing.T) {
	for _, tc := range []struct {
		n    uint64
		want string
	}{{0, "0 events"}, {1, "1 event"}, {2, "2 events"}} {
		if got := nouns(tc.n, "event", "events"); got != tc.want {
			t.Errorf("nouns(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
