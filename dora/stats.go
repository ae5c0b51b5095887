package dora

import (
	"math"
	"slices"
	"time"
)

// Durations summarizes a set of durations.
type Durations struct {
	Count int
	// Median and P90 are the 50th and 90th percentiles, interpolated
	// linearly between the closest ranks (as numpy's default, "type 7").
	// Both are zero when Count is.
	Median, P90 time.Duration
}

// summarize computes the percentiles of ds (which it sorts).
func summarize(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	return Durations{Count: len(ds), Median: percentile(ds, 0.5), P90: percentile(ds, 0.9)}
}

// percentile of sorted, non-empty ds: the value at rank p x (n-1),
// interpolated between its neighbours.
func percentile(ds []time.Duration, p float64) time.Duration {
	pos := p * float64(len(ds)-1)
	lo := int(math.Floor(pos))
	if lo+1 >= len(ds) {
		return ds[len(ds)-1]
	}
	frac := pos - float64(lo)
	return ds[lo] + time.Duration(math.Round(frac*float64(ds[lo+1]-ds[lo])))
}
