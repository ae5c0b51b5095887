package cli_test

import (
	"math"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// A sequential judgement shows its running statistics (the failure's and
// the pass's) against their boundaries and when one crossed, its
// estimate with the confidence sequence, and the observations it rests
// on. A measurement stored before the pass side had its own statistic
// shows without it.
func TestRolloutExplainSequential(t *testing.T) {
	svc := rolledBackOrder()
	collecting := api.Measurement{Time: at(40), Value: 0, Samples: 10, Verdict: "pending",
		Reason: "errors: errors 0/10 (0%) vs baseline 0/90 (0%), ratio NaN [0, +Inf], e=1 (fails at 20): not decided yet, collecting",
		Stats: map[string]float64{"statistic": 0, "boundary": math.Log(20), "estimate": 0, "lower": 0, "upper": math.MaxFloat64,
			"canarySamples": 10, "baselineSamples": 90, "canaryEvents": 0, "baselineEvents": 0, "alpha": 0.05}}
	crossed := api.Measurement{Time: at(43), Value: 0.16, Samples: 25, Verdict: "fail",
		Reason: "errors: errors 4/25 (16%) vs baseline 0/265 (0%), ratio +Inf [3.08, +Inf], e=738 (fails at 20): regression proven, worse by more than the 50% allowed",
		Stats: map[string]float64{"statistic": math.Log(738), "boundary": math.Log(20), "estimate": math.MaxFloat64, "lower": 3.08,
			"upper": math.MaxFloat64, "canarySamples": 25, "baselineSamples": 265, "canaryEvents": 4, "baselineEvents": 0,
			"alpha": 0.05, "crossedAt": float64(at(43).UnixMilli()) / 1000}}
	p99 := api.Measurement{Time: at(60), Value: 0.031, Samples: 600, Verdict: "pass",
		Reason: "p99 p99 0.031s [0.029s, 0.034s] vs baseline 0.03s [0.028s, 0.033s]: a regression over 50% is ruled out",
		Stats: map[string]float64{"statistic": 0.88, "boundary": 1, "estimate": 1.03, "lower": 0.88, "upper": 1.21,
			"canarySamples": 600, "baselineSamples": 5400, "alpha": 0.05, "crossedAt": float64(at(59).UnixMilli()) / 1000}}
	underFloor := api.Measurement{Time: at(80), Value: 0, Samples: 193, Verdict: "pass",
		Reason: "errors: errors 0/193 (0%) vs baseline 2/1737 (0.115%), ...: the error rate is proven at or under the floor of 1%",
		Stats: map[string]float64{"statistic": 0, "boundary": math.Log(20), "passStatistic": 0, "passBoundary": math.Log(5),
			"rateUpper": 0.00998, "absoluteFloor": 0.01, "estimate": 0, "lower": 0, "upper": math.MaxFloat64,
			"canarySamples": 193, "baselineSamples": 1737, "canaryEvents": 0, "baselineEvents": 2,
			"alpha": 0.05, "beta": 0.2, "crossedAt": float64(at(79).UnixMilli()) / 1000}}
	svc.Canary.Analysis.Metrics = []api.MetricRun{
		{Name: "errors-step", Provider: "router", Judge: "compare: baseline, sequential", Phase: "successful", Passes: 1, Taken: 1,
			Measurements: []api.Measurement{underFloor}},
		{Name: "errors", Provider: "router", Judge: "compare: baseline, sequential", Phase: "failed", Failures: 1, Taken: 2,
			Measurements: []api.Measurement{collecting, crossed}},
		{Name: "p99", Provider: "router", Judge: "compare: baseline, sequential", Phase: "running", Passes: 1, Taken: 1,
			Measurements: []api.Measurement{p99}},
	}
	f, url := newFake(t)
	f.services = []api.Service{svc}
	res := run(t, url, "rollout", "explain", "order")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{
		"errors (router): judge compare: baseline, sequential",
		"e=1 boundary=20 estimate=0 [0, +Inf] n=10/90 errors=0/0 alpha=0.05",
		"e=738 boundary=20 crossed=22:01:46.000Z estimate=+Inf [3.08, +Inf] n=25/265 errors=4/0 alpha=0.05",
		"ratioLower=0.88 boundary=1 crossed=22:02:02.000Z estimate=1.03 [0.88, 1.21] n=600/5400 alpha=0.05",
		"e=1 boundary=20 pass=1 boundary=5 errorRate<=0.998% floor=1% crossed=22:02:22.000Z estimate=0 [0, +Inf] n=193/1737 errors=0/2 alpha=0.05 beta=0.2",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("explain lacks %q:\n%s", want, res.stdout)
		}
	}
}
