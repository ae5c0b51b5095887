package analysis

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// DefaultMinSamples is the number of samples each side needs when
// CompareConfig.MinSamples is zero. Below about 8 a side the normal
// approximation of MannWhitneyU is poor, and a verdict on less is a guess.
const DefaultMinSamples = 10

// CompareConfig says how Compare judges a canary against its baseline.
// The zero value is not valid: Confidence must be set.
type CompareConfig struct {
	// Confidence is the confidence level of the test, in (0, 1), e.g.
	// 0.95: a difference counts when p < 1 - Confidence.
	Confidence float64
	// MinEffect is the relative change tolerated even when significant:
	// 0.5 lets the canary's median be up to 1.5x the baseline's (or, when
	// lower is worse, down to 0.5x).
	MinEffect float64
	// AbsoluteFloor: when HigherIsWorse, a canary median at or below it
	// always passes (e.g. 10ms of latency is fine whatever the baseline
	// does). Ignored when lower is worse; use a Condition for that.
	AbsoluteFloor float64
	// MinSamples is the samples each side needs for a verdict; fewer is
	// Inconclusive. Zero means DefaultMinSamples.
	MinSamples int
	// HigherIsWorse is true for latency and error rates, false for success
	// rates and throughput.
	HigherIsWorse bool
	// Unit is appended to values in reasons, e.g. "ms". Optional.
	Unit string
}

// Stats keys set by Compare.
const (
	StatCanaryMedian    = "canaryMedian"
	StatBaselineMedian  = "baselineMedian"
	StatEffect          = "effect" // relative change in the bad direction: +0.3 is 30% worse
	StatPValue          = "p"
	StatAlpha           = "alpha" // 1 - Confidence
	StatU               = "u"
	StatZ               = "z"
	StatCanarySamples   = "canarySamples"
	StatBaselineSamples = "baselineSamples"
	StatMinEffect       = "minEffect"
	StatAbsoluteFloor   = "absoluteFloor"
)

// Compare judges canary samples against baseline samples of the same
// metric over the same window. It fails the canary only when all three hold:
//
//  1. the difference is significant: MannWhitneyU's p < 1 - Confidence;
//  2. it is in the bad direction by more than MinEffect (relative change of
//     the medians: canary/baseline - 1 when higher is worse, 1 -
//     canary/baseline when lower is worse);
//  3. when higher is worse, the canary median is above AbsoluteFloor.
//
// Fewer than MinSamples on either side is Inconclusive: not enough data is
// not a pass. NaN samples or an invalid config are an Error.
func Compare(cfg CompareConfig, metric string, canary, baseline []float64) Measurement {
	m := Measurement{Metric: metric, Samples: min(len(canary), len(baseline))}
	if err := cfg.validate(); err != nil {
		return m.judged(Error, err.Error())
	}
	minN := cfg.minSamples()
	if len(canary) < minN || len(baseline) < minN {
		m.Stats = map[string]float64{StatCanarySamples: float64(len(canary)), StatBaselineSamples: float64(len(baseline))}
		m.NoData = true
		return m.judged(Inconclusive, fmt.Sprintf("%s: %d canary and %d baseline samples, need %d each: not enough data is not a pass",
			metric, len(canary), len(baseline), minN))
	}
	sc, err := sortedCopy(canary)
	if err != nil {
		return m.judged(Error, fmt.Sprintf("%s canary: %v", metric, err))
	}
	sb, err := sortedCopy(baseline)
	if err != nil {
		return m.judged(Error, fmt.Sprintf("%s baseline: %v", metric, err))
	}
	res := mannWhitneySorted(sc, sb)
	c, b := medianSorted(sc), medianSorted(sb)
	effect := cfg.effect(c, b)
	m.Value = c
	m.Stats = cfg.stats(res, c, b, effect)
	m.Spreads = &Spreads{Canary: spreadOf(sc), Baseline: spreadOf(sb)}
	return m.judged(cfg.decide(res.PValue, c, effect), cfg.reason(metric, res.PValue, c, b, effect))
}

