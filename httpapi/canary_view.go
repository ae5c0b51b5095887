package httpapi

import (
	"fmt"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// canaryView is the wire form of a service's latest canary; sc is the
// candidate revision's canary strategy (for step names and judges).
func canaryView(c *store.Canary, sc *spec.Canary) *api.Canary {
	out := &api.Canary{Revision: c.Revision, Stable: c.Stable, Step: c.Step, StepStarted: c.StepStarted,
		Weight: c.Weight, Header: c.Header, HeaderValue: c.Value, Paused: c.Paused, PauseReason: c.PauseReason,
		Full: c.Full, Outcome: string(c.Outcome), Reason: c.Reason, Started: c.Started, Ended: c.Ended}
	var a *spec.Analysis
	if sc != nil {
		out.Steps, a = len(sc.Steps), sc.Analysis
		if c.Step < len(sc.Steps) {
			out.StepName = stepName(sc.Steps[c.Step])
		}
	}
	out.Analysis = runView(c.Analysis, a)
	out.StepAnalysis = runView(c.StepAnalysis, a)
	return out
}

func stepName(st spec.Step) string {
	switch {
	case st.SetWeight != nil:
		return fmt.Sprintf("setWeight: %d", *st.SetWeight)
	case st.Pause != nil:
		return "pause: " + st.Pause.String()
	case st.Analysis != nil:
		return fmt.Sprintf("analysis: %d passing measurements per metric", st.Analysis.Count)
	case st.SetHeaderRoute != nil:
		return "setHeaderRoute: " + st.SetHeaderRoute.Header
	}
	return ""
}

func runView(r *store.AnalysisRun, a *spec.Analysis) *api.AnalysisRun {
	if r == nil {
		return nil
	}
	out := &api.AnalysisRun{Step: r.Step, Phase: r.Phase.String(), Reason: r.Reason, Started: r.Started, NextAt: r.NextAt, Ended: r.Ended}
	for _, m := range r.Metrics {
		mv := api.MetricRun{Name: m.Name, Phase: m.Tally.Phase.String(), Reason: m.Tally.Reason, Passes: m.Tally.Passes,
			Failures: m.Tally.Failures, Inconclusives: m.Tally.Inconclusives, Errors: m.Tally.Errors, Taken: m.Taken,
			Measurements: make([]api.Measurement, 0, len(m.Measurements))}
		if ms, ok := a.Metric(m.Name); ok {
			mv.Provider, mv.Judge = ms.Provider, ms.SuccessCondition
			switch {
			case ms.Sequential():
				mv.Judge = "compare: baseline, sequential"
			case ms.Compares():
				mv.Judge = "compare: baseline"
			}
		}
		for _, x := range m.Measurements {
			mv.Measurements = append(mv.Measurements, api.Measurement{Time: x.Time, Value: x.Value, Samples: x.Samples,
				Verdict: x.Verdict.String(), NoData: x.NoData, Reason: x.Reason, Stats: x.Stats, Spreads: spreadsView(x.Spreads)})
		}
		out.Metrics = append(out.Metrics, mv)
	}
	return out
}

func spreadsView(s *analysis.Spreads) *api.Spreads {
	if s == nil {
		return nil
	}
	return &api.Spreads{Canary: api.Spread(s.Canary), Baseline: api.Spread(s.Baseline)}
}
