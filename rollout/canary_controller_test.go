package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

const canaryV1 = `app: shop
services:
  order:
    run: ["./order", "${PORT}"]
    env: {VERSION: v1}
    instances: 4
    health: {readiness: {http: /healthz}}
    route: {host: order.localhost}
    strategy:
      canary:
        stickiness: {cookie: slipway-canary}
        steps: [{setWeight: 25}, {pause: 1m}, {setWeight: 50}, {pause: {}}]
        analysis:
          interval: 5s
          metrics:
            - {name: success-rate, provider: router, metric: successRate, successCondition: result >= 0.99}
`

func canaryVersion(v string) string {
	return strings.Replace(canaryV1, "VERSION: v1", "VERSION: "+v, 1)
}

// startCanary deploys v1 (a first deploy is not a canary) and applies v2.
func startCanary(t *testing.T) (*harness, *store.Operation) {
	h := newHarness(t)
	h.apply(canaryV1)
	h.markReady("order")
	if svc := h.service("order"); svc.Phase != store.PhaseReady || svc.Canary != nil {
		t.Fatalf("first deploy: %s canary %+v", svc.Phase, svc.Canary)
	}
	h.values.set(2, 1.0)
	return h, h.apply(canaryVersion("v2"))
}

func TestCanaryIsPromotedStepByStep(t *testing.T) {
	h, op := startCanary(t)
	if n, _ := liveOf(h.instances("order"), 2); n != 1 {
		t.Fatalf("%d canary instances, want 1 (25%% of 4)", n)
	}
	h.markReady("order")
	svc := h.service("order")
	want := store.Traffic{Active: 1, Canary: 2, Weight: 25, Sticky: svc.Traffic.Sticky}
	if svc.Traffic != want || svc.Traffic.Sticky == nil || svc.Traffic.Sticky.Cookie != "slipway-canary" {
		t.Fatalf("traffic %+v, want 25%% on revision 2 with a sticky cookie", svc.Traffic)
	}
	if n, _ := liveOf(h.instances("order"), 1); n != 4 {
		t.Fatalf("%d stable instances during the canary, want all 4", n)
	}
	h.advance(time.Minute) // the pause ends; setWeight 50 needs 2 instances
	if n, _ := liveOf(h.instances("order"), 2); n != 2 || h.service("order").Traffic.Weight != 50 {
		t.Fatalf("%d canary instances at weight %d", n, h.service("order").Traffic.Weight)
	}
	h.markReady("order")
	for range 12 {
		h.advance(5 * time.Second)
	}
	h.advance(time.Hour) // the untimed pause waits
	svc = h.service("order")
	if svc.Phase != store.PhaseProgressing || !strings.Contains(svc.Message, "paused until promoted") {
		t.Fatalf("%s %q", svc.Phase, svc.Message)
	}
	if run := svc.Canary.Analysis; run == nil || run.Metrics[0].Tally.Passes < 12 || run.Phase != analysis.PhaseRunning {
		t.Fatalf("background analysis %+v: want it measuring every 5s", run)
	}
	promote(t, h, false)
	h.markReady("order") // the candidate scales to 4
	svc = h.service("order")
	if svc.Phase != store.PhaseReady || svc.Stable != 2 || svc.Canary.Outcome != store.CanaryPromoted || h.operation(op.ID).State != store.OperationSucceeded {
		t.Fatalf("after promotion: %s stable %d canary %+v op %s", svc.Phase, svc.Stable, svc.Canary.Outcome, h.operation(op.ID).State)
	}
	if n, _ := liveOf(h.instances("order"), 1); n != 0 {
		t.Fatalf("%d instances of the old stable left", n)
	}
}

func TestFailedAnalysisRollsBackAtOnce(t *testing.T) {
	h, op := startCanary(t)
	h.markReady("order")
	h.values.set(2, 0.8) // 20% errors
	h.advance(5 * time.Second)
	svc := h.service("order")
	if svc.Traffic != (store.Traffic{Active: 1}) || svc.Revision != 1 {
		t.Fatalf("traffic %+v target %d: want every request on stable at once", svc.Traffic, svc.Revision)
	}
	c := svc.Canary
	if c.Outcome != store.CanaryRolledBack || !strings.Contains(c.Reason, "success-rate 0.8 does not meet result >= 0.99") {
		t.Fatalf("canary %s %q", c.Outcome, c.Reason)
	}
	m := c.Analysis.Metrics[0].Measurements
	if len(m) != 1 || m[0].Verdict != analysis.Fail || m[0].Value != 0.8 {
		t.Fatalf("stored measurements %+v: want the failing one, explained", m)
	}
	if st := h.operation(op.ID).State; st != store.OperationRolledBack {
		t.Fatalf("operation %s", st)
	}
	h.view(func(tx store.Tx) error {
		r, err := tx.GetRevision("order", 2)
		if r.State != store.RevisionRolledBack {
			t.Errorf("revision 2 is %s", r.State)
		}
		return err
	})
	if n, _ := liveOf(h.instances("order"), 2); n != 0 {
		t.Fatalf("%d canary instances left", n)
	}
	if len(h.events("service.canary.rolled_back")) != 1 {
		t.Fatal("no rolled_back event")
	}
}

