package analysis

import (
	"fmt"
	"math"
	"strconv"
)

// SequentialConfig says how the sequential judges (CountTest,
// QuantileTest) decide. Unlike Compare, they may be asked after
// every observation: the chance that a canary as good as its baseline is
// ever failed stays below Alpha.
type SequentialConfig struct {
	// Alpha bounds the probability of failing a canary that is no worse
	// than its baseline, over the whole analysis; in (0, 0.5].
	Alpha float64
	// Beta bounds the probability of passing a canary that is worse by
	// MinEffect (and above Floor), over the whole analysis: the pass
	// side's level, in (0, 0.5]; 0 is Alpha. A pass is the end of the
	// canary's wait, not a finding anyone acts on as they would on a
	// failure, so it may ask for less evidence, and then comes sooner.
	Beta float64
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
	// Weight is the canary's configured share of requests, in (0, 1),
	// where the count test's estimate of the share starts; 0 when
	// unknown (it then starts from the first requests).
	Weight float64
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
	// StatPassStatistic is the statistic that decides a pass and
	// StatPassBoundary the value at which it does: ln of the e-value
	// against a regression of MinEffect and ln(1/beta) for counts; the
	// upper confidence bound of the ratio at level 1-beta and
	// 1+MinEffect for a quantile. StatBeta is the pass side's level.
	StatPassStatistic = "passStatistic"
	StatPassBoundary  = "passBoundary"
	StatBeta          = "beta"
	// StatRateUpper bounds the canary's error rate at level 1-beta: the
	// count test passes once it is at or below StatAbsoluteFloor.
	StatRateUpper = "rateUpper"
	// StatCrossedAt is when the statistic first crossed its boundary,
	// in Unix seconds (set by whoever runs the judge on a clock).
	StatCrossedAt = "crossedAt"
)

// Validate reports whether cfg is usable.
func (cfg SequentialConfig) Validate() error {
	switch {
	case !(cfg.Alpha > 0 && cfg.Alpha <= 0.5):
		return fmt.Errorf("sequential: alpha %v must be in (0, 0.5]", cfg.Alpha)
	case !(cfg.Beta >= 0 && cfg.Beta <= 0.5):
		return fmt.Errorf("sequential: beta %v must be in (0, 0.5]", cfg.Beta)
	case !(cfg.MinEffect >= 0):
		return fmt.Errorf("sequential: minimum effect %v must be at least 0", cfg.MinEffect)
	}
	return nil
}

// beta is the pass side's level: Beta, or Alpha when Beta is 0.
func (cfg SequentialConfig) beta() float64 {
	if cfg.Beta > 0 {
		return cfg.Beta
	}
	return cfg.Alpha
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
		StatPassStatistic: s.LogPass, StatPassBoundary: s.LogPassBound, StatBeta: t.cfg.beta(),
	}}
	if t.cfg.Floor > 0 {
		m.Stats[StatAbsoluteFloor] = t.cfg.Floor
		m.Stats[StatRateUpper] = RateUpper(t.CanaryEvents, t.CanaryN, t.cfg.Floor, t.cfg.beta())
	}
	base := float64(t.StableEvents) / float64(max(t.StableN, 1))
	head := fmt.Sprintf("%s: errors %d/%d (%s) vs baseline %d/%d (%s), ratio %s [%s, %s], e=%s (fails at %s), pass e=%s (passes at %s)",
		metric, t.CanaryEvents, t.CanaryN, percentOf(rate), t.StableEvents, t.StableN, percentOf(base),
		num(s.Estimate), num(s.Lower), num(s.Upper), num(math.Exp(s.LogE)), num(math.Exp(s.LogBound)),
		num(math.Exp(s.LogPass)), num(math.Exp(s.LogPassBound)))
	if up, ok := m.Stats[StatRateUpper]; ok {
		head += fmt.Sprintf(", error rate at most %s (passes at %s)", percentOf(up), percentOf(t.cfg.Floor))
	}
	if s.Verdict == Pass && !(t.edge.score < 0 && s.LogPass >= s.LogPassBound) { // on the floor, not on the ratio
		return m.judged(Pass, head+": the error rate is proven at or under the floor of "+percentOf(t.cfg.Floor))
	}
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

// QuantileTest judges the canary's q-quantile (latency, higher is worse)
// against the baseline's, from the histograms of everything each side
// answered since the analysis began (counts per bin with upper edges, as
// QuantileBounds). Each side gets a confidence sequence at level
// alpha/2, so the ratio's bounds, lower = lo_c/hi_b and upper =
// hi_c/lo_b, hold together at 1-alpha at any time. It fails once lower >
// 1 (a regression is proven) with the estimated ratio worse by more than
// MinEffect and the canary's quantile above Floor. It passes on the
// same bounds at level beta (each side's at beta/2): once the upper
// bound of the ratio is at most 1+MinEffect or the canary's upper bound
// is at or below Floor.
//
// It keeps each side's interval of plausible counts between looks, so a
// look costs a few evaluations and two passes over the bins. The zero
// QuantileTest is not ready: use NewQuantileTest.
type QuantileTest struct {
	cfg  SequentialConfig
	q    float64
	c, b quantileSeq // at alpha/2: the failure's bounds
	// pc and pb are the pass's, at beta/2: c and b when beta is alpha.
	pc, pb *quantileSeq
}

