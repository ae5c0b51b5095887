package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/rollout"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// errDiskGone is the failure brokenRevisions injects.
var errDiskGone = errors.New("disk I/O error")

// brokenRevisions is a memory store whose reads of a revision fail once
// ok of them have succeeded, as a database failing between two reads of
// one pass would.
type brokenRevisions struct {
	*store.Memory
	mu sync.Mutex // guards ok
	ok int        // reads of a revision left before they fail; < 0: they never do
}

// View runs fn with a transaction whose GetRevision may fail.
func (s *brokenRevisions) View(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.Memory.View(ctx, func(tx store.Tx) error { return fn(brokenTx{Tx: tx, s: s}) })
}

// heal makes every later read succeed.
func (s *brokenRevisions) heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ok = -1
}

// fails reports whether this read fails, counting it.
func (s *brokenRevisions) fails() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ok < 0 {
		return false
	}
	if s.ok == 0 {
		return true
	}
	s.ok--
	return false
}

// brokenTx is a transaction of a brokenRevisions store.
type brokenTx struct {
	store.Tx
	s *brokenRevisions
}

// GetRevision fails with errDiskGone when the store says so.
func (tx brokenTx) GetRevision(service string, n int) (store.Revision, error) {
	if tx.s.fails() {
		return store.Revision{}, fmt.Errorf("get revision %s/%d: %w", service, n, errDiskGone)
	}
	return tx.Tx.GetRevision(service, n)
}

// TestAnalysisGateReadFailureFailsThePass: an analysis gate with no
// metrics of its own reads the source revision's canary analysis; when
// that read fails, the pass fails (the queue retries it with backoff)
// and nothing is stored, rather than falling back to the default
// success-rate check. Once the store answers again, the gate measures
// the canary's condition.
func TestAnalysisGateReadFailureFailsThePass(t *testing.T) {
	w := newWorld(t)
	staging := &brokenRevisions{Memory: w.envs["staging"].Store.(*store.Memory), ok: -1}
	w.envs["staging"].Store = staging
	var measured []string
	w.envs["staging"].Measure = func(_ context.Context, service string, revision int, a *spec.Analysis, run *store.AnalysisRun, now time.Time) {
		measured = append(measured, fmt.Sprintf("%s r%d %s", service, revision, a.Metrics[0].Name))
		rollout.Record(run, a, map[string]analysis.Measurement{a.Metrics[0].Name: {Metric: a.Metrics[0].Name, Verdict: analysis.Pass}}, now)
	}
	w.update(staging, func(tx store.Tx) error { return w.runCanary(tx, 2, "sha256:d2") })
	p, err := w.c.Promote(context.Background(), "order", "staging", "prod", "", "ana")
	if err != nil {
		t.Fatal(err)
	}
	p.Gates = []store.Gate{{Kind: "analysis", State: store.GatePending, Def: spec.Gate{Analysis: &spec.AnalysisGate{Count: 1}}}}
	w.update(w.hub, func(tx store.Tx) error { return tx.PutPromotion(p) })

	staging.mu.Lock()
	staging.ok = 1 // the source's facts read the revision; the gate's read fails
	staging.mu.Unlock()
	if _, err := w.c.Reconcile(context.Background(), p.ID); !errors.Is(err, errDiskGone) {
		t.Fatalf("a pass whose gate could not read the canary analysis returned %v, want %v", err, errDiskGone)
	}
	if got := w.promotion(p.ID); got.State.Terminal() || got.Gates[0].Analysis != nil {
		t.Fatalf("the failed pass stored %s, gate %+v; want nothing stored", got.State, got.Gates[0])
	}

	staging.heal()
	for range 3 {
		if _, err := w.c.Reconcile(context.Background(), p.ID); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(spec.DefaultAnalysisInterval)
	}
	if len(measured) == 0 || measured[0] != "order r2 error-budget" {
		t.Fatalf("measured %v, want the canary's condition error-budget", measured)
	}
}

// runCanary makes revision n (running digest) order's stable, ready
// revision, with a canary analysis of a comparison and a condition.
func (w *world) runCanary(tx store.Tx, n int, digest string) error {
	sp := orderSpec(digest, "v2")
	sp.Strategy.Canary = &spec.Canary{Analysis: &spec.Analysis{Metrics: []spec.Metric{
		{Name: "latency", Provider: spec.ProviderRouter, Metric: "latencyP90", Compare: spec.CompareBaseline},
		{Name: "error-budget", Provider: spec.ProviderRouter, Metric: "successRate", SuccessCondition: "result >= 0.95"},
	}}}
	return w.runSpec(tx, n, sp)
}
