package dora

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	m := time.Minute
	for _, tc := range []struct {
		in   []time.Duration
		want Durations
	}{
		{nil, Durations{}},
		{[]time.Duration{5 * m}, Durations{1, 5 * m, 5 * m}},
		// Positions: median 0.5, p90 0.9 between 10m and 20m.
		{[]time.Duration{20 * m, 10 * m}, Durations{2, 15 * m, 19 * m}},
		// Median the middle one; p90 at 1.8: 20m + 0.8 x 40m.
		{[]time.Duration{60 * m, 10 * m, 20 * m}, Durations{3, 20 * m, 52 * m}},
		// Eleven values 0..100m: p90 at rank 9 exactly.
		{[]time.Duration{0, 10 * m, 20 * m, 30 * m, 40 * m, 50 * m, 60 * m, 70 * m, 80 * m, 90 * m, 100 * m}, Durations{11, 50 * m, 90 * m}},
	} {
		if got := summarize(tc.in); got != tc.want {
			t.Errorf("summarize(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