// NewQuantileTest returns a test of the q-quantile judged by cfg.
func NewQuantileTest(cfg SequentialConfig, q float64) *QuantileTest {
	bound := math.Log(2 / cfg.Alpha)
	t := &QuantileTest{cfg: cfg, q: q, c: quantileSeq{q: q, bound: bound}, b: quantileSeq{q: q, bound: bound}}
	t.pc, t.pb = &t.c, &t.b
	if cfg.beta() != cfg.Alpha {
		pass := math.Log(2 / cfg.beta())
		t.pc, t.pb = &quantileSeq{q: q, bound: pass}, &quantileSeq{q: q, bound: pass}
	}
	return t
}

// QuantileState is where a QuantileTest stands.
type QuantileState struct {
	// Canary and Baseline are the sides' estimates (nearest rank, a
	// bin's midpoint), with their confidence sequences [Lo, Hi] at
	// level 1-alpha/2.
	Canary, CanaryLo, CanaryHi       float64
	Baseline, BaselineLo, BaselineHi float64
	CanaryN, BaselineN               int64
	// Estimate is Canary/Baseline; Lower and Upper bound the ratio.
	Estimate, Lower, Upper float64
	// PassCanaryHi and PassUpper are CanaryHi and Upper at level beta:
	// the pass's.
	PassCanaryHi, PassUpper float64
	Verdict                 Verdict // Pass, Fail, or Pending while undecided
}

// State evaluates the test on the histograms of now. It allocates
// nothing.
func (t *QuantileTest) State(canary, baseline []int64, upper []float64) QuantileState {
	var s QuantileState
	for _, c := range canary {
		s.CanaryN += c
	}
	for _, c := range baseline {
		s.BaselineN += c
	}
	s.CanaryLo, s.CanaryHi = sideBounds(&t.c, canary, upper, s.CanaryN)
	s.BaselineLo, s.BaselineHi = sideBounds(&t.b, baseline, upper, s.BaselineN)
	s.Canary, s.Baseline = QuantileEstimate(canary, upper, t.q), QuantileEstimate(baseline, upper, t.q)
	s.Lower, s.Upper, s.Estimate = ratio(s.CanaryLo, s.BaselineHi), ratio(s.CanaryHi, s.BaselineLo), ratio(s.Canary, s.Baseline)
	s.PassCanaryHi, s.PassUpper = s.CanaryHi, s.Upper
	if t.pc != &t.c {
		_, s.PassCanaryHi = sideBounds(t.pc, canary, upper, s.CanaryN)
		baseLo, _ := sideBounds(t.pb, baseline, upper, s.BaselineN)
		s.PassUpper = ratio(s.PassCanaryHi, baseLo)
	}
	s.Verdict = Pending
	switch {
	case s.Lower > 1 && s.Estimate-1 > t.cfg.MinEffect && s.Canary > t.cfg.Floor:
		s.Verdict = Fail
	case s.CanaryN > 0 && s.BaselineN > 0 && (s.PassUpper <= 1+t.cfg.MinEffect || s.PassCanaryHi <= t.cfg.Floor):
		s.Verdict = Pass
	}
	return s
}

// sideBounds is one side's confidence sequence on the quantile, kept by
// qs: [0, +Inf] without values.
func sideBounds(qs *quantileSeq, counts []int64, upper []float64, n int64) (lo, hi float64) {
	if n == 0 {
		return 0, math.Inf(1)
	}
	sLo, sHi := qs.interval(n)
	return boundsAt(counts, upper, sLo, sHi)
}

// Measure turns the test's state into a measurement of metric.
func (t *QuantileTest) Measure(metric string, canary, baseline []int64, upper []float64) Measurement {
	m := Measurement{Metric: metric}
	if err := t.cfg.Validate(); err != nil {
		return m.judged(Error, err.Error())
	}
	s := t.State(canary, baseline, upper)
	m.Value, m.Samples = s.Canary, int(min(s.CanaryN, s.BaselineN))
	m.Stats = map[string]float64{
		StatStatistic: s.Lower, StatBoundary: 1, StatEstimate: s.Estimate, StatLower: s.Lower, StatUpper: s.Upper,
		StatPassStatistic: s.PassUpper, StatPassBoundary: 1 + t.cfg.MinEffect, StatBeta: t.cfg.beta(),
		StatEffect: s.Estimate - 1, StatAlpha: t.cfg.Alpha, StatMinEffect: t.cfg.MinEffect, StatAbsoluteFloor: t.cfg.Floor,
		StatCanarySamples: float64(s.CanaryN), StatBaselineSamples: float64(s.BaselineN),
	}
	cfg := t.cfg
	head := fmt.Sprintf("%s p%s %s [%s, %s] vs baseline %s [%s, %s] over %d and %d requests: ratio %s [%s, %s]",
		metric, num(t.q*100), cfg.format(s.Canary), cfg.format(s.CanaryLo), cfg.format(s.CanaryHi),
		cfg.format(s.Baseline), cfg.format(s.BaselineLo), cfg.format(s.BaselineHi),
		s.CanaryN, s.BaselineN, num(s.Estimate), num(s.Lower), num(s.Upper))
	if t.pc != &t.c {
		head += fmt.Sprintf(", at most %s at beta %s", num(s.PassUpper), num(cfg.beta()))
	}
	return m.sequential(s.Verdict, head, t.cfg.MinEffect)
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
