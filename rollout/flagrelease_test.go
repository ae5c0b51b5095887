package rollout

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

const flagRelease = `app: shop
services:
  order:
    run: ["./order", "${PORT}"]
    env: {VERSION: v1}
    health: {readiness: {http: /healthz}}
flags:
  new-checkout:
    class: release
    type: boolean
    default: off
    progressive:
      service: order
      steps: [{percent: 10, bake: 1m}, {percent: 50, bake: 1m}, {percent: 100}]
      analysis:
        interval: 10s
        metrics:
          - {name: ok, provider: router, metric: successRate, successCondition: result >= 0.99}
`

// served evaluates new-checkout for 1,000 subjects as the server would
// serve it now, and returns how many get "on".
func (h *harness) served() int {
	h.t.Helper()
	var set *flags.Set
	h.view(func(tx store.Tx) error {
		c, err := tx.GetFlagConfig()
		if err == nil {
			set, err = stack.CompileFlags(c)
		}
		return err
	})
	on := 0
	for i := range 1000 {
		if set.Evaluate("new-checkout", flags.Context{TargetingKey: fmt.Sprint("user-", i)}).Variant == "on" {
			on++
		}
	}
	return on
}

func (h *harness) release() store.FlagRelease {
	var r store.FlagRelease
	h.view(func(tx store.Tx) error {
		c, err := tx.GetFlagConfig()
		if err == nil {
			r = *c.Releases["new-checkout"]
		}
		return err
	})
	return r
}

func TestFlagReleaseWaitsForTheServiceThenRaisesItsShare(t *testing.T) {
	h := newHarness(t)
	h.values.set(1, 1.0) // order's stable revision, which reads the flag
	h.apply(flagRelease)
	h.enqueue(queue.FlagKey("new-checkout"), 0)
	h.settle()
	if r := h.release(); !r.StepStarted.IsZero() || h.served() != 0 {
		t.Fatalf("before order is ready: release %+v, %d of 1000 on", r, h.served())
	}
	h.markReady("order")
	h.enqueue(queue.FlagKey("new-checkout"), 0)
	h.settle()
	if r, on := h.release(), h.served(); r.Percent != 10 || on < 50 || on > 150 {
		t.Fatalf("step 1: release %+v, %d of 1000 on, want about 100", r, on)
	}
	for range 6 {
		h.advance(10 * time.Second)
	}
	if r, on := h.release(), h.served(); r.Percent != 50 || on < 420 || on > 580 || len(r.Done) != 1 || r.Done[0].Metrics[0].Tally.Passes < 5 {
		t.Fatalf("step 2: release %+v, %d of 1000 on; want step 1's analysis kept with its passes", r, on)
	}
	h.advance(time.Minute)
	h.advance(10 * time.Second) // the last step needs its one measurement: not enough data is not a pass
	if r, on := h.release(), h.served(); r.Outcome != store.CanaryPromoted || on != 1000 {
		t.Fatalf("after the steps: release %+v, %d on", r, on)
	}
}

func TestFailedFlagAnalysisFlipsItBack(t *testing.T) {
	h := newHarness(t)
	h.values.set(1, 1.0)
	h.apply(flagRelease)
	h.markReady("order")
	h.enqueue(queue.FlagKey("new-checkout"), 0)
	h.settle()
	h.values.set(1, 0.9)
	h.advance(10 * time.Second)
	r := h.release()
	if r.Outcome != store.CanaryRolledBack || !strings.Contains(r.Reason, "ok 0.9 does not meet result >= 0.99") || h.served() != 0 {
		t.Fatalf("release %+v, %d of 1000 on: want flipped back with the reason", r, h.served())
	}
	if r.Analysis == nil || len(r.Analysis.Metrics[0].Measurements) == 0 {
		t.Fatalf("the failing analysis was not kept: %+v", r.Analysis)
	}
	if len(h.events("flag.release.rolled_back")) != 1 {
		t.Fatal("no flag.release.rolled_back event")
	}
}

// applyFlags applies a spec's flags only, as an apply whose services do
// not change would.
func (h *harness) applyFlags(yaml string) {
	h.t.Helper()
	app, err := spec.Parse("slipway.yaml", []byte(yaml))
	if err != nil {
		h.t.Fatalf("parse: %v", err)
	}
	if err := h.store.Update(context.Background(), func(tx store.Tx) error {
		_, err := stack.ApplyFlags(tx, app, stack.Source{File: "slipway.yaml", Text: yaml}, h.clock.Now())
		return err
	}); err != nil {
		h.t.Errorf("apply flags: %v", err)
	}
}

var flagReleaseAgain = strings.Replace(flagRelease, "{percent: 10, bake: 1m}", "{percent: 5, bake: 1m}", 1)

// An apply that restarts a release while a pass measures (a slow
// provider) is not overwritten by that pass's step.
func TestAFlagReleaseRestartedDuringAPassIsKept(t *testing.T) {
	h := newHarness(t)
	h.values.set(1, 1.0)
	h.apply(flagRelease)
	h.markReady("order")
	h.enqueue(queue.FlagKey("new-checkout"), 0)
	h.settle()
	for range 5 {
		h.advance(10 * time.Second)
	}
	h.values.during = func() { h.applyFlags(flagReleaseAgain) }
	h.advance(10 * time.Second) // step 1's bake ends in the pass that measures
	if r := h.release(); !r.Started.Equal(h.clock.Now()) || r.Percent != 5 {
		t.Fatalf("release %+v: want the one the apply started, at its first step (5%%)", r)
	}
}

