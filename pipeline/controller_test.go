package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/pipeline/testrun"
	"github.com/slipway-dev/slipway/rollout"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

const pipelineSpec = `app: shop
services:
  order:
    run: ["./order", "--port", "${PORT}"]
    artifact: {path: ./order}
environments:
  dev: {}
  staging:
    gates: [{tests: "./acceptance.sh"}]
  prod:
    gates: [{approval: {}}, {bake: 10m}]
    overrides: {services: {order: {instances: 2}}}
`

// world is a hub and three environments on memory stores, each running
// order at revision 1 with digest sha256:d1, and a controller over them.
type world struct {
	t     *testing.T
	clock *clock.Fake
	hub   *store.Memory
	envs  map[string]*Env
	c     *Controller

	mu     sync.Mutex // guards queued, ran
	queued []queue.Key
	// enqueued hears every Enqueue: a test command's goroutine queues the
	// promotion once its result is recorded.
	enqueued chan queue.Key
	ran      []testrun.Command
	result   testrun.Result
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, clock: clock.NewFake(t0), hub: store.NewMemory(), envs: map[string]*Env{}, result: testrun.Result{Passed: true, Output: "ok"},
		enqueued: make(chan queue.Key, 100)}
	for _, name := range []string{"dev", "staging", "prod"} {
		db := store.NewMemory()
		w.envs[name] = &Env{Name: name, Store: db, RouterURL: "http://127.0.0.1:1/" + name, Enqueue: func(queue.Key) {}}
		w.update(db, func(tx store.Tx) error {
			if err := tx.PutApp(store.App{Name: "shop", Spec: pipelineSpec, File: "slipway.yaml", Dir: "/src", AppliedAt: t0}); err != nil {
				return err
			}
			return w.run(tx, 1, "sha256:d1", "v1")
		})
	}
	w.c = New(Config{Hub: w.hub, Clock: w.clock,
		Env: func(name string) (*Env, error) {
			if e, ok := w.envs[name]; ok {
				return e, nil
			}
			return nil, store.NotFoundf("no %s", name)
		},
		Enqueue: func(key queue.Key, _ time.Duration) {
			w.mu.Lock()
			w.queued = append(w.queued, key)
			w.mu.Unlock()
			select {
			case w.enqueued <- key:
			default:
			}
		},
		Run: func(_ context.Context, cmd testrun.Command) testrun.Result {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.ran = append(w.ran, cmd)
			return w.result
		},
	})
	w.update(w.hub, func(tx store.Tx) error {
		for _, v := range []store.Version{{Service: "order", Version: "v1", Kind: store.VersionFile, Digest: "sha256:d1"}, {Service: "order", Version: "v2", Kind: store.VersionFile, Digest: "sha256:d2"}} {
			if err := tx.PutVersion(v); err != nil {
				return err
			}
		}
		return nil
	})
	return w
}

func (w *world) update(s store.Store, fn func(tx store.Tx) error) {
	w.t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		w.t.Fatal(err)
	}
}

// run makes revision n (running digest) order's stable, ready revision.
func (w *world) run(tx store.Tx, n int, digest, version string) error {
	return w.runSpec(tx, n, orderSpec(digest, version))
}

// orderSpec is order's spec running digest.
func orderSpec(digest, version string) spec.Service {
	return spec.Service{Name: "order", Run: []string{"./order"}, Artifact: &spec.Artifact{Path: "./order", Digest: digest, Version: version}}
}

// runSpec makes revision n of order, with spec sp, its stable, ready
// revision.
func (w *world) runSpec(tx store.Tx, n int, sp spec.Service) error {
	rev, err := tx.CreateRevision(store.Revision{Service: "order", State: store.RevisionStable, CreatedAt: w.clock.Now(), Spec: sp})
	if err != nil {
		return err
	}
	if rev.Number != n {
		return fmt.Errorf("created revision %d, want %d", rev.Number, n)
	}
	if err := setService(tx, store.Service{Name: "order", Revision: n, Stable: n, Phase: store.PhaseReady}); err != nil {
		return err
	}
	_, err = tx.AppendEvent(store.Event{Time: w.clock.Now(), Type: "service.rollout.succeeded", Service: "order", Revision: n})
	return err
}

