package rollout

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// seqCanary is a canary at 10% judged by the sequential judge (the
// default for compare: baseline on the router's successRate), with an
// analysis step that counts three passes, and a background latency
// comparison; the interval is long so that only a tick can decide soon.
const seqCanary = `app: shop
services:
  order:
    run: ["./order", "${PORT}"]
    env: {VERSION: v1}
    instances: 10
    health: {readiness: {http: /healthz}}
    route: {host: order.localhost}
    strategy:
      canary:
        steps: [{setWeight: 10}, {analysis: {metrics: [errors]}}, {setWeight: 50}, {pause: {}}]
        analysis:
          interval: 1m
          metrics:
            - {name: errors, provider: router, metric: successRate, compare: baseline, alpha: 0.05, floor: 0.02}
            - {name: p50, provider: router, metric: latencyP50, compare: baseline}
`

// startSeqCanary deploys v1, applies v2 and waits for its instance.
func startSeqCanary(t *testing.T) *harness {
	h := newHarness(t)
	h.apply(seqCanary)
	h.markReady("order")
	h.apply(strings.Replace(seqCanary, "VERSION: v1", "VERSION: v2", 1))
	h.markReady("order")
	if svc := h.service("order"); svc.Traffic.Canary != 2 || svc.Traffic.Weight != 10 {
		t.Fatalf("traffic %+v, want 10%% on revision 2", svc.Traffic)
	}
	return h
}

// serve sends requests through the router's counts for one tick: n
// requests at 10% to the canary, which fails failRate of its own.
func serve(h *harness, rng *rand.Rand, n int, failRate float64) {
	for range n {
		rev, status := 1, 200
		if rng.Float64() < 0.1 {
			rev = 2
			if rng.Float64() < failRate {
				status = 500
			}
		}
		h.counts.Observe(router.Sample{Service: "order", Revision: rev, Instance: "i", Status: status,
			Duration: time.Duration(20+rng.IntN(10)) * time.Millisecond})
	}
}

// tick moves the clock one SequentialTick, runs the judges and the
// passes they ask for.
func tick(h *harness) {
	h.clock.Advance(SequentialTick)
	h.ctl.seq.Tick(h.clock.Now())
	h.settle()
}

// A canary failing 20% of its requests is rolled back on the tick its
// judge proves the regression, long before the one-minute interval.
func TestSequentialJudgeRollsBackOnItsTick(t *testing.T) {
	h := startSeqCanary(t)
	rng := rand.New(rand.NewPCG(1, 2))
	start := h.clock.Now()
	for range 300 {
		serve(h, rng, 5, 0.2) // 50 req/s
		tick(h)
		if svc := h.service("order"); svc.Canary != nil && svc.Canary.Outcome != "" {
			break
		}
	}
	svc := h.service("order")
	took := h.clock.Now().Sub(start)
	if svc.Canary.Outcome != store.CanaryRolledBack || svc.Traffic != (store.Traffic{Active: 1}) {
		t.Fatalf("after %s: %s, canary %+v, traffic %+v; want rolled back", took, svc.Phase, svc.Canary, svc.Traffic)
	}
	if took >= time.Minute {
		t.Errorf("rolled back after %s: the interval, not the judge's tick", took)
	}
	run := svc.Canary.Analysis
	last := run.Metrics[0].Measurements[len(run.Metrics[0].Measurements)-1]
	if last.Verdict != analysis.Fail || last.Stats[analysis.StatCrossedAt] == 0 || last.Stats[analysis.StatStatistic] < last.Stats[analysis.StatBoundary] ||
		!strings.Contains(last.Reason, "regression proven") || run.Metrics[0].Tally.Phase != analysis.PhaseFailed {
		t.Errorf("deciding measurement %+v, tally %+v", last, run.Metrics[0].Tally)
	}
	t.Logf("rolled back after %s: %s", took, svc.Canary.Reason)
}

// A good canary's analysis step ends as soon as the judge rules out a
// regression (here: the canary's error rate is proven under its 2%
// floor), not after three intervals; the step run is then over.
func TestSequentialJudgePassesAStepEarly(t *testing.T) {
	h := startSeqCanary(t)
	rng := rand.New(rand.NewPCG(3, 4))
	h.advance(time.Millisecond) // the setWeight step is done; the analysis step starts
	start := h.clock.Now()
	for range 3000 {
		serve(h, rng, 50, 0) // 500 req/s
		tick(h)
		if h.service("order").Traffic.Weight == 50 {
			break
		}
	}
	svc := h.service("order")
	took := h.clock.Now().Sub(start)
	if svc.Traffic.Weight != 50 || svc.Phase != store.PhaseProgressing {
		t.Fatalf("after %s: %s at %d%%: %s", took, svc.Phase, svc.Traffic.Weight, svc.Message)
	}
	if took >= 3*time.Minute {
		t.Errorf("step passed after %s: three intervals, not the judge", took)
	}
	if bg := svc.Canary.Analysis; bg == nil || bg.Phase.Terminal() {
		t.Errorf("background analysis %+v: want it still watching", bg)
	}
	// The spec's default beta reached the judge: the pass's bound under
	// the floor is at level 1-beta.
	if step := svc.Canary.StepAnalysis; step == nil || len(step.Metrics) == 0 || len(step.Metrics[0].Measurements) == 0 {
		t.Errorf("step analysis %+v: want its deciding measurement", step)
	} else {
		ms := step.Metrics[0].Measurements
		last := ms[len(ms)-1]
		if last.Verdict != analysis.Pass || last.Stats[analysis.StatBeta] != spec.DefaultBeta || last.Stats[analysis.StatRateUpper] > 0.02 ||
			!strings.Contains(last.Reason, "proven at or under the floor of 2%") {
			t.Errorf("deciding measurement %+v: want a pass at beta %v, the error rate bounded under the 2%% floor", last, spec.DefaultBeta)
		}
	}
	t.Logf("analysis step passed after %s", took)
}

