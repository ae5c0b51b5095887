package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// aaTicks simulates an A/A canary for ticks of 100ms at rate requests a
// second, weight of them to the canary, both sides failing with
// probability p, and reports whether the count test ever failed the
// canary when checked after every tick.
func aaCountFails(rng *rand.Rand, ticks int, rate, weight, p float64, cfg SequentialConfig) bool {
	ct := NewCountTest(cfg)
	per := rate / 10
	for range ticks {
		var cn, ce, sn, se int64
		for range poisson(rng, per) {
			failed := rng.Float64() < p
			if rng.Float64() < weight {
				cn++
				ce += b2i(failed)
			} else {
				sn++
				se += b2i(failed)
			}
		}
		ct.Add(cn, ce, sn, se)
		if ce+se > 0 && ct.State().Verdict == Fail {
			return true
		}
	}
	return false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// poisson draws a Poisson count by inversion (small means only).
func poisson(rng *rand.Rand, mean float64) int {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// within reports whether failures of n runs are at most alpha (or
// beta, for passes), up to three standard errors of sampling.
func within(t *testing.T, what string, failures, n int, alpha float64) {
	t.Helper()
	share := float64(failures) / float64(n)
	slack := 3 * math.Sqrt(alpha*(1-alpha)/float64(n))
	t.Logf("%s: %d of %d runs (%.4f, bound %.3f)", what, failures, n, share, alpha)
	if share > alpha+slack {
		t.Errorf("%s: %.4f of runs, more than the bound %.3f + %.4f", what, share, alpha, slack)
	}
}

// On A/A data the count test, looked at after every tick for a minute of
// 50 req/s, fails the canary at most alpha of the time, across seeds and
// error rates.
func TestCountTestAAFalseAlarms(t *testing.T) {
	const runs = 300
	for _, c := range []struct {
		p, weight, alpha, minEffect float64
	}{
		{0.01, 0.1, 0.05, 0},
		{0.05, 0.5, 0.05, 0},
		{0.2, 0.1, 0.1, 0},
	} {
		fails := 0
		for seed := range runs {
			rng := rand.New(rand.NewPCG(uint64(seed), 19))
			if aaCountFails(rng, 600, 50, c.weight, c.p, SequentialConfig{Alpha: c.alpha, MinEffect: c.minEffect}) {
				fails++
			}
		}
		within(t, "counts failed", fails, runs, c.alpha)
	}
}

// geometric bin edges from 1ms by 1/8 octaves, as the router's bins.
func testEdges() []float64 {
	up := make([]float64, 120)
	for i := range up {
		up[i] = 0.001 * math.Pow(2, float64(i+1)/8)
	}
	return up
}

func binIndex(up []float64, v float64) int {
	for i, u := range up {
		if v < u {
			return i
		}
	}
	return len(up) - 1
}

// On A/A log-normal latencies the quantile confidence sequences, looked
// at after every observation, fail the canary at most alpha of the time.
func TestQuantileTestAAFalseAlarms(t *testing.T) {
	const runs = 150
	up := testEdges()
	for _, q := range []float64{0.5, 0.99} {
		cfg := SequentialConfig{Alpha: 0.1}
		fails := 0
		for seed := range runs {
			qt := NewQuantileTest(cfg, q)
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			canary, base := make([]int64, len(up)), make([]int64, len(up))
			for range 3000 {
				v := math.Exp(-4 + 0.5*rng.NormFloat64())
				if rng.Float64() < 0.1 {
					canary[binIndex(up, v)]++
				} else {
					base[binIndex(up, v)]++
				}
				if qt.State(canary, base, up).Verdict == Fail {
					fails++
					break
				}
			}
		}
		within(t, "quantiles failed", fails, runs, cfg.Alpha)
	}
}

// The judges find what they should: a canary failing 20% of requests
// against 1% fails, a doubled latency fails, a canary as good passes.
func TestSequentialJudgesDecide(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ct := NewCountTest(SequentialConfig{Alpha: 0.05, MinEffect: 0.5})
	for range 100 {
		ct.Add(10, int64(poisson(rng, 2)), 90, int64(poisson(rng, 0.9)))
	}
	if m := ct.Measure("errors"); m.Verdict != Fail {
		t.Errorf("20%% vs 1%% errors: %s: %s", m.Verdict, m.Reason)
	}
	ct = NewCountTest(SequentialConfig{Alpha: 0.05, MinEffect: 0.5})
	for range 2000 {
		ct.Add(50, int64(poisson(rng, 5)), 50, int64(poisson(rng, 5)))
	}
	if m := ct.Measure("errors"); m.Verdict != Pass {
		t.Errorf("10%% vs 10%% errors over 200,000 requests: %s: %s", m.Verdict, m.Reason)
	}
	up := testEdges()
	for _, c := range []struct {
		scale float64
		want  Verdict
	}{{2, Fail}, {1, Pass}} {
		canary, base := make([]int64, len(up)), make([]int64, len(up))
		for range 5000 {
			canary[binIndex(up, c.scale*math.Exp(-4+0.5*rng.NormFloat64()))]++
			base[binIndex(up, math.Exp(-4+0.5*rng.NormFloat64()))]++
		}
		m := NewQuantileTest(SequentialConfig{Alpha: 0.05, MinEffect: 0.5, Unit: "s"}, 0.99).Measure("latency", canary, base, up)
		if m.Verdict != c.want {
			t.Errorf("latency x%v: %s, want %s: %s", c.scale, m.Verdict, c.want, m.Reason)
		}
	}
}

// The interval a QuantileTest keeps between looks, stepped from the last
// one, is the one a fresh search finds, for every n and for jumps.
func TestQuantileSeqStepsAsSearch(t *testing.T) {
	for _, q := range []float64{0.5, 0.9, 0.99} {
		qs := quantileSeq{q: q, bound: math.Log(2 / 0.05)}
		for n := int64(1); n < 3000; n += 1 + n/500 + (n%97)/90*100 {
			lo, hi := qs.interval(n)
			wantLo, wantHi := countInterval(n, q, qs.bound)
			if lo != wantLo || hi != wantHi {
				t.Fatalf("q %v n %d: stepped [%d, %d], searched [%d, %d]", q, n, lo, hi, wantLo, wantHi)
			}
		}
	}
}
