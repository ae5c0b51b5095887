package dora

import (
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	const day = 24 * time.Hour
	for in, want := range map[string]time.Duration{
		"90d": 90 * day, "1d": day, "12w": 84 * day, "36h": 36 * time.Hour, "90m": 90 * time.Minute,
	} {
		got, err := ParseWindow(in)
		if err != nil || got != want {
			t.Errorf("ParseWindow(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "90", "0d", "-1h", "1.5d", "90 d", "ninety", "99999999d"} {
		if got, err := ParseWindow(in); err == nil {
			t.Errorf("ParseWindow(%q) = %v, want an error", in, got)
		}
	}
	for d, want := range map[time.Duration]string{90 * day: "90d", 36 * time.Hour: "36h0m0s"} {
		if got := FormatWindow(d); got != want {
			t.Errorf("FormatWindow(%v) = %q, want %q", d, got, want)
		}
	}
}
