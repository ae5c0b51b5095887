package analysis

import (
	"fmt"
	"math"
	"strconv"
)

// SequentialConfig says how the sequential judges (CountTest,
// CompareQuantiles) decide. Unlike Compare, they may be asked after
// every observation: the chance that a canary as good as its baseline is
// ever failed stays below Alpha.
type SequentialConfig struct {
	// Alpha bounds the probability of failing a canary that is no worse
	// than its baseline, over the whole analysis; in (0, 0.5].
	Alpha float64
	// MinEffect is the relative regression tolerated: 0.5 lets the
	// canary's error rate (or latency quantile) be up to 1.5x the
	// baseline's. A canary passes once the confidence sequence rules
	// out anything worse, and fails only when a regression is proven
	// and the estimate is worse by more than this.
	MinEffect float64
	// Floor: a canary whose estimate is at or below it never fails (an
	// error rate, or a latency in seconds).
	Floor float64
	// Unit is appended to values in reasons, e.g. "s". Optional.
	Unit string
}

// Stats keys set by the sequential judges, with StatAlpha, StatMinEffect,
// StatEffect, StatCanarySamples and StatBaselineSamples.
const (
	// StatStatistic is the running statistic and StatBoundary the value
	// at which it decides a failure: ln of the e-value and ln(1/alpha)
	// for counts; the lower confidence bound of the canary/baseline
	// ratio and 1 for a quantile.
	StatStatistic = "statistic"
	StatBoundary  = "boundary"
	// StatEstimate is the canary/baseline ratio (of error rates, or of
	// the quantile); StatLower and StatUpper its confidence sequence at
	// level 1-alpha (0 and the largest float when unbounded).
	StatEstimate = "estimate"
	StatLower    = "lower"
	StatUpper    = "upper"
	// StatCanaryEvents and StatBaselineEvents are the sides' errors.
	StatCanaryEvents   = "canaryEvents"
	StatBaselineEvents = "baselineEvents"
	// StatCrossedAt is when the statistic first crossed its boundary,
	// in Unix seconds (set by whoever runs the judge on a clock).
	StatCrossedAt = "crossedAt"
)

// Validate reports whether cfg is usable.
func (cfg SequentialConfig) Validate() error {
	switch {
	case !(cfg.Alpha > 0 && cfg.Alpha <= 0.5):
		return fmt.Errorf("sequential: alpha %v must be in (0, 0.5]", cfg.Alpha)
	case !(cfg.MinEffect >= 0):
		return fmt.Errorf("sequential: minimum effect %v must be at least 0", cfg.MinEffect)
	}
	return nil
}

// Measure turns the test's state into a measurement of metric (the
// events are errors, so the value is the canary's error rate). While
// undecided it is Inconclusive with NoData: the analysis keeps
// collecting, up to its deadline.
func (t *CountTest) Measure(metric string) Measurement {
	s := t.State()
	rate := float64(t.CanaryEvents) / float64(max(t.CanaryN, 1))
	m := Measurement{Metric: metric, Value: rate, Samples: int(min(t.CanaryN, t.StableN)), Stats: map[string]float64{
		StatStatistic: s.LogE, StatBoundary: s.LogBound, StatEstimate: s.Estimate, StatLower: s.Lower, StatUpper: s.Upper,
		StatEffect: s.Estimate - 1, StatAlpha: t.cfg.Alpha, StatMinEffect: t.cfg.MinEffect,
		StatCanarySamples: float64(t.CanaryN), StatBaselineSamples: float64(t.StableN),
		StatCanaryEvents: float64(t.CanaryEvents), StatBaselineEvents: float64(t.StableEvents),
	}}
	base := float64(t.StableEvents) / float64(max(t.StableN, 1))
	head := fmt.Sprintf("%s: errors %d/%d (%s) vs baseline %d/%d (%s), ratio %s [%s, %s], e=%s (fails at %s)",
		metric, t.CanaryEvents, t.CanaryN, percentOf(rate), t.StableEvents, t.StableN, percentOf(base),
		num(s.Estimate), num(s.Lower), num(s.Upper), num(math.Exp(s.LogE)), num(math.Exp(s.LogBound)))
	return m.sequential(s.Verdict, head, t.cfg.MinEffect)
}

