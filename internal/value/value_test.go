package value

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// Each type is a pflag.Value.
var (
	_ pflag.Value = (*Share)(nil)
	_ pflag.Value = (*Rate)(nil)
	_ pflag.Value = (*Duration)(nil)
)

func TestParseShare(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		err  string // in the error; "" for none
	}{
		{"0", 0, ""},
		{"1", 1, ""},
		{"0.05", 0.05, ""},
		{"5%", 0.05, ""},
		{" 5 % ", 0.05, ""},
		{"0.5%", 0.005, ""},
		{"100%", 1, ""},
		{"0%", 0, ""},
		{"1.5", 0, "share 1.5 is outside 0..1: write a fraction from 0 to 1, or a percentage like 1.5%"},
		{"5", 0, "or a percentage like 5%"},
		{"-0.1", 0, "share -0.1 is outside 0..1: write a fraction from 0 to 1, or a percentage from 0% to 100%"},
		{"101%", 0, "share 101% is outside 0%..100%"},
		{"-1%", 0, "outside 0%..100%"},
		{"often", 0, `"often" is not a share`},
		{"", 0, "is not a share"},
		{"NaN", 0, "is not a share"},
		{"inf%", 0, "is not a share"},
		{"5%%", 0, "is not a share"},
	} {
		got, err := ParseShare(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseShare(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseShare(%q) error %v; want one containing %q", tc.in, err, tc.err)
		}
	}
}

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		err  string
	}{
		{"0", 0, ""},
		{"50", 50, ""},
		{"2.5", 2.5, ""},
		{"50/s", 50, ""},
		{"50/sec", 50, ""},
		{"600/m", 10, ""},
		{"600/min", 10, ""},
		{"3600/h", 1, ""},
		{" 50 / s ", 50, ""},
		{"0/s", 0, ""},
		{"10000000", MaxRate, ""},
		{"10000001", 0, `rate "10000001" is above the most, 10000000 a second`},
		{"-1", 0, `rate "-1" is negative: a rate is 0 or more`},
		{"-5/s", 0, "is negative"},
		{"50/d", 0, `unknown unit "/d": use /s, /m or /h`},
		{"fast", 0, "want a number a second like 50"},
		{"", 0, "want a number"},
		{"NaN/s", 0, "want a number"},
		{"Inf", 0, "want a number"},
	} {
		got, err := ParseRate(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseRate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseRate(%q) error %v; want one containing %q", tc.in, err, tc.err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"0", 0, ""},
		{"0s", 0, ""},
		{"500ms", 500 * time.Millisecond, ""},
		{" 1h30m ", 90 * time.Minute, ""},
		{"-1s", 0, `"-1s" is negative: a duration is 0 or more`},
		{"30", 0, `"30" is not a duration: write it like 500ms, 30s, 5m or 2h`},
		{"soon", 0, "is not a duration"},
		{"", 0, "is not a duration"},
	} {
		got, err := ParseDuration(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseDuration(%q) error %v; want one containing %q", tc.in, err, tc.err)
		}
	}
}

// TestFlagValues checks Set, String, Type and UnmarshalText, and that a
// refused Set leaves the value as it was.
func TestFlagValues(t *testing.T) {
	var s Share = 0.25
	if err := s.Set("often"); err == nil || s != 0.25 {
		t.Errorf("Share.Set(often) = %v, value %v; want an error and 0.25 kept", err, s)
	}
	if err := s.UnmarshalText([]byte("5%")); err != nil || s.String() != "0.05" || s.Type() != "share" {
		t.Errorf("Share 5%%: %v, %q %q", err, s.String(), s.Type())
	}
	var r Rate = 200
	if err := r.Set("-1"); err == nil || r != 200 {
		t.Errorf("Rate.Set(-1) = %v, value %v", err, r)
	}
	if err := r.UnmarshalText([]byte("600/m")); err != nil || r.String() != "10" || r.Type() != "rate" {
		t.Errorf("Rate 600/m: %v, %q %q", err, r.String(), r.Type())
	}
	var d Duration = Duration(time.Second)
	if err := d.Set("-1s"); err == nil || d != Duration(time.Second) {
		t.Errorf("Duration.Set(-1s) = %v, value %v", err, d)
	}
	if err := d.UnmarshalText([]byte("90s")); err != nil || d.String() != "1m30s" || d.Type() != "duration" {
		t.Errorf("Duration 90s: %v, %q %q", err, d.String(), d.Type())
	}
}

func TestCheckShare(t *testing.T) {
	for _, x := range []float64{0, 0.5, 1} {
		if err := CheckShare(x); err != nil {
			t.Errorf("CheckShare(%v) = %v", x, err)
		}
	}
	for _, x := range []float64{-0.01, 1.01, 5} {
		if err := CheckShare(x); err == nil {
			t.Errorf("CheckShare(%v) = nil", x)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"5%", "0.05", "50/s", "600/m", "30s", "-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseShare(s); err == nil && !(v >= 0 && v <= 1) {
			t.Errorf("ParseShare(%q) = %v outside 0..1", s, v)
		}
		if v, err := ParseRate(s); err == nil && !(v >= 0 && v <= MaxRate) {
			t.Errorf("ParseRate(%q) = %v outside 0..MaxRate", s, v)
		}
		if d, err := ParseDuration(s); err == nil && d < 0 {
			t.Errorf("ParseDuration(%q) = %v, negative", s, d)
		}
	})
}
