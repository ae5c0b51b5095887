package analysis

import (
	"errors"
	"math"
	"slices"
)

// Result is the outcome of a Mann-Whitney U test.
type Result struct {
	// U is the statistic of the first sample: the number of pairs (x from
	// a, y from b) with x > y, ties counting one half. The statistic of b
	// is N1*N2 - U. This is what scipy.stats.mannwhitneyu reports.
	U float64
	// Z is the standardised statistic used for the p-value:
	// (max(U, N1*N2-U) - N1*N2/2 - 0.5) / sigma. It is -Inf when every
	// value is equal (sigma is 0); the p-value is then 1.
	Z float64
	// PValue is the two-sided p-value, in [0, 1].
	PValue float64
	// N1 and N2 are the sizes of a and b.
	N1, N2 int
}

// ErrNoSamples is returned by MannWhitneyU when either sample is empty.
var ErrNoSamples = errors.New("mann-whitney u: a sample is empty")

// MannWhitneyU runs a two-sided Mann-Whitney U (Wilcoxon rank-sum) test of
// whether a and b come from the same distribution.
//
// The p-value uses the normal approximation with a continuity correction of
// 0.5 and the tie correction of the variance:
//
//	sigma^2 = N1*N2/12 * ((n+1) - sum(t^3-t) / (n(n-1)))
//
// where n = N1+N2 and t runs over the sizes of groups of tied values. This is
// scipy.stats.mannwhitneyu(a, b, alternative='two-sided',
// method='asymptotic', use_continuity=True), which testdata/mannwhitney.json
// checks against. The approximation is good from about 8 samples a side;
// Compare requires more than that by default.
//
// It returns ErrNoSamples if a or b is empty and an error if any value is NaN.
func MannWhitneyU(a, b []float64) (Result, error) {
	n1, n2 := len(a), len(b)
	if n1 == 0 || n2 == 0 {
		return Result{N1: n1, N2: n2}, ErrNoSamples
	}
	sa, err := sortedCopy(a)
	if err != nil {
		return Result{N1: n1, N2: n2}, err
	}
	sb, err := sortedCopy(b)
	if err != nil {
		return Result{N1: n1, N2: n2}, err
	}
	return mannWhitneySorted(sa, sb), nil
}

// mannWhitneySorted is MannWhitneyU on sorted, non-empty, NaN-free samples.
func mannWhitneySorted(a, b []float64) Result {
	n1, n2 := len(a), len(b)
	r1, tieTerm := rankSum(a, b)
	f1, f2 := float64(n1), float64(n2)
	u1 := r1 - f1*(f1+1)/2
	u := math.Max(u1, f1*f2-u1)
	n := f1 + f2
	sigma := math.Sqrt(f1 * f2 / 12 * ((n + 1) - tieTerm/(n*(n-1))))
	z := (u - f1*f2/2 - 0.5) / sigma
	p := math.Min(1, math.Erfc(z/math.Sqrt2)) // 2 * normal survival at z
	return Result{U: u1, Z: z, PValue: p, N1: n1, N2: n2}
}

// sortedCopy returns xs sorted, or an error if it holds a NaN (which has
// no rank).
func sortedCopy(xs []float64) ([]float64, error) {
	s := slices.Clone(xs)
	for _, v := range s {
		if math.IsNaN(v) {
			return nil, errors.New("mann-whitney u: sample contains NaN")
		}
	}
	slices.Sort(s)
	return s, nil
}

// rankSum returns the sum of the (mid-)ranks of a's values in a+b and
// sum(t^3 - t) over groups of t tied values. a and b must be sorted: the
// ranks come from merging them, without sorting the union.
func rankSum(a, b []float64) (r1, tieTerm float64) {
	i, j, rank := 0, 0, 0
	for i < len(a) || j < len(b) {
		v := math.Inf(1)
		if i < len(a) {
			v = a[i]
		}
		if j < len(b) && b[j] < v {
			v = b[j]
		}
		ca, cb := 0, 0
		for i+ca < len(a) && a[i+ca] == v {
			ca++
		}
		for j+cb < len(b) && b[j+cb] == v {
			cb++
		}
		t := float64(ca + cb)
		mid := float64(2*rank+ca+cb+1) / 2 // ranks rank+1 .. rank+t, 1-based
		r1 += float64(ca) * mid
		tieTerm += t*t*t - t
		rank += ca + cb
		i, j = i+ca, j+cb
	}
	return r1, tieTerm
}