// sequential sets the verdict and the reason of a sequential judgement.
func (m Measurement) sequential(v Verdict, head string, minEffect float64) Measurement {
	switch v {
	case Fail:
		return m.judged(Fail, head+": regression proven, worse by more than the "+percent(minEffect)+" allowed")
	case Pass:
		return m.judged(Pass, head+": a regression over "+percent(minEffect)+" is ruled out")
	}
	m.NoData = true
	return m.judged(Inconclusive, head+": not decided yet, collecting")
}

// CompareQuantiles judges the canary's q-quantile (latency, higher is
// worse) against the baseline's from the histograms of everything each
// side answered since the analysis began (counts per bin with upper
// edges upper, as QuantileBounds). Each side gets a confidence sequence
// at level alpha/2, so the ratio's bounds, lower = lo_c/hi_b and upper =
// hi_c/lo_b, hold together at 1-alpha at any time. It fails once lower >
// 1 (a regression is proven) with the estimated ratio worse by more than
// MinEffect and the canary's quantile above Floor; it passes once upper
// <= 1+MinEffect or the canary's upper bound is at or below Floor.
func CompareQuantiles(cfg SequentialConfig, metric string, q float64, canary, baseline []int64, upper []float64) Measurement {
	m := Measurement{Metric: metric}
	if err := cfg.Validate(); err != nil {
		return m.judged(Error, err.Error())
	}
	cLo, cHi, cn := QuantileBounds(canary, upper, q, cfg.Alpha/2)
	bLo, bHi, bn := QuantileBounds(baseline, upper, q, cfg.Alpha/2)
	c, b := QuantileEstimate(canary, upper, q), QuantileEstimate(baseline, upper, q)
	lower, up, est := ratio(cLo, bHi), ratio(cHi, bLo), ratio(c, b)
	m.Value, m.Samples = c, int(min(cn, bn))
	m.Stats = map[string]float64{
		StatStatistic: lower, StatBoundary: 1, StatEstimate: est, StatLower: lower, StatUpper: up,
		StatEffect: est - 1, StatAlpha: cfg.Alpha, StatMinEffect: cfg.MinEffect, StatAbsoluteFloor: cfg.Floor,
		StatCanaryMedian: c, StatBaselineMedian: b, StatCanarySamples: float64(cn), StatBaselineSamples: float64(bn),
	}
	head := fmt.Sprintf("%s p%s %s [%s, %s] vs baseline %s [%s, %s] over %d and %d requests: ratio %s [%s, %s]",
		metric, num(q*100), cfg.format(c), cfg.format(cLo), cfg.format(cHi), cfg.format(b), cfg.format(bLo), cfg.format(bHi),
		cn, bn, num(est), num(lower), num(up))
	v := Pending
	switch {
	case lower > 1 && est-1 > cfg.MinEffect && c > cfg.Floor:
		v = Fail
	case cn > 0 && bn > 0 && (up <= 1+cfg.MinEffect || cHi <= cfg.Floor):
		v = Pass
	}
	return m.sequential(v, head, cfg.MinEffect)
}

// ratio is a/b, +Inf for a positive a over 0, and 0 for 0 over anything.
func ratio(a, b float64) float64 {
	switch {
	case a == 0:
		return 0
	case b == 0:
		return math.Inf(1)
	}
	return a / b
}

func (cfg SequentialConfig) format(v float64) string { return num(v) + cfg.Unit }

func percentOf(f float64) string { return strconv.FormatFloat(f*100, 'g', 3, 64) + "%" }

// Totals is what one revision answered since counting began, as a
// sequential judge reads it on every tick: requests, errors, and the
// latency histogram (counts per bin, bins given by their upper edges
// elsewhere).
type Totals struct {
	Requests, Errors int64
	Latency          []int64
}
