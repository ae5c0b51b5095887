package analysis

import "math"

// Spread summarises one sample a comparison judged, so that a person can
// see the two distributions behind a verdict (a box plot: Min, P25, P50,
// P75, Max, with P10 and P90) without the samples themselves, which are
// not kept.
type Spread struct {
	N   int     `json:"n"`
	Min float64 `json:"min"`
	P10 float64 `json:"p10"`
	P25 float64 `json:"p25"`
	P50 float64 `json:"p50"`
	P75 float64 `json:"p75"`
	P90 float64 `json:"p90"`
	Max float64 `json:"max"`
}

// Spreads are the canary's and the baseline's samples of a comparison.
type Spreads struct {
	Canary   Spread `json:"canary"`
	Baseline Spread `json:"baseline"`
}

// spreadOf summarises a sorted, non-empty sample; quantiles interpolate
// linearly between order statistics (R's type 7, numpy's default).
func spreadOf(sorted []float64) Spread {
	q := func(p float64) float64 {
		h := p * float64(len(sorted)-1)
		lo := int(math.Floor(h))
		if lo+1 >= len(sorted) {
			return sorted[len(sorted)-1]
		}
		return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
	}
	return Spread{N: len(sorted), Min: sorted[0], P10: q(0.1), P25: q(0.25), P50: q(0.5), P75: q(0.75), P90: q(0.9), Max: sorted[len(sorted)-1]}
}
