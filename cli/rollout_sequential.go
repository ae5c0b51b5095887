package cli

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Keys of a measurement's Stats set by the sequential judges (documented
// with analysis.SequentialConfig).
const (
	statStatistic      = "statistic"
	statBoundary       = "boundary"
	statEstimate       = "estimate"
	statLower          = "lower"
	statUpper          = "upper"
	statCanaryEvents   = "canaryEvents"
	statBaselineEvents = "baselineEvents"
	statCrossedAt      = "crossedAt"
	statPassStatistic  = "passStatistic"
	statPassBoundary   = "passBoundary"
	statBeta           = "beta"
	statRateUpper      = "rateUpper"
)

// isSequential reports whether stats are a sequential judge's.
func isSequential(stats map[string]float64) bool {
	_, ok := stats[statStatistic]
	return ok
}

// sequentialStats lists what a sequential judgement rests on: the running
// statistics of the failure and of the pass against their boundaries and
// when one crossed, the estimate with its confidence sequence, and the
// observations, e.g. "e=37.8 boundary=20 pass=0.4 boundary=5
// crossed=12:00:05.8Z estimate=+Inf [1.3, +Inf] n=25/265 errors=5/0".
func sequentialStats(stats map[string]float64) string {
	var parts []string
	_, counts := stats[statCanaryEvents]
	if counts { // the statistic is ln of an e-value
		parts = append(parts, "e="+bounded(math.Exp(stats[statStatistic])), "boundary="+num(math.Exp(stats[statBoundary])))
		if v, ok := stats[statPassStatistic]; ok { // ln of the e-value against a regression of minEffect
			parts = append(parts, "pass="+bounded(math.Exp(v)), "boundary="+num(math.Exp(stats[statPassBoundary])))
		}
		if v, ok := stats[statRateUpper]; ok { // the pass under the floor
			parts = append(parts, "errorRate<="+percent(v), "floor="+percent(stats[statAbsoluteFloor]))
		}
	} else { // the lower bound of the canary/baseline ratio of a quantile
		parts = append(parts, "ratioLower="+bounded(stats[statStatistic]), "boundary="+num(stats[statBoundary]))
		if v, ok := stats[statPassStatistic]; ok { // its upper bound at beta
			parts = append(parts, "ratioUpper="+bounded(v), "boundary="+num(stats[statPassBoundary]))
		}
	}
	if at, ok := stats[statCrossedAt]; ok && at > 0 {
		t := time.UnixMilli(int64(math.Round(at * 1000))).UTC()
		parts = append(parts, "crossed="+t.Format("15:04:05.000Z"))
	}
	parts = append(parts, fmt.Sprintf("estimate=%s [%s, %s]", bounded(stats[statEstimate]), bounded(stats[statLower]), bounded(stats[statUpper])))
	parts = append(parts, fmt.Sprintf("n=%s/%s", num(stats[statCanarySamples]), num(stats[statBaseSamples])))
	if counts {
		parts = append(parts, fmt.Sprintf("errors=%s/%s", num(stats[statCanaryEvents]), num(stats[statBaselineEvents])))
	}
	if v, ok := stats[statAlpha]; ok {
		parts = append(parts, "alpha="+num(v))
	}
	if v, ok := stats[statBeta]; ok {
		parts = append(parts, "beta="+num(v))
	}
	return strings.Join(parts, " ")
}

// bounded writes a number that the store keeps finite: the largest
// floats stand for infinity (an unbounded confidence sequence).
func bounded(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case v >= math.MaxFloat64/2 || math.IsInf(v, 1):
		return "+Inf"
	}
	return num(v)
}