// setService makes svc the stored service, whatever version is stored.
func setService(tx store.Tx, svc store.Service) error {
	cur, err := tx.GetService(svc.Name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	svc.StoreVersion = cur.StoreVersion
	return tx.PutService(svc)
}

// settle runs passes over a promotion until it is quiet; after a pass
// that left a test command running, it waits for the command's goroutine
// to record its result (it queues the promotion then).
func (w *world) settle(id int64) store.Promotion {
	w.t.Helper()
	for range 20 {
		if _, err := w.c.Reconcile(context.Background(), id); err != nil {
			w.t.Fatal(err)
		}
		w.awaitTests()
	}
	return w.promotion(id)
}

// awaitTests waits until no test command runs without a result.
func (w *world) awaitTests() {
	w.t.Helper()
	for {
		w.c.mu.Lock()
		running := false
		for _, r := range w.c.tests {
			running = running || r.result == nil
		}
		w.c.mu.Unlock()
		if !running {
			return
		}
		select {
		case <-w.enqueued:
		case <-time.After(10 * time.Second):
			w.t.Fatal("a test command never recorded its result")
		}
	}
}

func (w *world) promotion(id int64) store.Promotion {
	var p store.Promotion
	w.update(w.hub, func(tx store.Tx) error { var err error; p, err = tx.GetPromotion(id); return err })
	return p
}

func TestPromotionThroughTestsGate(t *testing.T) {
	w := newWorld(t)
	w.update(w.envs["dev"].Store, func(tx store.Tx) error { return w.run(tx, 2, "sha256:d2", "v2") })
	p, err := w.c.Promote(context.Background(), "order", "dev", "staging", "v2", "ana")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Gates) != 1 || p.Gates[0].Kind != "tests" || p.Gates[0].Dir != "/src" || p.Digest != "sha256:d2" {
		t.Fatalf("promotion %+v", p)
	}
	p = w.settle(p.ID)
	if p.State != store.PromotionDeploying || p.Gates[0].State != store.GatePassed || p.Gates[0].Output != "ok" {
		t.Fatalf("after the gate: %s %q, gate %+v", p.State, p.Reason, p.Gates[0])
	}
	cmd := w.ran[0]
	if cmd.Run != "./acceptance.sh" || cmd.Dir != "/src" || cmd.Env["SLIPWAY_URL"] != "http://127.0.0.1:1/dev" || cmd.Env["SLIPWAY_VERSION"] != "v2" {
		t.Errorf("ran %+v", cmd)
	}
	// The deploy made one operation in staging, for revision 2 with the
	// very digest: the same artifact, not a rebuild.
	var op store.Operation
	var rev store.Revision
	w.update(w.envs["staging"].Store, func(tx store.Tx) error {
		ops, err := tx.ListOperations(false, 0)
		if err != nil || len(ops) != 1 {
			return fmt.Errorf("operations %v %v", ops, err)
		}
		op = ops[0]
		rev, err = tx.GetRevision("order", op.Changes[0].To)
		return err
	})
	if op.Promotion != p.ID || op.Kind != store.KindDeploy || rev.Spec.Artifact.Digest != "sha256:d2" || rev.Spec.Artifact.Version != "v2" {
		t.Fatalf("operation %+v, revision artifact %+v", op, rev.Spec.Artifact)
	}
	// The operation ends: so does the promotion.
	w.update(w.envs["staging"].Store, func(tx store.Tx) error {
		op.State = store.OperationSucceeded
		return tx.PutOperation(op)
	})
	if p = w.settle(p.ID); p.State != store.PromotionSucceeded {
		t.Fatalf("got %s %q", p.State, p.Reason)
	}
}

// TestDeployIsMadeOnce: a pass cut short after it created the target's
// operation (the promotion still says Waiting) finds that operation
// again instead of deploying twice.
func TestDeployIsMadeOnce(t *testing.T) {
	w := newWorld(t)
	w.update(w.envs["dev"].Store, func(tx store.Tx) error { return w.run(tx, 2, "sha256:d2", "v2") })
	p, err := w.c.Promote(context.Background(), "order", "dev", "staging", "", "ana")
	if err != nil {
		t.Fatal(err)
	}
	waiting := w.settle(p.ID)
	// Pretend the promotion's write was lost: put it back to Waiting
	// with its gates passed.
	waiting.State, waiting.Operation = store.PromotionWaiting, 0
	w.update(w.hub, func(tx store.Tx) error { return tx.PutPromotion(waiting) })
	p = w.settle(p.ID)
	var n int
	w.update(w.envs["staging"].Store, func(tx store.Tx) error {
		ops, err := tx.ListOperations(false, 0)
		n = len(ops)
		return err
	})
	if n != 1 || p.State != store.PromotionDeploying {
		t.Fatalf("%d operations, promotion %s; want 1, Deploying", n, p.State)
	}
}

func TestBadRequestsChangeNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	cases := []struct {
		name string
		do   func() error
		want string
		kind error
	}{
		{"version never reached the source", func() error {
			_, err := w.c.Promote(ctx, "order", "staging", "prod", "v9", "ana")
			return err
		}, "version v9 of order never reached staging (it has run v1)", store.ErrConflict},
		{"version ran before", func() error {
			w.update(w.envs["dev"].Store, func(tx store.Tx) error {
				if err := tx.SetRevisionState("order", 1, store.RevisionSuperseded, ""); err != nil {
					return err
				}
				return w.run(tx, 2, "sha256:d2", "v2")
			})
			_, err := w.c.Promote(ctx, "order", "dev", "staging", "v1", "ana")
			return err
		}, "version v1 of order ran in dev before, but dev runs v2 now", store.ErrConflict},
		{"wrong source", func() error { _, err := w.c.Promote(ctx, "order", "dev", "prod", "", "ana"); return err },
			"prod is promoted from staging (environments.prod.from), not from dev", store.ErrInvalid},
		{"promote into the first environment", func() error { _, err := w.c.Promote(ctx, "order", "staging", "dev", "", "ana"); return err },
			"dev is not promoted from another environment: deploy to it", store.ErrInvalid},
		{"unknown environment", func() error { _, err := w.c.Promote(ctx, "order", "staging", "qa", "", "ana"); return err },
			`environment "qa" does not exist on this server`, store.ErrNotFound},
		{"deploy into a promoted environment", func() error { _, err := w.c.Deploy(ctx, "order", "v2", "prod", "ana"); return err },
			"prod is promoted from staging, not deployed to: slipway promote order --from staging --to prod", store.ErrInvalid},
		{"deploy a version never pushed", func() error { _, err := w.c.Deploy(ctx, "order", "v7", "dev", "ana"); return err },
			"version v7 of order was never pushed (pushed: v1, v2)", store.ErrNotFound},
		{"deploy an unknown service", func() error { _, err := w.c.Deploy(ctx, "billing", "v1", "dev", "ana"); return err },
			`service "billing" is not in the spec applied to dev (services: order)`, store.ErrNotFound},
		{"approve what waits for nothing", func() error { _, err := w.c.Approve(ctx, "order", "prod", "ana", false, ""); return err },
			"no promotion of order into prod is in flight: nothing waits for approval", store.ErrConflict},
		{"approve with no name", func() error { _, err := w.c.Approve(ctx, "order", "prod", "", false, ""); return err },
			"must say who approves", store.ErrInvalid},
		{"deploy an image onto a command", func() error {
			w.update(w.hub, func(tx store.Tx) error {
				return tx.PutVersion(store.Version{Service: "order", Version: "i1", Kind: store.VersionImage, Digest: "sha256:i1", Image: "shop/order@sha256:i1"})
			})
			_, err := w.c.Deploy(ctx, "order", "i1", "dev", "ana")
			return err
		}, "service order runs a command, and version i1 is an image: give the service `image:`", store.ErrInvalid},
		{"promote an image named by a tag", func() error {
			w.update(w.envs["dev"].Store, func(tx store.Tx) error {
				return w.runSpec(tx, 3, spec.Service{Name: "order", Image: "shop/order:v1"})
			})
			_, err := w.c.Promote(ctx, "order", "dev", "staging", "", "ana")
			return err
		}, "order runs image shop/order:v1, a tag, not a digest: promotion moves a digest", store.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.do()
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.kind) {
				t.Fatalf("got %v; want a %v error saying %q", err, c.kind, c.want)
			}
		})
	}
	var ps []store.Promotion
	w.update(w.hub, func(tx store.Tx) error { var err error; ps, err = tx.ListPromotions("", false, 0); return err })
	if len(ps) != 0 {
		t.Errorf("bad requests stored promotions: %+v", ps)
	}
}

