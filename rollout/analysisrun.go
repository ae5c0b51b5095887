package rollout

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// NewRun starts an analysis run of the named metrics (all when names is
// empty). count is the passing measurements each metric needs for the
// run to succeed; 0 runs until it fails (the background analysis).
// step is the analysis step's index, -1 for the background run.
func NewRun(a *spec.Analysis, names []string, count, step int, now time.Time) *store.AnalysisRun {
	run := &store.AnalysisRun{Started: now, NextAt: now.Add(a.Interval.Duration), Step: step}
	limits := analysis.Limits{
		FailureLimit:          deref(a.FailureLimit, spec.DefaultFailureLimit),
		InconclusiveLimit:     deref(a.InconclusiveLimit, spec.DefaultInconclusiveLimit),
		ConsecutiveErrorLimit: deref(a.ConsecutiveErrorLimit, spec.DefaultConsecutiveErrorLimit),
		Count:                 count,
	}
	for _, m := range a.Metrics {
		if len(names) == 0 || slices.Contains(names, m.Name) {
			run.Metrics = append(run.Metrics, store.MetricRun{Name: m.Name, Tally: analysis.Tally{Limits: limits}, LastData: now})
		}
	}
	return run
}

func deref(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// Record folds one round of measurements (one per metric, by name) into
// run, and schedules the next round. It does no I/O and reads no clock,
// but it is not pure: it edits run in place (each metric's tally,
// measurements, count and last data; the run's phase, reason, next and
// end times), and nothing else. The caller must own run: pass a copy
// (store.AnalysisRun.Clone) of a run others may read, such as one from
// a cached snapshot. A measurement with no data is kept but not
// counted: the metric waits for data, and fails once it has waited
// longer than the analysis deadline.
func Record(run *store.AnalysisRun, a *spec.Analysis, ms map[string]analysis.Measurement, now time.Time) {
	if over(run) {
		return
	}
	phases := make([]analysis.Phase, 0, len(run.Metrics))
	for i := range run.Metrics {
		mr := &run.Metrics[i]
		if m, ok := ms[mr.Name]; ok {
			seq := false
			if sm, ok := a.Metric(mr.Name); ok && sm.Sequential() {
				seq, m = true, watching(mr.Tally.Limits, m)
			}
			record(mr, clean(m), a.Deadline.Duration, now)
			if seq {
				decisive(&mr.Tally, m)
			}
		}
		phases = append(phases, mr.Tally.Phase)
	}
	run.Phase = analysis.Combine(phases...)
	run.NextAt = now.Add(a.Interval.Duration)
	if run.Phase.Terminal() {
		run.Reason, run.Ended = runReason(run), now
	}
}

func record(mr *store.MetricRun, m analysis.Measurement, deadline time.Duration, now time.Time) {
	m.Time = now
	mr.Taken++
	mr.Measurements = append(mr.Measurements, m)
	if over := len(mr.Measurements) - store.KeptMeasurements; over > 0 {
		mr.Measurements = slices.Delete(mr.Measurements, 0, over)
	}
	if !m.NoData {
		mr.LastData = now
		mr.Tally.Add(m)
		return
	}
	if deadline > 0 && now.Sub(mr.LastData) >= deadline && !mr.Tally.Phase.Terminal() {
		mr.Tally.Phase = analysis.PhaseFailed
		mr.Tally.Reason = fmt.Sprintf("no data to judge for %s (the analysis deadline): not enough data is not a pass; last: %s",
			now.Sub(mr.LastData).Round(time.Second), m.Reason)
	}
}

// over reports whether a run takes no more measurements: it decided, or
// it ended undecided with its step (a person promoted past it) or its
// rollout.
func over(run *store.AnalysisRun) bool {
	return run.Phase.Terminal() || !run.Ended.IsZero()
}

// runReason names the metric that ended the run and why.
func runReason(run *store.AnalysisRun) string {
	for _, mr := range run.Metrics {
		if mr.Tally.Phase == run.Phase && mr.Tally.Reason != "" {
			return mr.Name + ": " + mr.Tally.Reason
		}
	}
	if run.Phase == analysis.PhaseSuccessful {
		return summary(run)
	}
	return run.Phase.String()
}

// clean makes a measurement storable as JSON: infinite or NaN numbers
// (an effect against a zero baseline) become the largest finite ones.
func clean(m analysis.Measurement) analysis.Measurement {
	m.Value = finite(m.Value)
	if len(m.Stats) > 0 {
		stats := make(map[string]float64, len(m.Stats))
		for k, v := range m.Stats {
			stats[k] = finite(v)
		}
		m.Stats = stats
	}
	return m
}

func finite(v float64) float64 {
	switch {
	case math.IsNaN(v):
		return 0
	case math.IsInf(v, 1):
		return math.MaxFloat64
	case math.IsInf(v, -1):
		return -math.MaxFloat64
	}
	return v
}

// decisive ends a metric on a sequential judge's decision, whatever the
// limits: its failure is a proof (at level alpha, however often it was
// looked at), not one bad sample among others, and its pass rules out a
// regression for good, so a run that counts passes needs no more. A
// background run (no count) keeps watching after a pass.
func decisive(t *analysis.Tally, m analysis.Measurement) {
	switch {
	case t.Phase.Terminal():
	case m.Verdict == analysis.Fail:
		t.Phase, t.Reason = analysis.PhaseFailed, "regression proven: "+m.Reason
	case m.Verdict == analysis.Pass && t.Limits.Count > 0:
		t.Phase, t.Reason = analysis.PhaseSuccessful, "no regression over the allowed effect: "+m.Reason
	}
}

// watching makes an undecided sequential measurement of a background run
// (no count: it ends only by failing) Pending with data, so that a canary
// watched for longer than the analysis deadline is not failed for want
// of a decision. In an analysis step it stays Inconclusive with no data:
// a step that cannot decide by its deadline fails, as not enough data
// does.
func watching(l analysis.Limits, m analysis.Measurement) analysis.Measurement {
	if l.Count == 0 && m.Verdict == analysis.Inconclusive && m.NoData && m.Samples > 0 {
		m.Verdict, m.NoData = analysis.Pending, false
	}
	return m
}
