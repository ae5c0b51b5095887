package server

import (
	"context"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// TestDashboardBaselineComparison renders a canary judged by a
// Mann-Whitney comparison with baseline and by a condition: each
// measurement is a tick carrying its verdict and reason in text; the
// latest comparison shows U, p and the effect, and both distributions
// (drawn, and their quantiles as a table); a measurement stored before
// Slipway kept spreads still shows its medians; the verdict is in words.
func TestDashboardBaselineComparison(t *testing.T) {
	s := newDashStack(t, 0)
	now := s.clock.Now()
	cfg := analysis.CompareConfig{Confidence: 0.95, MinEffect: 0.5, HigherIsWorse: true}
	worse := analysis.Compare(cfg, "latency", []float64{12.1, 11, 13, 12.5, 11.9, 12.1, 14, 12.1, 12.0, 12.3},
		[]float64{5.3, 5.1, 5.5, 5.2, 5.4, 5.3, 5.0, 5.6, 5.3, 5.3})
	worse.Time = now
	old := worse.Clone()
	old.Spreads = nil
	few := analysis.Compare(cfg, "latency", []float64{1, 2}, []float64{1, 2})
	few.Time = now.Add(-time.Minute)
	seed := func(tx store.Tx, name string, last analysis.Measurement) error {
		sp := spec.Service{Name: name, Run: []string{"./run"}, Strategy: spec.Strategy{Canary: &spec.Canary{
			Steps: []spec.Step{{SetWeight: new(20)}, {Analysis: &spec.StepAnalysis{}}},
			Analysis: &spec.Analysis{Metrics: []spec.Metric{
				{Name: "latency", Provider: "router", Metric: "latencyP99", Compare: spec.CompareBaseline, Judge: spec.JudgeInterval},
				{Name: "success", Provider: "router", Metric: "successRate", SuccessCondition: "result >= 0.99"},
			}}}}}
		for range 2 {
			if _, err := tx.CreateRevision(store.Revision{Service: name, Spec: sp, State: store.RevisionStable, CreatedAt: now}); err != nil {
				return err
			}
		}
		run := &store.AnalysisRun{Started: now, Step: -1, Phase: analysis.PhaseRunning, Metrics: []store.MetricRun{
			{Name: "latency", Tally: analysis.Tally{Failures: 1, Inconclusives: 1, Phase: analysis.PhaseRunning}, Measurements: []analysis.Measurement{few, last}},
			{Name: "success", Tally: analysis.Tally{Passes: 1, Phase: analysis.PhaseRunning}, Measurements: []analysis.Measurement{
				{Metric: "success", Time: now, Value: 0.999, Samples: 40, Verdict: analysis.Pass, Reason: "success 0.999 meets result >= 0.99"}}},
		}}
		return tx.PutService(store.Service{Name: name, Revision: 2, Stable: 1, Phase: store.PhaseProgressing,
			Canary: &store.Canary{Revision: 2, Stable: 1, Step: 1, Weight: 20, StepStarted: now, Started: now, Analysis: run}})
	}
	err := s.store.Update(context.Background(), func(tx store.Tx) error {
		if err := seed(tx, "shop", worse); err != nil {
			return err
		}
		return seed(tx, "legacy", old)
	})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.loginToken(t, "viewer-secret")
	resp, page := b.do(t, "GET", "/services/shop", "")
	for _, want := range []string{
		"Revision 2 is at step 2 of 2 with 20% of traffic; the analysis is running.",
		"<title>fail: " + template.HTMLEscapeString(worse.Reason) + "</title>", "<title>inconclusive (no data: not counted): " + few.Reason + "</title>",
		"<title>pass: success 0.999 meets result &gt;= 0.99</title>",
		"Mann-Whitney U = 100, p = 0.000169 (significant below 0.05), effect &#43;128.3% (allowed: 50%)",
		`<th scope="row">baseline</th><td>10</td><td>5</td><td>5.09</td><td>5.225</td><td>5.3</td><td>5.375</td><td>5.51</td><td>5.6</td>`,
		`<th scope="row">canary</th><td>10</td><td>11</td><td>11.81</td><td>12.025</td><td>12.1</td><td>12.45</td><td>13.1</td><td>14</td>`,
		`aria-label="baseline median 5.3 (middle half 5.225 to 5.375, 10 samples); canary median 12.1 (middle half 12.025 to 12.45, 10 samples)"`,
		"1 fail, 1 inconclusive",
	} {
		if resp.StatusCode != 200 || !strings.Contains(page, want) {
			t.Errorf("the canary's page (%d) lacks %q", resp.StatusCode, want)
		}
	}
	if strings.Count(page, `class="cmp"`) != 1 {
		t.Errorf("want one comparison (latency's), got %d", strings.Count(page, `class="cmp"`))
	}
	_, legacy := b.do(t, "GET", "/services/legacy", "")
	for _, want := range []string{"medians only: this measurement kept no spreads", `aria-label="canary median 12.1, baseline median 5.3"`, "Mann-Whitney U = 100"} {
		if !strings.Contains(legacy, want) {
			t.Errorf("a comparison stored without spreads: the page lacks %q", want)
		}
	}
	if strings.Contains(legacy, `class="spreads"`) {
		t.Error("a comparison stored without spreads shows a table of them")
	}
}
