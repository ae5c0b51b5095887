package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/api"
)

// Canary outcomes and the words of the wire's canary view (api.Canary,
// api.MetricRun) that the rollout commands read.
const (
	outcomePromoted   = "Promoted"
	outcomeRolledBack = "RolledBack"
	phaseReady        = "Ready"
	phaseFailed       = "Failed"
	// judgeCompare is the Judge of a metric compared with the baseline.
	judgeCompare = "compare: baseline"
	verdictPass  = "pass"
)

// Keys of a measurement's Stats set by a baseline comparison (they are
// documented with analysis.Compare).
const (
	statP              = "p"
	statAlpha          = "alpha"
	statEffect         = "effect"
	statMinEffect      = "minEffect"
	statCanaryMedian   = "canaryMedian"
	statBaselineMedian = "baselineMedian"
	statAbsoluteFloor  = "absoluteFloor"
	statCanarySamples  = "canarySamples"
	statBaseSamples    = "baselineSamples"
)

// inFlight reports whether s has a canary running for its target
// revision: the one the rollout verbs act on.
func inFlight(s api.Service) bool {
	c := s.Canary
	return c != nil && c.Outcome == "" && c.Revision == s.Revision
}

// currentCanary reports whether s's latest canary is about the rollout
// the service stands on: in flight, promoted into the target, or rolled
// back to it. A canary a later rollout replaced is history only.
func currentCanary(s api.Service) bool {
	c := s.Canary
	return c != nil && aboutTarget(s, c.Revision, c.Stable, c.Outcome)
}

// noCanaryReason says why s has no canary in flight, as the server does
// when a verb finds none (retry is offered only while the service still
// stands on the rolled-back canary's stable revision, as the server
// requires).
func noCanaryReason(s api.Service) string {
	c := s.Canary
	switch {
	case c != nil && c.Outcome == outcomeRolledBack && c.Stable == s.Revision:
		return fmt.Sprintf("its canary of revision %d was rolled back (%s); to try it again: slipway rollout retry %s",
			c.Revision, c.Reason, s.Name)
	case c != nil && c.Outcome == outcomePromoted && c.Revision == s.Revision:
		return fmt.Sprintf("its canary of revision %d was promoted", c.Revision)
	case s.Phase == phaseFailed:
		return fmt.Sprintf("its rollout of revision %d failed (%s)", s.Revision, s.Message)
	case s.Phase == phaseReady:
		return fmt.Sprintf("revision %d takes all traffic", s.Revision)
	}
	if s.ParallelRun != nil {
		return fmt.Sprintf("its rollout of revision %d uses neither the canary nor the parallel-run strategy", s.Revision)
	}
	return fmt.Sprintf("its rollout of revision %d does not use the canary strategy", s.Revision)
}

// stepText is where a canary stands in its steps: "3/5 setWeight: 50",
// "all steps done: scaling to full", "promoted: why", "rolled back: why".
func stepText(c *api.Canary) string {
	switch {
	case c.Outcome == outcomePromoted:
		return "promoted: " + c.Reason
	case c.Outcome == outcomeRolledBack:
		return "rolled back: " + c.Reason
	case c.Step >= c.Steps:
		return "all steps done: scaling to full"
	case c.Full:
		return fmt.Sprintf("promoted in full at step %d/%d: scaling to full", c.Step+1, c.Steps)
	case c.StepStarted.IsZero():
		return fmt.Sprintf("%s (waiting for revision %d's instances to be ready)", stepOf(c), c.Revision)
	}
	return stepOf(c)
}

// stepOf is the current step's number and name: "3/5 setWeight: 50".
func stepOf(c *api.Canary) string {
	return strings.TrimSpace(fmt.Sprintf("%d/%d %s", c.Step+1, c.Steps, c.StepName))
}

// waitsForPromote reports whether the canary's current step is a pause
// that only `rollout promote` ends, and it has begun.
func waitsForPromote(c *api.Canary) bool {
	return c.Outcome == "" && !c.Full && c.Step < c.Steps &&
		c.StepName == "pause: until promoted" && !c.StepStarted.IsZero()
}

// trafficText is the canary's split of the traffic: "stable r1 90% /
// canary r2 10%", or where all of it went when the canary ended.
func trafficText(c *api.Canary) string {
	switch c.Outcome {
	case outcomePromoted:
		return fmt.Sprintf("all on r%d (promoted)", c.Revision)
	case outcomeRolledBack:
		return fmt.Sprintf("all on r%d (stable)", c.Stable)
	}
	return fmt.Sprintf("stable r%d %d%% / canary r%d %d%%", c.Stable, 100-c.Weight, c.Revision, c.Weight)
}

