package rollout

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
)

func TestRecordWaitsForDataThenFails(t *testing.T) {
	sc := canarySpec(t, `[{setWeight: 10}]`)
	run := NewRun(sc.Analysis, nil, 0, -1, t0)
	none := analysis.Measurement{Metric: "ok", Verdict: analysis.Inconclusive, NoData: true, Reason: "no data"}
	Record(run, sc.Analysis, map[string]analysis.Measurement{"ok": none}, t0.Add(4*time.Minute))
	if run.Phase != analysis.PhaseRunning || run.Metrics[0].Taken != 1 || run.Metrics[0].Tally.Judged() != 0 {
		t.Fatalf("phase %s taken %d judged %d: no data must wait, kept but not counted", run.Phase, run.Metrics[0].Taken, run.Metrics[0].Tally.Judged())
	}
	if !run.NextAt.Equal(t0.Add(4*time.Minute + 5*time.Second)) {
		t.Fatalf("next measurement at %s", run.NextAt)
	}
	Record(run, sc.Analysis, map[string]analysis.Measurement{"ok": none}, t0.Add(5*time.Minute))
	if run.Phase != analysis.PhaseFailed || !strings.Contains(run.Reason, "not enough data is not a pass") {
		t.Fatalf("phase %s %q: no data past the deadline must fail", run.Phase, run.Reason)
	}
}

func TestRecordFailsOnTheFirstFailureByDefault(t *testing.T) {
	sc := canarySpec(t, `[{setWeight: 10}]`)
	run := NewRun(sc.Analysis, nil, 0, -1, t0)
	pass := analysis.Measurement{Metric: "ok", Verdict: analysis.Pass}
	fail := analysis.Measurement{Metric: "ok", Verdict: analysis.Fail, Reason: "ok 0.8 does not meet result >= 0.99"}
	Record(run, sc.Analysis, map[string]analysis.Measurement{"ok": pass}, t0.Add(5*time.Second))
	Record(run, sc.Analysis, map[string]analysis.Measurement{"ok": fail}, t0.Add(10*time.Second))
	if run.Phase != analysis.PhaseFailed || !strings.HasPrefix(run.Reason, "ok: ") || !strings.Contains(run.Reason, "0.8 does not meet") {
		t.Fatalf("phase %s %q", run.Phase, run.Reason)
	}
}

func TestRecordErrorsCountAgainstTheConsecutiveLimit(t *testing.T) {
	sc := canarySpec(t, `[{setWeight: 10}]`)
	run := NewRun(sc.Analysis, nil, 0, -1, t0)
	down := analysis.Measurement{Metric: "ok", Verdict: analysis.Error, Reason: "connection refused"}
	for i := range 5 { // the default limit allows 4 in a row
		if run.Phase.Terminal() {
			t.Fatalf("ended after %d errors", i)
		}
		Record(run, sc.Analysis, map[string]analysis.Measurement{"ok": down}, t0.Add(time.Duration(i+1)*5*time.Second))
	}
	if run.Phase != analysis.PhaseFailed || !strings.Contains(run.Reason, "5 errors in a row") {
		t.Fatalf("phase %s %q", run.Phase, run.Reason)
	}
}

func TestRecordKeepsTheLatestMeasurementsStorable(t *testing.T) {
	sc := canarySpec(t, `[{setWeight: 10}]`)
	run := NewRun(sc.Analysis, nil, 0, -1, t0)
	for i := range 30 {
		m := analysis.Measurement{Metric: "ok", Verdict: analysis.Pass, Value: math.Inf(1), Stats: map[string]float64{"effect": math.NaN()}}
		Record(run, sc.Analysis, map[string]analysis.Measurement{"ok": m}, t0.Add(time.Duration(i)*time.Second))
	}
	mr := run.Metrics[0]
	if len(mr.Measurements) != 20 || mr.Taken != 30 || mr.Tally.Passes != 30 {
		t.Fatalf("kept %d taken %d passes %d", len(mr.Measurements), mr.Taken, mr.Tally.Passes)
	}
	if _, err := json.Marshal(run); err != nil {
		t.Fatalf("a run must be storable: %v", err)
	}
}
