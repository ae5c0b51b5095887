package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/store"
)

// analysisRunDoc is one analysis of a rollout, a flag release step or a
// promotion gate (store.AnalysisRun): each metric's tally and kept
// measurements, and the phase they add up to.
type analysisRunDoc struct {
	Started time.Time      `json:"started"`
	NextAt  time.Time      `json:"nextAt"`
	Step    int            `json:"step"`
	Metrics []metricRunDoc `json:"metrics"`
	Phase   phaseDoc       `json:"phase"`
	Reason  string         `json:"reason,omitempty"`
	Ended   time.Time      `json:"ended,omitzero"`
}

// metricRunDoc is one metric's part of an analysis run.
type metricRunDoc struct {
	Name         string           `json:"name"`
	Tally        tallyDoc         `json:"tally"`
	Measurements []measurementDoc `json:"measurements"`
	Taken        int              `json:"taken"`
	LastData     time.Time        `json:"lastData"`
}

// tallyDoc counts a metric's verdicts against its limits
// (analysis.Tally).
type tallyDoc struct {
	Limits            limitsDoc `json:"limits"`
	Passes            int       `json:"passes"`
	Failures          int       `json:"failures"`
	Inconclusives     int       `json:"inconclusives"`
	Errors            int       `json:"errors"`
	ConsecutiveErrors int       `json:"consecutiveErrors"`
	Phase             phaseDoc  `json:"phase"`
	Reason            string    `json:"reason,omitempty"`
}

// limitsDoc are a tally's limits (analysis.Limits).
type limitsDoc struct {
	FailureLimit          int `json:"failureLimit"`
	InconclusiveLimit     int `json:"inconclusiveLimit"`
	ConsecutiveErrorLimit int `json:"consecutiveErrorLimit"`
	Count                 int `json:"count"`
}

// measurementDoc is one judged observation (analysis.Measurement), with
// the numbers that explain it.
type measurementDoc struct {
	Metric  string             `json:"metric"`
	Time    time.Time          `json:"time,omitzero"`
	Value   float64            `json:"value"`
	Samples int                `json:"samples"`
	Verdict verdictDoc         `json:"verdict"`
	NoData  bool               `json:"noData,omitempty"`
	Reason  string             `json:"reason"`
	Stats   map[string]float64 `json:"stats,omitempty"`
	// Spreads came after the release of 2026-11: absent, nothing to draw.
	Spreads *spreadsDoc `json:"spreads,omitempty"`
}

// spreadsDoc are a comparison's two samples, summarised
// (analysis.Spreads).
type spreadsDoc struct {
	Canary   spreadDoc `json:"canary"`
	Baseline spreadDoc `json:"baseline"`
}

// spreadDoc is one sample's size and quantiles (analysis.Spread).
type spreadDoc struct {
	N   int     `json:"n"`
	Min float64 `json:"min"`
	P10 float64 `json:"p10"`
	P25 float64 `json:"p25"`
	P50 float64 `json:"p50"`
	P75 float64 `json:"p75"`
	P90 float64 `json:"p90"`
	Max float64 `json:"max"`
}

func toAnalysisRunDoc(r store.AnalysisRun) analysisRunDoc {
	return analysisRunDoc{
		Started: r.Started, NextAt: r.NextAt, Step: r.Step,
		Metrics: each(r.Metrics, toMetricRunDoc),
		Phase:   phaseDoc(r.Phase), Reason: r.Reason, Ended: r.Ended,
	}
}

func fromAnalysisRunDoc(d analysisRunDoc) store.AnalysisRun {
	return store.AnalysisRun{
		Started: d.Started, NextAt: d.NextAt, Step: d.Step,
		Metrics: each(d.Metrics, fromMetricRunDoc),
		Phase:   analysis.Phase(d.Phase), Reason: d.Reason, Ended: d.Ended,
	}
}

func toMetricRunDoc(m store.MetricRun) metricRunDoc {
	return metricRunDoc{
		Name: m.Name, Tally: toTallyDoc(m.Tally),
		Measurements: each(m.Measurements, toMeasurementDoc),
		Taken:        m.Taken, LastData: m.LastData,
	}
}

func fromMetricRunDoc(d metricRunDoc) store.MetricRun {
	return store.MetricRun{
		Name: d.Name, Tally: fromTallyDoc(d.Tally),
		Measurements: each(d.Measurements, fromMeasurementDoc),
		Taken:        d.Taken, LastData: d.LastData,
	}
}

func toTallyDoc(t analysis.Tally) tallyDoc {
	l := t.Limits
	return tallyDoc{
		Limits: limitsDoc{FailureLimit: l.FailureLimit, InconclusiveLimit: l.InconclusiveLimit,
			ConsecutiveErrorLimit: l.ConsecutiveErrorLimit, Count: l.Count},
		Passes: t.Passes, Failures: t.Failures, Inconclusives: t.Inconclusives, Errors: t.Errors,
		ConsecutiveErrors: t.ConsecutiveErrors, Phase: phaseDoc(t.Phase), Reason: t.Reason,
	}
}

func fromTallyDoc(d tallyDoc) analysis.Tally {
	l := d.Limits
	return analysis.Tally{
		Limits: analysis.Limits{FailureLimit: l.FailureLimit, InconclusiveLimit: l.InconclusiveLimit,
			ConsecutiveErrorLimit: l.ConsecutiveErrorLimit, Count: l.Count},
		Passes: d.Passes, Failures: d.Failures, Inconclusives: d.Inconclusives, Errors: d.Errors,
		ConsecutiveErrors: d.ConsecutiveErrors, Phase: analysis.Phase(d.Phase), Reason: d.Reason,
	}
}

func toMeasurementDoc(m analysis.Measurement) measurementDoc {
	return measurementDoc{
		Metric: m.Metric, Time: m.Time, Value: m.Value, Samples: m.Samples,
		Verdict: verdictDoc(m.Verdict), NoData: m.NoData, Reason: m.Reason, Stats: m.Stats,
		Spreads: toSpreadsDoc(m.Spreads),
	}
}

func fromMeasurementDoc(d measurementDoc) analysis.Measurement {
	return analysis.Measurement{
		Metric: d.Metric, Time: d.Time, Value: d.Value, Samples: d.Samples,
		Verdict: analysis.Verdict(d.Verdict), NoData: d.NoData, Reason: d.Reason, Stats: d.Stats,
		Spreads: fromSpreadsDoc(d.Spreads),
	}
}

func toSpreadsDoc(s *analysis.Spreads) *spreadsDoc {
	if s == nil {
		return nil
	}
	return &spreadsDoc{Canary: spreadDoc(s.Canary), Baseline: spreadDoc(s.Baseline)}
}

func fromSpreadsDoc(d *spreadsDoc) *analysis.Spreads {
	if d == nil {
		return nil
	}
	return &analysis.Spreads{Canary: analysis.Spread(d.Canary), Baseline: analysis.Spread(d.Baseline)}
}