func (m Measurement) judged(v Verdict, reason string) Measurement {
	m.Verdict, m.Reason = v, reason
	return m
}

func (cfg CompareConfig) validate() error {
	switch {
	case !(cfg.Confidence > 0 && cfg.Confidence < 1):
		return fmt.Errorf("compare: confidence %v must be between 0 and 1", cfg.Confidence)
	case cfg.MinEffect < 0 || math.IsNaN(cfg.MinEffect):
		return fmt.Errorf("compare: minimum effect %v must be at least 0", cfg.MinEffect)
	case cfg.MinSamples < 0:
		return fmt.Errorf("compare: minimum samples %d must be at least 0", cfg.MinSamples)
	}
	return nil
}

func (cfg CompareConfig) minSamples() int {
	if cfg.MinSamples == 0 {
		return DefaultMinSamples
	}
	return cfg.MinSamples
}

// effect is the relative change of the canary median in the bad direction.
// A zero baseline makes any bad move infinitely large, and no move zero.
func (cfg CompareConfig) effect(canary, baseline float64) float64 {
	if baseline == 0 {
		switch {
		case canary == 0:
			return 0
		case (canary > 0) == cfg.HigherIsWorse:
			return math.Inf(1)
		default:
			return math.Inf(-1)
		}
	}
	rel := canary/baseline - 1
	if !cfg.HigherIsWorse {
		rel = -rel
	}
	return rel
}

func (cfg CompareConfig) decide(p, canary, effect float64) Verdict {
	significant := p < 1-cfg.Confidence
	worse := effect > cfg.MinEffect
	aboveFloor := !cfg.HigherIsWorse || canary > cfg.AbsoluteFloor
	if significant && worse && aboveFloor {
		return Fail
	}
	return Pass
}

func (cfg CompareConfig) stats(r Result, c, b, effect float64) map[string]float64 {
	return map[string]float64{
		StatCanaryMedian: c, StatBaselineMedian: b, StatEffect: effect,
		StatPValue: r.PValue, StatAlpha: 1 - cfg.Confidence, StatU: r.U, StatZ: r.Z,
		StatCanarySamples: float64(r.N1), StatBaselineSamples: float64(r.N2),
		StatMinEffect: cfg.MinEffect, StatAbsoluteFloor: cfg.AbsoluteFloor,
	}
}

// reason writes the one line a person reads in `slipway rollout explain`:
// "latencyP99 12.1ms vs baseline 5.3ms (+128%, p=0.003 < 0.05): worse by more than the 50% allowed".
func (cfg CompareConfig) reason(metric string, p, c, b, effect float64) string {
	alpha := 1 - cfg.Confidence
	cmp := "<"
	if p >= alpha {
		cmp = ">="
	}
	head := fmt.Sprintf("%s %s vs baseline %s (%s, p=%s %s %s)", metric, cfg.format(c), cfg.format(b),
		change(c, b), num(p), cmp, num(alpha))
	var why string
	switch {
	case cfg.HigherIsWorse && c <= cfg.AbsoluteFloor && cfg.AbsoluteFloor > 0:
		why = fmt.Sprintf("at or below the %s floor", cfg.format(cfg.AbsoluteFloor))
	case p >= alpha:
		why = "no significant difference"
	case effect <= 0:
		why = "better than or equal to baseline"
	case effect <= cfg.MinEffect:
		why = fmt.Sprintf("worse, but within the %s allowed", percent(cfg.MinEffect))
	default:
		why = fmt.Sprintf("worse by more than the %s allowed", percent(cfg.MinEffect))
	}
	return head + ": " + why
}

func (cfg CompareConfig) format(v float64) string { return num(v) + cfg.Unit }

func num(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', -1, 64) + "%" }

// change is the plain relative change of c against b, e.g. "+128%".
func change(c, b float64) string {
	if b == 0 {
		if c == 0 {
			return "+0%"
		}
		return "from 0"
	}
	return fmt.Sprintf("%+.0f%%", (c/b-1)*100)
}

// median returns the median of xs (the mean of the middle two for an even
// count) without modifying xs.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return medianSorted(s)
}

func medianSorted(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