// A run no pass asks for any more is dropped after dropIdle.
func TestSequentialDropsIdleRuns(t *testing.T) {
	h := startSeqCanary(t)
	if n := len(h.ctl.seq.runs); n == 0 {
		t.Fatal("no run watched during the canary")
	}
	h.ctl.seq.Tick(h.clock.Now().Add(dropIdle + time.Second))
	if n := len(h.ctl.seq.runs); n != 0 {
		t.Errorf("%d runs still watched after %s unasked", n, dropIdle)
	}
}

// A comparison with judge: interval (what a revision stored before
// judges existed has) is measured through its provider at the interval;
// the sequential judges do not watch it.
func TestIntervalJudgeStaysOnItsProvider(t *testing.T) {
	h := newHarness(t)
	interval := strings.Replace(seqCanary, "alpha: 0.05, floor: 0.02}", "judge: interval}", 1)
	interval = strings.Replace(interval, "{analysis: {metrics: [errors]}}", "{pause: 1m}", 1)
	interval = strings.Replace(interval, "            - {name: p50, provider: router, metric: latencyP50, compare: baseline}\n", "", 1)
	h.apply(interval)
	h.markReady("order")
	h.apply(strings.Replace(interval, "VERSION: v1", "VERSION: v2", 1))
	h.markReady("order")
	asked := h.values.asked
	h.advance(time.Minute)
	if n := len(h.ctl.seq.runs); n != 0 {
		t.Errorf("%d runs watched by the sequential judges, want none", n)
	}
	if h.values.asked == asked {
		t.Error("the provider was not asked at the interval")
	}
}

// Record on a sequential metric's measurements: a fail ends the run
// whatever the failure limit; a pass ends an analysis step (a count) but
// not the background run; undecided, a step waits for data up to the
// deadline while the background run waits as long as the canary runs.
func TestRecordSequential(t *testing.T) {
	a := &spec.Analysis{Interval: spec.Duration{Duration: 5 * time.Second}, Deadline: spec.Duration{Duration: time.Minute},
		FailureLimit: ptrTo(3), Metrics: []spec.Metric{{Name: "errors", Provider: spec.ProviderRouter, Metric: "successRate",
			Compare: spec.CompareBaseline, Judge: spec.JudgeSequential, Alpha: 0.05, MinEffect: 0.5}}}
	undecided := analysis.Measurement{Metric: "errors", Verdict: analysis.Inconclusive, NoData: true, Samples: 40, Reason: "collecting"}
	noTraffic := analysis.Measurement{Metric: "errors", Verdict: analysis.Inconclusive, NoData: true, Reason: "collecting"}
	fail := analysis.Measurement{Metric: "errors", Verdict: analysis.Fail, Samples: 40, Reason: "regression proven"}
	pass := analysis.Measurement{Metric: "errors", Verdict: analysis.Pass, Samples: 40, Reason: "ruled out"}
	for _, tc := range []struct {
		name  string
		count int
		ms    []analysis.Measurement
		want  analysis.Phase
	}{
		{"a fail ends the background run at once", 0, []analysis.Measurement{fail}, analysis.PhaseFailed},
		{"a fail ends a step at once", 3, []analysis.Measurement{fail}, analysis.PhaseFailed},
		{"a pass ends a step", 3, []analysis.Measurement{pass}, analysis.PhaseSuccessful},
		{"the background run watches on after a pass", 0, []analysis.Measurement{pass}, analysis.PhaseRunning},
		{"the background run waits undecided past the deadline", 0, []analysis.Measurement{undecided, undecided}, analysis.PhaseRunning},
		{"a step undecided at the deadline fails", 3, []analysis.Measurement{undecided, undecided}, analysis.PhaseFailed},
		{"no traffic at all past the deadline fails", 0, []analysis.Measurement{noTraffic, noTraffic}, analysis.PhaseFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := NewRun(a, nil, tc.count, -1, t0)
			for i, m := range tc.ms {
				Record(run, a, map[string]analysis.Measurement{"errors": m}, t0.Add(time.Duration(i+1)*time.Minute))
			}
			if run.Phase != tc.want {
				t.Errorf("phase %s (%s), want %s", run.Phase, run.Reason, tc.want)
			}
		})
	}
}

func ptrTo(n int) *int { return &n }