func TestApprovalIsRecordedAndOnlyWhenWaited(t *testing.T) {
	w := newWorld(t)
	w.update(w.envs["staging"].Store, func(tx store.Tx) error { return w.run(tx, 2, "sha256:d2", "v2") })
	p, err := w.c.Promote(context.Background(), "order", "staging", "prod", "v2", "ana")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.c.Promote(context.Background(), "order", "staging", "prod", "v2", "bo"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second promotion into prod: %v; want a conflict", err)
	}
	p = w.settle(p.ID)
	if !strings.Contains(p.Reason, "waiting for approval: slipway approve order --env prod") {
		t.Fatalf("reason %q", p.Reason)
	}
	w.clock.Advance(time.Minute)
	if _, err := w.c.Approve(context.Background(), "order", "prod", "ana", false, ""); err != nil {
		t.Fatal(err)
	}
	p = w.settle(p.ID)
	g := p.Gates[0]
	if g.State != store.GatePassed || g.ApprovedBy != "ana" || !g.EndedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("approval gate %+v", g)
	}
	if !strings.Contains(p.Reason, "baking in staging") {
		t.Fatalf("after approval: %q", p.Reason)
	}
	if _, err := w.c.Approve(context.Background(), "order", "prod", "ana", false, ""); !errors.Is(err, store.ErrConflict) ||
		!strings.Contains(err.Error(), "waits for no approval now (baking in staging") {
		t.Fatalf("approving a bake: %v", err)
	}
	// Staging rolls back meanwhile: the bake fails, nothing is deployed.
	w.update(w.envs["staging"].Store, func(tx store.Tx) error {
		return setService(tx, store.Service{Name: "order", Revision: 1, Stable: 1, Phase: store.PhaseReady})
	})
	if p = w.settle(p.ID); p.State != store.PromotionFailed || !strings.Contains(p.Reason, "staging no longer runs version v2") {
		t.Fatalf("got %s %q", p.State, p.Reason)
	}
}

func TestHangingTestCommandFailsTheGate(t *testing.T) {
	w := newWorld(t)
	w.c.cfg.Run = testrun.Run // real processes
	w.update(w.envs["dev"].Store, func(tx store.Tx) error { return w.run(tx, 2, "sha256:d2", "v2") })
	p, err := w.c.Promote(context.Background(), "order", "dev", "staging", "", "ana")
	if err != nil {
		t.Fatal(err)
	}
	p.Gates[0].Def.Tests = &spec.TestsGate{Run: "sleep 60", Timeout: spec.Duration{Duration: 300 * time.Millisecond}}
	p.Gates[0].Dir = t.TempDir()
	w.update(w.hub, func(tx store.Tx) error { return tx.PutPromotion(p) })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := w.c.Reconcile(context.Background(), p.ID); err != nil {
			t.Fatal(err)
		}
		if p = w.promotion(p.ID); p.State.Terminal() {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if p.State != store.PromotionFailed || !strings.Contains(p.Reason, "gate 1 (tests) failed: timed out after 300ms") {
		t.Fatalf("got %s %q", p.State, p.Reason)
	}
}

func TestCancelStopsAWaitingPromotion(t *testing.T) {
	w := newWorld(t)
	started := make(chan struct{})
	w.c.cfg.Run = func(ctx context.Context, _ testrun.Command) testrun.Result {
		close(started)
		<-ctx.Done() // runs until cancelled
		return testrun.Result{Reason: "canceled"}
	}
	w.update(w.envs["dev"].Store, func(tx store.Tx) error { return w.run(tx, 2, "sha256:d2", "v2") })
	p, err := w.c.Promote(context.Background(), "order", "dev", "staging", "", "ana")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.c.Reconcile(context.Background(), p.ID); err != nil {
		t.Fatal(err)
	}
	<-started
	if p, err = w.c.Cancel(context.Background(), "order", "staging", "bo"); err != nil {
		t.Fatal(err)
	}
	if p.State != store.PromotionCancelled || p.Reason != "cancelled by bo" {
		t.Fatalf("got %s %q", p.State, p.Reason)
	}
	if p = w.settle(p.ID); p.State != store.PromotionCancelled {
		t.Fatalf("after a pass: %s %q", p.State, p.Reason)
	}
	var n int
	w.update(w.envs["staging"].Store, func(tx store.Tx) error { ops, err := tx.ListOperations(false, 0); n = len(ops); return err })
	if n != 0 {
		t.Fatalf("a cancelled promotion deployed: %d operations", n)
	}
	if _, err := w.c.Cancel(context.Background(), "order", "staging", "bo"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("cancelling again: %v", err)
	}
	// A new promotion into staging may start now.
	if _, err := w.c.Promote(context.Background(), "order", "dev", "staging", "", "ana"); err != nil {
		t.Fatalf("a promotion after the cancel: %v", err)
	}
}

// TestAnalysisGateMeasuresTheSource: an analysis gate with no metrics of
// its own measures the router's success rate of the version where it
// comes from, count passes in a row, one interval apart.
func TestAnalysisGateMeasuresTheSource(t *testing.T) {
	for _, c := range []struct {
		name    string
		verdict analysis.Verdict
		want    store.PromotionState
	}{{"passes", analysis.Pass, store.PromotionDeploying}, {"fails", analysis.Fail, store.PromotionFailed}} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			var measured []string
			w.envs["staging"].Measure = func(_ context.Context, service string, revision int, a *spec.Analysis, run *store.AnalysisRun, now time.Time) {
				measured = append(measured, fmt.Sprintf("%s r%d %s %s", service, revision, a.Metrics[0].Metric, a.Metrics[0].SuccessCondition))
				rollout.Record(run, a, map[string]analysis.Measurement{a.Metrics[0].Name: {Metric: a.Metrics[0].Name, Verdict: c.verdict, Reason: "measured"}}, now)
			}
			w.update(w.envs["staging"].Store, func(tx store.Tx) error { return w.run(tx, 2, "sha256:d2", "v2") })
			p, err := w.c.Promote(context.Background(), "order", "staging", "prod", "", "ana")
			if err != nil {
				t.Fatal(err)
			}
			p.Gates = []store.Gate{{Kind: "analysis", State: store.GatePending, Def: spec.Gate{Analysis: &spec.AnalysisGate{Count: 3}}}}
			w.update(w.hub, func(tx store.Tx) error { return tx.PutPromotion(p) })
			for range 10 {
				if _, err := w.c.Reconcile(context.Background(), p.ID); err != nil {
					t.Fatal(err)
				}
				w.clock.Advance(spec.DefaultAnalysisInterval)
			}
			p = w.promotion(p.ID)
			if p.State != c.want {
				t.Fatalf("got %s %q; want %s", p.State, p.Reason, c.want)
			}
			if len(measured) == 0 || measured[0] != "order r2 successRate result >= 0.99" {
				t.Fatalf("measured %v", measured)
			}
			if c.verdict == analysis.Pass && len(measured) != 3 {
				t.Errorf("measured %d times, want 3 (count)", len(measured))
			}
		})
	}
}

