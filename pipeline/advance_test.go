package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/pipeline/testrun"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func promotion(gates ...spec.Gate) store.Promotion {
	p := store.Promotion{ID: 1, Service: "invoice", Version: "v2", Digest: "sha256:aa", From: "staging", To: "prod", State: store.PromotionWaiting}
	for _, g := range gates {
		p.Gates = append(p.Gates, store.Gate{Kind: g.Kind(), Spec: g.String(), State: store.GatePending, Def: g})
	}
	return p
}

func testsGate(run string) spec.Gate {
	return spec.Gate{Tests: &spec.TestsGate{Run: run, Timeout: spec.Duration{Duration: time.Minute}}}
}

func approval() spec.Gate { return spec.Gate{Approval: &spec.ApprovalGate{}} }

func bakeFor(d time.Duration) spec.Gate { return spec.Gate{Bake: &spec.Duration{Duration: d}} }

func healthy(since time.Time) *Source {
	return &Source{Digest: "sha256:aa", Revision: 3, Ready: true, Since: since, Phase: "Ready"}
}

func TestNoGatesDeploysAtOnce(t *testing.T) {
	p := promotion()
	act, _ := Advance(&p, Facts{Source: healthy(t0)}, t0)
	if act != Deploy || !p.GatesPassedAt.Equal(t0) {
		t.Fatalf("got %v, gates passed at %v; want Deploy at %v", act, p.GatesPassedAt, t0)
	}
}

// TestGatesInOrder walks a promotion through tests, approval and bake
// one pass at a time, as the controller would.
func TestGatesInOrder(t *testing.T) {
	p := promotion(testsGate("./acceptance.sh"), approval(), bakeFor(10*time.Minute))
	src := healthy(t0)

	act, _ := Advance(&p, Facts{Source: src}, t0)
	if act != StartTests || p.Gates[0].State != store.GateRunning || p.Gates[0].Attempt != 1 {
		t.Fatalf("first pass: %v, gate %+v; want StartTests, Running, attempt 1", act, p.Gates[0])
	}
	act, _ = Advance(&p, Facts{Source: src, TestRunning: true}, t0.Add(time.Second))
	if act != Wait || p.Gates[0].Attempt != 1 {
		t.Fatalf("while running: %v, attempt %d; want Wait, 1 (no second run)", act, p.Gates[0].Attempt)
	}
	res := &testrun.Result{Passed: true, Output: "ok\n", Duration: 2 * time.Second}
	act, _ = Advance(&p, Facts{Source: src, Test: res}, t0.Add(2*time.Second))
	if p.Gates[0].State != store.GatePassed || p.Gates[0].Output != "ok\n" || act != Wait {
		t.Fatalf("after the test: %v, gate %+v", act, p.Gates[0])
	}
	if p.Gates[1].State != store.GatePending || !strings.Contains(p.Reason, "slipway approve invoice --env prod") {
		t.Fatalf("approval: gate %+v, reason %q; want it waiting, saying how to approve", p.Gates[1], p.Reason)
	}
	// A person approves (Controller.Approve does this to the record).
	p.Gates[1].State, p.Gates[1].ApprovedBy, p.Gates[1].EndedAt = store.GatePassed, "ana", t0.Add(time.Minute)
	act, after := Advance(&p, Facts{Source: src}, t0.Add(time.Minute))
	if act != Wait || p.Gates[2].State != store.GatePending || !strings.Contains(p.Reason, "9m0s left") || after != 5*time.Second {
		t.Fatalf("baking: %v after %v, reason %q", act, after, p.Reason)
	}
	act, _ = Advance(&p, Facts{Source: src}, t0.Add(10*time.Minute))
	if act != Deploy || p.Gates[2].State != store.GatePassed || p.State != store.PromotionWaiting {
		t.Fatalf("baked: %v, gate %+v", act, p.Gates[2])
	}
}

func TestAFailedGateFailsThePromotion(t *testing.T) {
	cases := []struct {
		name   string
		gates  []spec.Gate
		facts  Facts
		reason string
	}{
		{"tests fail", []spec.Gate{testsGate("./x")}, Facts{Source: healthy(t0), Test: &testrun.Result{ExitCode: 3, Reason: "exit status 3"}},
			"gate 1 (tests) failed: exit status 3"},
		{"bake: source replaced", []spec.Gate{bakeFor(time.Minute)}, Facts{Source: &Source{Digest: "sha256:bb", Ready: true}},
			"staging no longer runs version v2"},
		{"bake: source unhealthy", []spec.Gate{bakeFor(time.Minute)}, Facts{Source: &Source{Digest: "sha256:aa", Phase: "Failed", Message: "deadline missed"}},
			"invoice in staging is Failed: deadline missed"},
		{"bake on a deploy", []spec.Gate{bakeFor(time.Minute)}, Facts{}, "a deploy comes from nowhere"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := promotion(c.gates...)
			if c.facts.Source == nil {
				p.From = ""
			}
			// The first pass may start the test command; the second sees its result.
			Advance(&p, Facts{Source: c.facts.Source, TestRunning: c.facts.Test != nil}, t0)
			act, _ := Advance(&p, c.facts, t0.Add(time.Second))
			if act != Wait || p.State != store.PromotionFailed || !strings.Contains(p.Reason, c.reason) {
				t.Fatalf("got %v, %s %q; want Failed with %q", act, p.State, p.Reason, c.reason)
			}
			if p.FinishedAt.IsZero() || p.Gates[0].EndedAt.IsZero() {
				t.Errorf("finished at %v, gate ended at %v; want both set", p.FinishedAt, p.Gates[0].EndedAt)
			}
			if act2, _ := Advance(&p, c.facts, t0.Add(time.Hour)); act2 != Wait {
				t.Errorf("a failed promotion moved on: %v", act2)
			}
		})
	}
}

