package sender

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseRetry(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want RetryOn
		err  string
	}{
		{"timeout", RetryTimeout, ""},
		{"5xx", RetryServerError, ""},
		{"429", RetryTooMany, ""},
		{"conn", RetryConnError, ""},
		{"connection", RetryConnError, ""},
		{"CONNECTION", RetryConnError, ""},
		{"timeout, 5xx,429,conn", RetryTimeout | RetryServerError | RetryTooMany | RetryConnError, ""},
		{"conn,connection", RetryConnError, ""},
		{"sometimes", 0, `unknown retry condition "sometimes": want timeout, 5xx, 429 or conn (also written connection)`},
		{"timeout,500", 0, `unknown retry condition "500"`},
		{"", 0, "no retry condition given"},
		{" , ", 0, "no retry condition given"},
	} {
		got, err := ParseRetry(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseRetry(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseRetry(%q) error %v; want one containing %q", tc.in, err, tc.err)
		}
	}
}

func TestRetryText(t *testing.T) {
	all := RetryTimeout | RetryServerError | RetryTooMany | RetryConnError
	if got := all.String(); got != "timeout,5xx,429,conn" {
		t.Errorf("String = %q", got)
	}
	var r RetryOn
	if err := r.UnmarshalText([]byte(all.String())); err != nil || r != all {
		t.Errorf("UnmarshalText(String()) = %v, %v; want %v", r, err, all)
	}
	if err := r.UnmarshalText([]byte("never")); err == nil || r != all {
		t.Errorf("a refused UnmarshalText changed the value: %v, %v", r, err)
	}
}

func TestCheckAttemptsAndWindow(t *testing.T) {
	for _, tc := range []struct {
		n  int64
		ok bool
	}{{0, false}, {1, true}, {100, true}, {101, false}, {-1, false}} {
		if err := CheckAttempts(tc.n); (err == nil) != tc.ok {
			t.Errorf("CheckAttempts(%d) = %v", tc.n, err)
		}
	}
	if err := CheckAttempts(1000); err == nil || err.Error() != "must be 1 to 100 (1 = never retry), got 1000" {
		t.Errorf("CheckAttempts(1000) = %v", err)
	}
	for _, tc := range []struct {
		n  int64
		ok bool
	}{{0, false}, {1, true}, {MaxReorderWindow, true}, {MaxReorderWindow + 1, false}} {
		if err := CheckReorderWindow(tc.n); (err == nil) != tc.ok {
			t.Errorf("CheckReorderWindow(%d) = %v", tc.n, err)
		}
	}
}

func TestPolicyAndFaultsValidate(t *testing.T) {
	for _, tc := range []struct {
		p   RetryPolicy
		err string
	}{
		{RetryPolicy{}, ""},
		{RetryPolicy{Attempts: MaxAttempts, Backoff: time.Second, MaxBackoff: time.Second}, ""},
		{RetryPolicy{Attempts: MaxAttempts + 1}, "attempts 101: must be 1 to 100"},
		{RetryPolicy{Timeout: -1}, "negative"},
		{RetryPolicy{Backoff: 2 * time.Second, MaxBackoff: time.Second}, "shorter than backoff"},
		{RetryPolicy{On: 1 << 7}, "unknown retry conditions"},
	} {
		err := tc.p.Validate()
		if (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v.Validate() = %v; want %q", tc.p, err, tc.err)
		}
	}
	for _, tc := range []struct {
		f   Faults
		err string
	}{
		{Faults{}, ""},
		{Faults{Duplicate: 1, Reorder: 0.5, ReorderWindow: MaxReorderWindow}, ""},
		{Faults{Reorder: 1.5}, "reorder: share 1.5 is outside 0..1"},
		{Faults{ReorderWindow: MaxReorderWindow + 1}, "reorder window"},
		{Faults{MalformedKinds: []Malformation{"ugly"}}, "unknown malformation"},
	} {
		err := tc.f.Validate()
		if (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v.Validate() = %v; want %q", tc.f, err, tc.err)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		in  string
		err string
	}{
		{"http://127.0.0.1:9000/callback", ""},
		{"https://ci:s3cret@example.com/hook", ""},
		{"", "empty"},
		{"ftp://x", "the scheme must be http or https"},
		{"127.0.0.1:9000", "not a URL"},
		{"localhost:9000", "the scheme must be http or https"},
		{"http://", "no host"},
		{"http://127.0.0.1:0/", "port 0 is out of range 1-65535"},
		{"http://127.0.0.1:/", "empty port"},
		{"http://ci:s3cret@[::1/", "not a URL"},
	} {
		_, err := ParseTarget(tc.in)
		if (tc.err == "") != (err == nil) || err != nil && (!strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrTarget)) {
			t.Errorf("ParseTarget(%q) = %v; want %q", tc.in, err, tc.err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ParseTarget(%q) shows the password: %v", tc.in, err)
		}
	}
}

// TestErrorReason: each kind of bad input matches its sentinel, and Reason
// gives the message without the sentinel's words.
func TestErrorReason(t *testing.T) {
	_, terr := ParseTarget("")
	for _, tc := range []struct {
		err    error
		kind   error
		reason string
	}{
		{terr, ErrTarget, "empty: give the receiver's URL"},
		{CheckHeader("", "x"), ErrHeader, "empty name"},
		{Config{Target: "http://127.0.0.1:1", Count: 1, MaxInFlight: -1}.Validate(), ErrConfig, ""},
	} {
		if !errors.Is(tc.err, tc.kind) {
			t.Errorf("%v: does not match %v", tc.err, tc.kind)
			continue
		}
		r := Reason(tc.err)
		if tc.err.Error() != tc.kind.Error()+": "+r || (tc.reason != "" && r != tc.reason) {
			t.Errorf("%v: reason %q", tc.err, r)
		}
	}
	if got := Reason(errors.New("plain")); got != "plain" {
		t.Errorf("Reason of a plain error: %q", got)
	}
}
