package dora

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultWindow is the window the metrics cover when none is given.
const DefaultWindow = 90 * 24 * time.Hour

// ParseWindow reads a window length: a whole number of days ("90d") or
// weeks ("12w"), or a duration with units ("36h", "90m").
func ParseWindow(s string) (time.Duration, error) {
	bad := fmt.Errorf("window %q: want a length like 90d, 12w or 36h", s)
	var d time.Duration
	switch unit := strings.TrimLeft(s, "0123456789"); unit {
	case "d", "w":
		n, err := strconv.Atoi(strings.TrimSuffix(s, unit))
		if err != nil || n > 100*365 {
			return 0, bad
		}
		d = time.Duration(n) * 24 * time.Hour
		if unit == "w" {
			d *= 7
		}
	default:
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, bad
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("window %q: must be longer than zero", s)
	}
	return d, nil
}

// FormatWindow writes a window the way ParseWindow reads it, in days when
// it is whole days.
func FormatWindow(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	return d.String()
}