func TestCanaryWithoutDataFailsAtTheAnalysisDeadline(t *testing.T) {
	h, _ := startCanary(t)
	h.values = &fakeProvider{value: map[int]float64{}}
	h.restartControllers() // a restarted server: the canary goes on from the store
	h.markReady("order")
	h.advance(4 * time.Minute)
	if svc := h.service("order"); svc.Revision != 2 || svc.Phase != store.PhaseProgressing {
		t.Fatalf("gave up early: %s %q", svc.Phase, svc.Message)
	}
	h.advance(2 * time.Minute)
	if svc := h.service("order"); svc.Revision != 1 || !strings.Contains(svc.Canary.Reason, "not enough data is not a pass") {
		t.Fatalf("target %d canary %q", svc.Revision, svc.Canary.Reason)
	}
}

func promote(t *testing.T, h *harness, full bool) {
	t.Helper()
	if err := h.store.Update(t.Context(), func(tx store.Tx) error {
		svc, err := tx.GetService("order")
		if err != nil {
			return err
		}
		svc.Canary.Skip, svc.Canary.Full = true, full
		return tx.PutService(svc)
	}); err != nil {
		t.Fatal(err)
	}
	h.enqueue(queue.ServiceKey("order"), 0)
	h.settle()
}

// liveOf counts the live and ready instances of one revision.
func liveOf(ins []store.Instance, rev int) (n, ready int) {
	var of []store.Instance
	for _, in := range ins {
		if in.Revision == rev {
			of = append(of, in)
		}
	}
	return live(of)
}

// A verb that lands while a pass measures (a slow provider) is not lost
// when the pass writes what it measured.
func TestAbortDuringAMeasurementIsKept(t *testing.T) {
	h, _ := startCanary(t)
	h.markReady("order")
	h.values.during = func() {
		if err := h.store.Update(t.Context(), func(tx store.Tx) error { return stack.Abort(tx, "order", "bob saw enough", h.clock.Now()) }); err != nil {
			t.Error(err)
		}
	}
	h.advance(5 * time.Second)
	if c := h.service("order").Canary; c.Outcome != store.CanaryRolledBack || !strings.Contains(c.Reason, "bob saw enough") {
		t.Fatalf("canary %s %q: want the abort asked during the measurement acted on", c.Outcome, c.Reason)
	}
}

// An analysis step a person promoted past is over: it measures no more,
// and cannot roll the canary back afterwards.
func TestAnAnalysisStepPromotedPastMeasuresNoMore(t *testing.T) {
	steps := "steps: [{setWeight: 25}, {pause: 1m}, {setWeight: 50}, {pause: {}}]"
	v1 := strings.Replace(canaryV1, steps, "steps: [{setHeaderRoute: {header: X-Canary}}, {analysis: {count: 10}}, {pause: {}}]", 1)
	h := newHarness(t)
	h.apply(v1)
	h.markReady("order")
	h.values.set(2, 1.0)
	h.apply(strings.Replace(v1, "VERSION: v1", "VERSION: v2", 1))
	h.markReady("order")
	h.advance(5 * time.Second)
	promote(t, h, false) // past the analysis step, at weight 0: no background analysis
	taken := h.service("order").Canary.StepAnalysis.Metrics[0].Taken
	h.values.set(2, 0.5)
	for range 6 {
		h.advance(5 * time.Second)
	}
	c := h.service("order").Canary
	if c.Outcome != "" || c.Step != 2 || c.StepAnalysis.Metrics[0].Taken != taken {
		t.Fatalf("canary %s %q at step %d, step analysis taken %d (was %d): want it waiting at the pause, the skipped analysis stopped",
			c.Outcome, c.Reason, c.Step+1, c.StepAnalysis.Metrics[0].Taken, taken)
	}
}

// TestARejectedCanaryNeverStopsStable runs the service's passes before
// the operation's revert (several workers may take them in any order):
// the stable's instances stay.
func TestARejectedCanaryNeverStopsStable(t *testing.T) {
	h, _ := startCanary(t)
	h.markReady("order")
	h.values.set(2, 0.5)
	h.clock.Advance(5 * time.Second)
	for range 5 {
		if _, err := h.reconcile(queue.ServiceKey("order")); err != nil {
			t.Fatal(err)
		}
		h.ctl.wg.Wait()
	}
	if svc := h.service("order"); svc.Phase != store.PhaseFailed || svc.Revision != 2 {
		t.Fatalf("the canary was not rejected yet: %s r%d", svc.Phase, svc.Revision)
	}
	if n, _ := liveOf(h.instances("order"), 1); n != 4 {
		t.Fatalf("%d of 4 stable instances left while the revert has not run yet", n)
	}
}