// headerText is the header route to the canary, or "".
func headerText(c *api.Canary) string {
	if c.Header == "" || c.Outcome != "" {
		return ""
	}
	if c.HeaderValue == "" {
		return fmt.Sprintf("requests with header %s (any value) go to canary r%d", c.Header, c.Revision)
	}
	return fmt.Sprintf("requests with %s: %s go to canary r%d", c.Header, c.HeaderValue, c.Revision)
}

// runName names an analysis run: "background analysis", "analysis step 4".
func runName(r *api.AnalysisRun) string {
	if r.Step < 0 {
		return "background analysis"
	}
	return fmt.Sprintf("analysis step %d", r.Step+1)
}

// runState is a run's phase with its reason; a run still going when its
// canary ended says so (the server stops measuring it then).
func runState(c *api.Canary, r *api.AnalysisRun) string {
	if c.Outcome != "" && r.Ended.IsZero() {
		return r.Phase + " when the canary ended"
	}
	return phaseText(r.Phase, r.Reason)
}

// phaseText is a run's or metric's phase with its reason.
func phaseText(phase, reason string) string {
	if reason == "" {
		return phase
	}
	return phase + ": " + reason
}

// tallyText is a metric's tally as passes/failures/inconclusives/errors.
func tallyText(m api.MetricRun) string {
	return fmt.Sprintf("%d/%d/%d/%d", m.Passes, m.Failures, m.Inconclusives, m.Errors)
}

// isCompare reports whether the metric is judged against the baseline
// (by either judge: "compare: baseline", "compare: baseline, sequential").
func isCompare(m api.MetricRun) bool { return strings.HasPrefix(m.Judge, judgeCompare) }

// measuredText is what a measurement observed, against what it is
// judged by: "0.993 >= 0.99" for a condition, "p=0.003 effect +128%"
// for a baseline comparison, "no data" when there was nothing to judge.
func measuredText(m api.MetricRun, x api.Measurement) string {
	p, compared := x.Stats[statP]
	switch {
	case isSequential(x.Stats):
		return fmt.Sprintf("ratio %s [%s, %s]", bounded(x.Stats[statEstimate]), bounded(x.Stats[statLower]), bounded(x.Stats[statUpper]))
	case x.NoData:
		return "no data"
	case compared:
		return fmt.Sprintf("p=%s effect %s", num(p), signedPercent(x.Stats[statEffect]))
	case isCompare(m):
		return num(x.Value)
	}
	return versus(m.Judge, x.Value)
}

// versus puts a value in its success condition: "0.993 >= 0.99" for
// "result >= 0.99"; a condition that names the result more than once is
// kept whole beside the value.
func versus(judge string, v float64) string {
	const result = "result"
	switch {
	case judge == "":
		return num(v)
	case strings.HasPrefix(judge, result+" ") && strings.Count(judge, result) == 1:
		return num(v) + judge[len(result):]
	}
	return fmt.Sprintf("%s (%s)", num(v), judge)
}

// verdictText is a verdict, with its reason unless it passed.
func verdictText(x api.Measurement) string {
	if x.Verdict == verdictPass || x.Reason == "" {
		return x.Verdict
	}
	return x.Verdict + ": " + x.Reason
}

// keyStats lists the numbers a comparison's verdict rests on, in reading
// order: "p=0.003 alpha=0.05 effect=+128% minEffect=50% canary=12.1
// baseline=5.3"; or "-" when there are none.
func keyStats(stats map[string]float64) string {
	if isSequential(stats) {
		return sequentialStats(stats)
	}
	var parts []string
	add := func(key, label string, format func(float64) string) {
		if v, ok := stats[key]; ok {
			parts = append(parts, label+"="+format(v))
		}
	}
	add(statP, "p", num)
	add(statAlpha, "alpha", num)
	add(statEffect, "effect", signedPercent)
	add(statMinEffect, "minEffect", percent)
	add(statCanaryMedian, "canary", num)
	add(statBaselineMedian, "baseline", num)
	if stats[statAbsoluteFloor] > 0 {
		add(statAbsoluteFloor, "floor", num)
	}
	if _, ok := stats[statP]; !ok { // not enough data: say how much there was
		add(statCanarySamples, "canarySamples", num)
		add(statBaseSamples, "baselineSamples", num)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

// num writes a measured number short: four significant digits, and no
// exponent for the magnitudes latencies and counts have.
func num(v float64) string {
	if a := math.Abs(v); a >= 1e4 && a < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// percent writes a fraction as a percentage: 0.5 is "50%".
func percent(f float64) string { return num(f*100) + "%" }

// signedPercent writes a relative change with its sign: "+128%", "-3%".
func signedPercent(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Sprintf("%+v", f*100) + "%"
	}
	return fmt.Sprintf("%+.0f%%", f*100)
}