// TestCancelDuringASlowAnalysisGateHolds: a person cancels a promotion
// while a pass measures its analysis gate (seconds, outside any
// transaction). The pass's write, made from what it read before, must
// not bring the promotion back to Waiting: it is a conflict, and the
// next pass, reading afresh, leaves the promotion cancelled.
func TestCancelDuringASlowAnalysisGateHolds(t *testing.T) {
	w := newWorld(t)
	cancelled := false
	w.envs["staging"].Measure = func(_ context.Context, _ string, _ int, a *spec.Analysis, run *store.AnalysisRun, now time.Time) {
		if !cancelled {
			cancelled = true
			if _, err := w.c.Cancel(context.Background(), "order", "prod", "bo"); err != nil {
				t.Errorf("cancel during the measurement: %v", err)
			}
		}
		rollout.Record(run, a, map[string]analysis.Measurement{a.Metrics[0].Name: {Metric: a.Metrics[0].Name, Verdict: analysis.Pass, Reason: "measured"}}, now)
	}
	w.update(w.envs["staging"].Store, func(tx store.Tx) error { return w.run(tx, 2, "sha256:d2", "v2") })
	p, err := w.c.Promote(context.Background(), "order", "staging", "prod", "", "ana")
	if err != nil {
		t.Fatal(err)
	}
	p.Gates = []store.Gate{{Kind: "analysis", State: store.GatePending, Def: spec.Gate{Analysis: &spec.AnalysisGate{Count: 1}}}}
	w.update(w.hub, func(tx store.Tx) error { return tx.PutPromotion(p) })
	for !cancelled {
		if _, err := w.c.Reconcile(context.Background(), p.ID); cancelled != errors.Is(err, store.ErrConflict) {
			t.Fatalf("a pass (measured across a cancel: %v): %v", cancelled, err)
		}
		w.clock.Advance(spec.DefaultAnalysisInterval)
	}
	for range 3 {
		if _, err := w.c.Reconcile(context.Background(), p.ID); err != nil {
			t.Fatal(err)
		}
	}
	if p = w.promotion(p.ID); p.State != store.PromotionCancelled || p.Reason != "cancelled by bo" {
		t.Fatalf("after the cancel: %s %q, want Cancelled", p.State, p.Reason)
	}
	var n int
	w.update(w.envs["prod"].Store, func(tx store.Tx) error { ops, err := tx.ListOperations(false, 0); n = len(ops); return err })
	if n != 0 {
		t.Fatalf("a cancelled promotion deployed: %d operations", n)
	}
}
