package analysis

import "math"

// quantilePrior is the concentration k of the beta prior Beta(q*k,
// (1-q)*k) of QuantileBounds' mixture: the boundary is tightest around k
// observations, and about 100 is where a canary's latency gets judged.
const quantilePrior = 100

// QuantileBounds returns a confidence sequence [lo, hi] for the
// q-quantile of a distribution from a histogram of its values so far:
// counts[i] values fell in bin i, whose upper edge is upper[i] (the
// lower edge is upper[i-1], 0 for the first bin). The statement "lo <=
// Q(q) <= hi" holds with probability at least 1-alpha at every time at
// once, so it may be read after every observation.
//
// It is Howard and Ramdas's fixed-quantile confidence sequence
// ("Sequential estimation of quantiles with applications to A/B-testing
// and best-arm identification", Bernoulli 2022): the count S of values
// at or below Q(q) is Binomial(n, q), and the beta-binomial mixture
// BB(s; n, q*k, (1-q)*k) / Bin(s; n, q) is a nonnegative martingale in n,
// which exceeds 1/alpha with probability at most alpha (Ville). The
// mixture is convex in s, so it stays below 1/alpha on an interval of
// counts [sLo, sHi]; a bin edge x with fewer than sLo values at or below
// it has F(x) < q (so Q(q) > x), one with more than sHi has F(x) > q (so
// Q(q) <= x). Binning makes the bounds conservative by a bin at most.
//
// lo is 0 and hi +Inf while the data cannot bound them; n is the count.
func QuantileBounds(counts []int64, upper []float64, q, alpha float64) (lo, hi float64, n int64) {
	for _, c := range counts {
		n += c
	}
	if n == 0 {
		return 0, math.Inf(1), 0
	}
	sLo, sHi := countInterval(n, q, math.Log(1/alpha))
	lo, hi = boundsAt(counts, upper, sLo, sHi)
	return lo, hi, n
}

// boundsAt turns the interval of plausible counts [sLo, sHi] into bounds
// on the quantile, over the bins.
func boundsAt(counts []int64, upper []float64, sLo, sHi int64) (lo, hi float64) {
	lo, hi = 0, math.Inf(1)
	var s int64
	for i, c := range counts {
		s += c
		if s < sLo {
			lo = upper[i]
		}
		if s > sHi && math.IsInf(hi, 1) {
			hi = upper[i]
		}
	}
	return lo, hi
}

// quantileSeq is countInterval for one side of a QuantileTest, kept
// between looks: as n grows by a few, each end moves by a few, so it
// steps from the last interval instead of searching anew (a few
// evaluations a look instead of ~60).
type quantileSeq struct {
	q, bound float64
	n        int64 // 0: nothing kept
	sLo, sHi int64
}

// maxStep is the growth of n beyond which interval searches anew.
const maxStep = 64

func (qs *quantileSeq) interval(n int64) (sLo, sHi int64) {
	if qs.n == 0 || n < qs.n || n-qs.n > maxStep {
		qs.sLo, qs.sHi = countInterval(n, qs.q, qs.bound)
		qs.n = n
		return qs.sLo, qs.sHi
	}
	if n == qs.n {
		return qs.sLo, qs.sHi
	}
	f := func(s int64) float64 { return logQuantileE(s, n, qs.q) }
	// The interval is [sLo, sHi]: f < bound inside, >= bound outside;
	// f is convex, so each end is found by walking from the last one.
	lo := min(qs.sLo, n)
	for lo > 0 && f(lo-1) < qs.bound {
		lo--
	}
	for lo < n && f(lo) >= qs.bound {
		lo++
	}
	hi := max(qs.sHi, lo)
	for hi < n && f(hi+1) < qs.bound {
		hi++
	}
	for hi > lo && f(hi) >= qs.bound {
		hi--
	}
	qs.n, qs.sLo, qs.sHi = n, lo, hi
	return lo, hi
}

// QuantileEstimate is the nearest-rank q-quantile of the histogram: the
// midpoint of its bin (0 when empty).
func QuantileEstimate(counts []int64, upper []float64, q float64) float64 {
	var n int64
	for _, c := range counts {
		n += c
	}
	if n == 0 {
		return 0
	}
	rank := max(1, min(int64(math.Ceil(q*float64(n))), n))
	var s int64
	for i, c := range counts {
		s += c
		if s >= rank {
			low := 0.0
			if i > 0 {
				low = upper[i-1]
			}
			return (low + upper[i]) / 2
		}
	}
	return upper[len(upper)-1]
}

// logQuantileE is ln of the mixture martingale at count s of n.
func logQuantileE(s, n int64, q float64) float64 {
	a, b := q*quantilePrior, (1-q)*quantilePrior
	fs, fn := float64(s), float64(n)
	return lbeta(a+fs, b+fn-fs) - lbeta(a, b) - fs*math.Log(q) - (fn-fs)*math.Log1p(-q)
}

func lbeta(a, b float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	return la + lb - lab
}

// countInterval returns the counts [sLo, sHi] in [0, n] where the
// mixture stays below bound: it is convex in s, so the minimum is found
// by ternary search and each side by binary search.
func countInterval(n int64, q, bound float64) (sLo, sHi int64) {
	f := func(s int64) float64 { return logQuantileE(s, n, q) }
	lo, hi := int64(0), n
	for hi-lo > 2 {
		m1, m2 := lo+(hi-lo)/3, hi-(hi-lo)/3
		if f(m1) < f(m2) {
			hi = m2
		} else {
			lo = m1
		}
	}
	m := lo
	for s := lo + 1; s <= hi; s++ {
		if f(s) < f(m) {
			m = s
		}
	}
	// f(m) <= 0 < bound: the mixture's mean under the null is 1.
	// Smallest s in [0, m] with f(s) < bound (f falls on [0, m]).
	a, b := int64(0), m
	for a < b {
		mid := (a + b) / 2
		if f(mid) < bound {
			b = mid
		} else {
			a = mid + 1
		}
	}
	sLo = a
	// Largest s in [m, n] with f(s) < bound (f rises on [m, n]).
	a, b = m, n
	for a < b {
		mid := (a + b + 1) / 2
		if f(mid) < bound {
			a = mid
		} else {
			b = mid - 1
		}
	}
	return sLo, a
}
