package cli

import "testing"

func TestFormatSpan(t *testing.T) {
	for seconds, want := range map[float64]string{
		0: "0s", 0.2104: "210ms", 45.4: "45s", 390: "6m30s", 3600*3 + 5*60 + 29: "3h05m",
		47*3600 + 59*60 + 29: "47h59m", 47*3600 + 59*60 + 59: "2d00h", 2*86400 + 4*3600 + 1700: "2d04h",
	} {
		if got := formatSpan(seconds); got != want {
			t.Errorf("formatSpan(%v) = %q, want %q", seconds, got, want)
		}
	}
}
