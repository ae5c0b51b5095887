package metrics

import (
	"math"
	"math/bits"
	"time"
)

// Latency bins are log-linear: values in units of 1.024µs, exact below
// 16 units, then 8 equal bins per power of two. A bin's width is at most
// 1/8 of its lower edge, so its midpoint is within 1/16 of any value in
// it (within half a unit, 0.512µs, in the exact range).
const (
	unitShift = 10 // a unit is 1<<unitShift ns
	subBits   = 3  // 1<<subBits bins per power of two
	maxBits   = 26 // values of 1<<maxBits units (~68.7s) and more are clamped
	numBins   = (maxBits-subBits-1)<<subBits + 1<<(subBits+1)
)

// binOf returns the bin counting duration d.
func binOf(d time.Duration) int {
	if d < 0 {
		d = 0
	}
	u := uint64(d) >> unitShift
	if u >= 1<<maxBits {
		u = 1<<maxBits - 1
	}
	n := bits.Len64(u)
	if n <= subBits+1 {
		return int(u)
	}
	shift := n - subBits - 1
	return shift<<subBits + int(u>>shift)
}

// binBounds returns bin i's range [low, low+width) in units.
func binBounds(i int) (low, width uint64) {
	if i < 1<<(subBits+1) {
		return uint64(i), 1
	}
	shift := i>>subBits - 1
	mant := uint64(i&(1<<subBits-1) | 1<<subBits)
	return mant << shift, 1 << shift
}

// binMid returns the midpoint of bin i.
func binMid(i int) time.Duration {
	low, width := binBounds(i)
	return time.Duration((2*low + width) << (unitShift - 1))
}

// quantile returns the q-quantile (nearest rank) of the values counted in
// bins, as its bin's midpoint; 0 when bins are empty.
func quantile(bins *[numBins]uint64, q float64) time.Duration {
	var total uint64
	for _, c := range bins {
		total += c
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	rank = max(1, min(rank, total))
	var seen uint64
	for i, c := range bins {
		seen += c
		if seen >= rank {
			return binMid(i)
		}
	}
	return binMid(numBins - 1)
}
