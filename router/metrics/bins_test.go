package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBinOf(t *testing.T) {
	us := time.Microsecond
	tests := []struct {
		d    time.Duration
		want int
	}{
		{-time.Second, 0},
		{0, 0},
		{1023, 0},
		{1024, 1},
		{15 * 1024, 15},
		{16 * 1024, 16},
		{17 * 1024, 16}, // width 2 units from 16 on
		{18 * 1024, 17},
		{100 * us, 3<<subBits + 12}, // 97 units: shift 3, mantissa 97>>3 = 12
		{time.Hour, numBins - 1},
	}
	for _, tt := range tests {
		if got := binOf(tt.d); got != tt.want {
			t.Errorf("binOf(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

// Every bin's bounds hold exactly the values binOf puts in it, and the
// bins tile the range without gaps.
func TestBinBoundsTile(t *testing.T) {
	var next uint64
	for i := range numBins {
		low, width := binBounds(i)
		if low != next {
			t.Fatalf("bin %d starts at %d units, want %d", i, low, next)
		}
		if i >= 8 && width*8 > low {
			t.Fatalf("bin %d: width %d is over 1/8 of its low edge %d", i, width, low)
		}
		for _, u := range []uint64{low, low + width - 1} {
			if got := binOf(time.Duration(u << unitShift)); got != i {
				t.Fatalf("binOf(%d units) = %d, want %d", u, got, i)
			}
		}
		next = low + width
	}
	if next != 1<<maxBits {
		t.Fatalf("bins end at %d units, want %d", next, 1<<maxBits)
	}
}

// The documented bound: a quantile is within 1/16 of the exact
// nearest-rank sample quantile, or within 0.512µs.
func TestQuantileErrorBound(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func() time.Duration{
		"uniform 1ms-100ms": func() time.Duration { return time.Millisecond + time.Duration(r.Int64N(int64(99*time.Millisecond))) },
		"exponential 20ms":  func() time.Duration { return time.Duration(r.ExpFloat64() * float64(20*time.Millisecond)) },
		"lognormal": func() time.Duration {
			return time.Duration(math.Exp(r.NormFloat64()*1.5) * float64(5*time.Millisecond))
		},
		"bimodal":        bimodal(r),
		"sub-16µs":       func() time.Duration { return time.Duration(r.Int64N(int64(16 * time.Microsecond))) },
		"constant 250ms": func() time.Duration { return 250 * time.Millisecond },
	}
	for name, draw := range dists {
		t.Run(name, func(t *testing.T) {
			var bins [numBins]uint64
			vals := make([]time.Duration, 10007)
			for i := range vals {
				vals[i] = draw()
				bins[binOf(vals[i])]++
			}
			slices.Sort(vals)
			for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
				exact := vals[int(math.Ceil(q*float64(len(vals))))-1]
				got := quantile(&bins, q)
				bound := max(exact/16, 512*time.Nanosecond)
				if diff := (got - exact).Abs(); diff > bound {
					t.Errorf("q%v = %v, exact %v: off by %v, bound %v", q, got, exact, diff, bound)
				}
			}
		})
	}
}

func bimodal(r *rand.Rand) func() time.Duration {
	return func() time.Duration {
		if r.IntN(10) == 0 {
			return 2*time.Second + time.Duration(r.Int64N(int64(time.Second)))
		}
		return 3*time.Millisecond + time.Duration(r.Int64N(int64(2*time.Millisecond)))
	}
}

func TestQuantileEmpty(t *testing.T) {
	var bins [numBins]uint64
	if got := quantile(&bins, 0.5); got != 0 {
		t.Fatalf("quantile of nothing = %v, want 0", got)
	}
}