// TestARejectionFailsThePromotionWithItsReason: a person's rejection
// (Controller.Approve with reject) fails the gate; the next pass fails
// the promotion saying who rejected it and why, not that it waits.
func TestARejectionFailsThePromotionWithItsReason(t *testing.T) {
	p := promotion(approval())
	Advance(&p, Facts{Source: healthy(t0)}, t0)
	g := &p.Gates[0]
	g.State, g.ApprovedBy, g.EndedAt, g.Reason = store.GateFailed, "ana", t0.Add(time.Minute), "rejected by ana: not on a Friday"
	act, _ := Advance(&p, Facts{Source: healthy(t0)}, t0.Add(time.Minute))
	if act != Wait || p.State != store.PromotionFailed || g.Reason != "rejected by ana: not on a Friday" ||
		p.Reason != "gate 1 (approval) failed: rejected by ana: not on a Friday" {
		t.Fatalf("got %v, %s %q, gate reason %q; want Failed with the rejection's reason", act, p.State, p.Reason, g.Reason)
	}
}

// TestInterruptedTestsRunAgain: a server restart loses the running
// command (no TestRunning, no result); the gate runs it again, at most
// maxTestAttempts times.
func TestInterruptedTestsRunAgain(t *testing.T) {
	p := promotion(testsGate("./x"))
	for i := 1; i <= maxTestAttempts; i++ {
		act, _ := Advance(&p, Facts{Source: healthy(t0)}, t0)
		if act != StartTests || p.Gates[0].Attempt != i {
			t.Fatalf("pass %d: %v attempt %d", i, act, p.Gates[0].Attempt)
		}
	}
	Advance(&p, Facts{Source: healthy(t0)}, t0)
	if p.State != store.PromotionFailed || !strings.Contains(p.Reason, "interrupted 3 times") {
		t.Fatalf("got %s %q", p.State, p.Reason)
	}
}

func TestBakeCountsFromWhenTheSourceBecameStable(t *testing.T) {
	p := promotion(bakeFor(10 * time.Minute))
	// Stable for 8 minutes before the promotion was asked for: 2 left.
	Advance(&p, Facts{Source: healthy(t0.Add(-8 * time.Minute))}, t0)
	if !strings.Contains(p.Reason, "2m0s left") {
		t.Fatalf("reason %q", p.Reason)
	}
	// A rollout in the source not finished yet: wait for it.
	q := promotion(bakeFor(time.Minute))
	Advance(&q, Facts{Source: &Source{Digest: "sha256:aa", Ready: true}}, t0)
	if q.State != store.PromotionWaiting || !strings.Contains(q.Reason, "waiting for the rollout") {
		t.Fatalf("got %s %q", q.State, q.Reason)
	}
}

func TestAnalysisGate(t *testing.T) {
	p := promotion(spec.Gate{Analysis: &spec.AnalysisGate{Count: 3}})
	act, _ := Advance(&p, Facts{Source: healthy(t0)}, t0)
	if act != Measure {
		t.Fatalf("got %v, want Measure to start the run", act)
	}
	p.Gates[0].Analysis = &store.AnalysisRun{Started: t0, NextAt: t0.Add(5 * time.Second)}
	act, after := Advance(&p, Facts{Source: healthy(t0)}, t0.Add(time.Second))
	if act != Wait || after != 4*time.Second {
		t.Fatalf("between measurements: %v after %v", act, after)
	}
	if act, _ := Advance(&p, Facts{Source: healthy(t0)}, t0.Add(5*time.Second)); act != Measure {
		t.Fatalf("measurement due: %v", act)
	}
	p.Gates[0].Analysis.Phase, p.Gates[0].Analysis.Reason = analysis.PhaseFailed, "success-rate: 0.8 fails result >= 0.99"
	Advance(&p, Facts{Source: healthy(t0)}, t0.Add(6*time.Second))
	if p.State != store.PromotionFailed || !strings.Contains(p.Reason, "gate 1 (analysis) failed: success-rate") {
		t.Fatalf("got %s %q", p.State, p.Reason)
	}
}
