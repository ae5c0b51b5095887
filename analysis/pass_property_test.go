package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// passesBad simulates ticks of 100ms at 50 req/s, 10% to the canary,
// stable failing with probability ps and the canary with pc, and
// reports whether the count test ever passed the canary when checked
// after every tick.
func passesBad(rng *rand.Rand, ticks int, pc, ps float64, cfg SequentialConfig) bool {
	ct := NewCountTest(cfg)
	for range ticks {
		var cn, ce, sn, se int64
		for range poisson(rng, 5) {
			if rng.Float64() < 0.1 {
				cn++
				ce += b2i(rng.Float64() < pc)
			} else {
				sn++
				se += b2i(rng.Float64() < ps)
			}
		}
		ct.Add(cn, ce, sn, se)
		if ct.State().Verdict == Pass {
			return true
		}
	}
	return false
}

// A canary worse by MinEffect, or failing at its floor, passes at most
// beta of the time, however often the count test is looked at: the pass
// side's guarantee, which is what lets it ask for less evidence.
func TestCountTestPassesABadCanaryAtMostBeta(t *testing.T) {
	const runs = 300
	for _, c := range []struct {
		name          string
		pc, ps, floor float64
		ticks         int
	}{
		{"errors 15% vs 10%: 1.5x", 0.15, 0.1, 0, 3000},
		{"errors 1% at a floor of 1%", 0.01, 0, 0.01, 6000},
	} {
		cfg := SequentialConfig{Alpha: 0.05, Beta: 0.2, MinEffect: 0.5, Floor: c.floor, Weight: 0.1}
		passes := 0
		for seed := range runs {
			if passesBad(rand.New(rand.NewPCG(uint64(seed), 23)), c.ticks, c.pc, c.ps, cfg) {
				passes++
			}
		}
		within(t, c.name+": passed", passes, runs, cfg.Beta)
	}
}

// Beta moves only the pass: the same data fail as they would at Beta =
// Alpha, and pass no later; a good canary passes sooner.
func TestBetaMovesOnlyThePass(t *testing.T) {
	firstPass := func(beta float64) (int, [2]int) {
		rng := rand.New(rand.NewPCG(5, 8))
		ct := NewCountTest(SequentialConfig{Alpha: 0.05, Beta: beta, MinEffect: 0.5, Floor: 0.01, Weight: 0.1})
		for i := range 6000 {
			ct.Add(5, 0, 45, int64(poisson(rng, 0.45)))
			if s := ct.State(); s.Verdict == Pass {
				return i, [2]int{int(ct.CanaryN), int(ct.CanaryEvents)}
			}
		}
		return -1, [2]int{}
	}
	strict, _ := firstPass(0.05)
	quick, counts := firstPass(0.2)
	if quick < 0 || strict < 0 || quick >= strict {
		t.Errorf("no canary errors, a floor of 1%%: passes at tick %d at beta 0.2 (%v), %d at beta 0.05: want both, sooner at 0.2", quick, counts, strict)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	a := NewCountTest(SequentialConfig{Alpha: 0.05, MinEffect: 0.5, Weight: 0.1})
	b := NewCountTest(SequentialConfig{Alpha: 0.05, Beta: 0.3, MinEffect: 0.5, Weight: 0.1})
	for range 400 {
		ce, se := int64(poisson(rng, 0.2)), int64(poisson(rng, 0.1))
		a.Add(5, ce, 45, se)
		b.Add(5, ce, 45, se)
		sa, sb := a.State(), b.State()
		if sa.LogE != sb.LogE || (sa.Verdict == Fail) != (sb.Verdict == Fail) || (sa.Verdict == Pass && sb.Verdict != Pass) {
			t.Fatalf("beta 0.3 against none: %+v and %+v", sb, sa)
		}
	}
}

// The quantile test's pass side at beta: a latency 1.5x stable's passes
// at most beta of the time; the same latencies pass sooner at a larger
// beta, and fail alike.
func TestQuantileTestPassSide(t *testing.T) {
	up := testEdges()
	const runs = 100
	passes := 0
	for seed := range runs {
		qt := NewQuantileTest(SequentialConfig{Alpha: 0.05, Beta: 0.2, MinEffect: 0.5}, 0.5)
		rng := rand.New(rand.NewPCG(uint64(seed), 11))
		canary, base := make([]int64, len(up)), make([]int64, len(up))
		for range 4000 {
			if rng.Float64() < 0.1 {
				canary[binIndex(up, 1.5*math.Exp(-4+0.5*rng.NormFloat64()))]++
			} else {
				base[binIndex(up, math.Exp(-4+0.5*rng.NormFloat64()))]++
			}
			if qt.State(canary, base, up).Verdict == Pass {
				passes++
				break
			}
		}
	}
	within(t, "p50 1.5x: passed", passes, runs, 0.2)

	rng := rand.New(rand.NewPCG(9, 9))
	strict := NewQuantileTest(SequentialConfig{Alpha: 0.05, MinEffect: 0.5}, 0.5)
	quick := NewQuantileTest(SequentialConfig{Alpha: 0.05, Beta: 0.2, MinEffect: 0.5}, 0.5)
	canary, base := make([]int64, len(up)), make([]int64, len(up))
	passedQuick := -1
	for i := range 3000 {
		if i%10 == 0 {
			canary[binIndex(up, math.Exp(-4+0.5*rng.NormFloat64()))]++
		} else {
			base[binIndex(up, math.Exp(-4+0.5*rng.NormFloat64()))]++
		}
		s, q := strict.State(canary, base, up), quick.State(canary, base, up)
		if s.Lower != q.Lower || s.Upper != q.Upper || q.PassUpper > q.Upper || (s.Verdict == Fail) != (q.Verdict == Fail) {
			t.Fatalf("at %d: beta 0.2 %+v, none %+v", i, q, s)
		}
		if q.Verdict == Pass && passedQuick < 0 {
			passedQuick = i
		}
		if s.Verdict == Pass {
			if passedQuick < 0 || passedQuick >= i {
				t.Errorf("same latencies: passed at %d at beta 0.05, at %d at beta 0.2: want sooner", i, passedQuick)
			}
			return
		}
	}
	t.Errorf("same latencies: no pass at beta 0.05 in 3000 requests (at beta 0.2: %d)", passedQuick)
}
