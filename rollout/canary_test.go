package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func canarySpec(t *testing.T, steps string) *spec.Canary {
	t.Helper()
	yaml := "app: a\nservices:\n  s:\n    run: [x]\n    instances: 4\n    strategy:\n      canary:\n        steps: " + steps + `
        analysis:
          interval: 5s
          metrics:
            - {name: ok, provider: router, metric: successRate, successCondition: result >= 0.99}
`
	app, err := spec.Parse("slipway.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return app.Services["s"].Strategy.Canary
}

func TestCanaryReplicas(t *testing.T) {
	for _, tc := range []struct{ w, n, want int }{
		{0, 4, 1}, {10, 4, 1}, {25, 4, 1}, {26, 4, 2}, {50, 4, 2}, {100, 4, 4}, {10, 1, 1}, {99, 10, 10},
	} {
		if got := CanaryReplicas(tc.w, tc.n); got != tc.want {
			t.Errorf("CanaryReplicas(%d, %d) = %d, want %d", tc.w, tc.n, got, tc.want)
		}
	}
}

// TestCanaryStepsOneTickAtATime walks a canary through every kind of
// step, one pass at a time.
func TestCanaryStepsOneTickAtATime(t *testing.T) {
	sc := canarySpec(t, `[{setWeight: 10}, {pause: 30s}, {setWeight: 50}, {setHeaderRoute: {header: X-Canary}}, {pause: {}}]`)
	c := store.Canary{Revision: 2, Stable: 1, Started: t0}
	steps := []struct {
		name       string
		avail      int
		at         time.Duration
		skip       bool
		wantStep   int
		wantWeight int
		wantFull   bool
		decision   CanaryDecision
	}{
		{"candidate not ready: step 1 waits", 0, 0, false, 0, 0, false, CanaryWait},
		{"ready: weight 10, then the pause starts", 1, time.Second, false, 1, 10, false, CanaryWait},
		{"pause not over", 1, 20 * time.Second, false, 1, 10, false, CanaryWait},
		{"pause over: weight 50 needs 2 instances", 1, 31 * time.Second, false, 2, 50, false, CanaryWait},
		{"2 ready: header route, then the untimed pause", 2, 40 * time.Second, false, 4, 50, false, CanaryWait},
		{"an untimed pause waits an hour", 2, time.Hour, false, 4, 50, false, CanaryWait},
		{"promote ends it: scale to full", 2, time.Hour, true, 5, 50, true, CanaryWait},
		{"full and ready: promote", 4, time.Hour + time.Second, false, 5, 50, true, CanaryPromote},
	}
	for _, s := range steps {
		c.Skip = s.skip
		p := Advance(c, sc, s.avail, 4, t0.Add(s.at))
		c = p.Next
		if c.Step != s.wantStep || c.Weight != s.wantWeight || c.Full != s.wantFull || p.Decision != s.decision {
			t.Fatalf("%s: step %d weight %d full %v decision %s; want step %d weight %d full %v %s (events %q)",
				s.name, c.Step, c.Weight, c.Full, p.Decision, s.wantStep, s.wantWeight, s.wantFull, s.decision, p.Events)
		}
	}
	if c.Header != "X-Canary" || c.Analysis == nil {
		t.Fatalf("header %q analysis %v: want the header route set and the background analysis running", c.Header, c.Analysis)
	}
}

func TestTimedPauseAsksToBeWokenAtItsEnd(t *testing.T) {
	sc := canarySpec(t, `[{setWeight: 10}, {pause: 30s}]`)
	p := Advance(store.Canary{Revision: 2, Stable: 1}, sc, 1, 4, t0)
	if p.Next.Step != 1 || p.Requeue != 5*time.Second { // the analysis's first measurement comes first
		t.Fatalf("step %d requeue %s", p.Next.Step, p.Requeue)
	}
	p.Next.Analysis.NextAt = t0.Add(33 * time.Second) // measured since
	p = Advance(p.Next, sc, 1, 4, t0.Add(28*time.Second))
	if p.Requeue != 2*time.Second {
		t.Fatalf("requeue %s, want the pause's end in 2s", p.Requeue)
	}
}

func TestCanaryRollsBack(t *testing.T) {
	sc := canarySpec(t, `[{setWeight: 10}, {pause: {}}]`)
	running := Advance(store.Canary{Revision: 2, Stable: 1}, sc, 1, 4, t0).Next
	failed := running
	failed.Analysis = &store.AnalysisRun{Phase: analysis.PhaseFailed, Reason: "ok: 1 measurement failed"}
	aborted := running
	aborted.Abort = "requested by alice"
	stepFailed := running
	stepFailed.StepAnalysis = &store.AnalysisRun{Step: 2, Phase: analysis.PhaseFailed, Reason: "ok: no data"}
	for _, tc := range []struct {
		name string
		c    store.Canary
		want string
	}{
		{"background analysis failed", failed, "analysis failed: ok: 1 measurement failed"},
		{"aborted", aborted, "aborted: requested by alice"},
		{"step analysis failed", stepFailed, "analysis step 3 failed: ok: no data"},
	} {
		p := Advance(tc.c, sc, 1, 4, t0.Add(time.Minute))
		if p.Decision != CanaryRollBack || p.Reason != tc.want {
			t.Errorf("%s: %s %q, want roll back %q", tc.name, p.Decision, p.Reason, tc.want)
		}
	}
}

func TestInconclusiveAnalysisPausesForAPerson(t *testing.T) {
	sc := canarySpec(t, `[{setWeight: 10}, {pause: 10s}, {setWeight: 20}]`)
	c := Advance(store.Canary{Revision: 2, Stable: 1}, sc, 1, 4, t0).Next
	c.Analysis.Phase, c.Analysis.Reason = analysis.PhaseInconclusive, "ok: 2 measurements inconclusive"
	p := Advance(c, sc, 1, 4, t0.Add(time.Minute))
	if !p.Next.Paused || !strings.Contains(p.Next.PauseReason, "inconclusive") || p.Next.Step != 1 || p.Decision != CanaryWait {
		t.Fatalf("paused %v (%q) step %d %s: want paused at the timed pause", p.Next.Paused, p.Next.PauseReason, p.Next.Step, p.Decision)
	}
}

func TestAnalysisStepPassesOnItsVerdict(t *testing.T) {
	sc := canarySpec(t, `[{setWeight: 10}, {analysis: {count: 2}}, {setWeight: 30}]`)
	p := Advance(store.Canary{Revision: 2, Stable: 1}, sc, 1, 4, t0)
	run := p.Next.StepAnalysis
	if p.Next.Step != 1 || run == nil || run.Metrics[0].Tally.Limits.Count != 2 {
		t.Fatalf("step %d run %+v: want the analysis step's run started with count 2", p.Next.Step, run)
	}
	pass := analysis.Measurement{Metric: "ok", Verdict: analysis.Pass, Reason: "fine"}
	Record(run, sc.Analysis, map[string]analysis.Measurement{"ok": pass}, t0.Add(5*time.Second))
	if p = Advance(p.Next, sc, 1, 4, t0.Add(5*time.Second)); p.Next.Step != 1 {
		t.Fatalf("moved on after one pass of two")
	}
	Record(p.Next.StepAnalysis, sc.Analysis, map[string]analysis.Measurement{"ok": pass}, t0.Add(10*time.Second))
	if p = Advance(p.Next, sc, 1, 4, t0.Add(10*time.Second)); p.Next.Step != 2 || p.Next.Weight != 30 {
		t.Fatalf("step %d weight %d after the analysis passed", p.Next.Step, p.Next.Weight)
	}
}

func TestPausedCanaryStopsItsSteps(t *testing.T) {
	sc := canarySpec(t, `[{setWeight: 10}, {pause: 10s}, {setWeight: 20}]`)
	c := Advance(store.Canary{Revision: 2, Stable: 1}, sc, 1, 4, t0).Next
	c.Paused, c.PauseReason = true, "paused by bob"
	if p := Advance(c, sc, 1, 4, t0.Add(time.Hour)); p.Next.Step != 1 {
		t.Fatalf("a paused canary moved to step %d", p.Next.Step)
	}
	c.Full = true // promote --full goes through a pause
	if p := Advance(c, sc, 4, 4, t0.Add(time.Hour)); p.Decision != CanaryPromote || !strings.Contains(p.Reason, "promoted in full at step 2 of 3") {
		t.Fatalf("%s %q", p.Decision, p.Reason)
	}
}