// A release that replaces another starts its own analysis: the old
// one's measurements do not judge it.
func TestARestartedFlagReleaseDoesNotInheritTheOldAnalysis(t *testing.T) {
	h := newHarness(t)
	h.values.set(1, 1.0)
	h.apply(flagRelease)
	h.markReady("order")
	h.enqueue(queue.FlagKey("new-checkout"), 0)
	h.settle()
	for range 5 {
		h.advance(10 * time.Second)
	}
	h.advance(5 * time.Second)
	h.applyFlags(flagReleaseAgain) // the old step's next measurement is due at 60s
	h.values.set(1, 0.9)
	h.advance(5 * time.Second)
	if r := h.release(); r.Outcome != "" || r.Percent != 5 {
		t.Fatalf("release %+v: want the new release at its first step, not judged by the old one's analysis", r)
	}
}

func TestAdvanceFlag(t *testing.T) {
	app, err := spec.Parse("slipway.yaml", []byte(flagRelease))
	if err != nil {
		t.Fatal(err)
	}
	p := app.Flags["new-checkout"].Progressive
	started := store.FlagRelease{Variant: "on", Service: "order", StepStarted: t0, Percent: 10}
	last := store.FlagRelease{Variant: "on", Service: "order", Step: 2, StepStarted: t0, Percent: 100}
	failed := &store.AnalysisRun{Step: 0, Phase: analysis.PhaseFailed, Reason: "ok: too many failures"}
	running := &store.AnalysisRun{Step: 0, Phase: analysis.PhaseRunning, NextAt: t0.Add(10 * time.Second)}
	ready := FlagSeen{ServiceDone: true}
	for _, tc := range []struct {
		name     string
		r        store.FlagRelease
		run      *store.AnalysisRun
		seen     FlagSeen
		at       time.Duration
		step     int
		percent  float64
		decision CanaryDecision
		reason   string
	}{
		{"waits for the service", store.FlagRelease{Variant: "on"}, nil, FlagSeen{}, 0, 0, 0, CanaryWait, ""},
		{"first step once the service is done", store.FlagRelease{Variant: "on"}, nil, ready, 0, 0, 10, CanaryWait, ""},
		{"a started step goes on while the service rolls out", started, running, FlagSeen{}, 30 * time.Second, 0, 10, CanaryWait, ""},
		{"bake over: the next step", started, running, ready, time.Minute, 1, 50, CanaryWait, ""},
		{"a step's bake starts with the step", started, running, ready, 3 * time.Minute, 1, 50, CanaryWait, ""},
		{"the last step over: promoted", last, nil, ready, 0, 3, 100, CanaryPromote, "every step passed: on at 100%"},
		{"failed analysis: rolled back", started, failed, ready, time.Minute, 0, 10, CanaryRollBack, "analysis at 10% failed"},
		{"killed: rolled back", started, running, FlagSeen{ServiceDone: true, Killed: true}, time.Minute, 0, 10, CanaryRollBack, "killed at 10%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := AdvanceFlag(tc.r, p, tc.run, tc.seen, t0.Add(tc.at)) // edits nothing it is given
			if out.Next.Step != tc.step || out.Next.Percent != tc.percent || out.Decision != tc.decision || !strings.Contains(out.Reason, tc.reason) {
				t.Fatalf("step %d at %g%%, %s %q; want step %d at %g%%, %s %q",
					out.Next.Step, out.Next.Percent, out.Decision, out.Reason, tc.step, tc.percent, tc.decision, tc.reason)
			}
		})
	}
}

func TestKillingAFlagStopsItsRelease(t *testing.T) {
	h := newHarness(t)
	h.values.set(1, 1.0)
	h.apply(flagRelease)
	h.markReady("order")
	h.enqueue(queue.FlagKey("new-checkout"), 0)
	h.settle()
	edit := func(e stack.FlagEdit) {
		if err := h.store.Update(t.Context(), func(tx store.Tx) error { return stack.EditFlag(tx, "new-checkout", e, h.clock.Now()) }); err != nil {
			t.Fatal(err)
		}
	}
	edit(stack.KillFlag("checkout errors"))
	for range 30 {
		h.advance(10 * time.Second)
	}
	edit(stack.EnableFlag("fixed"))
	if r, on := h.release(), h.served(); r.Outcome != store.CanaryRolledBack || !strings.Contains(r.Reason, "killed") || on != 0 {
		t.Fatalf("release %+v, %d of 1000 on after the enable: want the release stopped by the kill, the variant at 0%%", r, on)
	}
}

func TestFlagStepWithoutDataDoesNotPass(t *testing.T) {
	h := newHarness(t) // order's stable revision has no data: the fake provider answers none
	h.apply(flagRelease)
	h.markReady("order")
	h.enqueue(queue.FlagKey("new-checkout"), 0)
	h.settle()
	for range 12 {
		h.advance(10 * time.Second)
	}
	if r := h.release(); r.Step != 0 || r.Percent != 10 || r.Outcome != "" {
		t.Fatalf("after 2 minutes without data: %+v; want it still at step 1, waiting", r)
	}
	h.advance(5 * time.Minute) // the analysis deadline
	if r := h.release(); r.Outcome != store.CanaryRolledBack || !strings.Contains(r.Reason, "not enough data is not a pass") {
		t.Fatalf("past the analysis deadline: %+v", r)
	}
}
