package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/pipeline/testrun"
	"github.com/slipway-dev/slipway/rollout"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// Env is what the pipeline needs of one environment the server hosts.
type Env struct {
	Name  string
	Store store.Store
	// RouterURL is where the environment's users' traffic goes
	// (http://host:port); test commands get it as SLIPWAY_URL.
	RouterURL string
	// Enqueue asks the environment's controllers for a pass over a key.
	Enqueue func(key string)
	// Measure takes an analysis run's due measurements of a service's
	// revision there (rollout.Controller.MeasureRevision).
	Measure func(ctx context.Context, service string, revision int, a *spec.Analysis, run *store.AnalysisRun, now time.Time)
	// Down, when set, reports whether the environment is being taken
	// down: nothing is deployed into it meanwhile.
	Down func() bool
}

// Config wires the controller to the server.
type Config struct {
	// Hub stores versions and promotions (the server's default
	// environment's store).
	Hub store.Store
	// Env returns a hosted environment; a not-found error otherwise.
	Env func(name string) (*Env, error)
	// Enqueue asks for a pass over a promotion's key after a while.
	Enqueue func(key string, after time.Duration)
	Clock   clock.Clock
	Logger  *slog.Logger
	// Run runs a test command (testrun.Run unless a test says).
	Run func(ctx context.Context, c testrun.Command) testrun.Result
	// Context bounds test commands: they are killed when it ends.
	Context context.Context
}

// Controller moves promotions through their gates into their target
// environments. Promotions are stored first (level-triggered): a
// restarted server resumes each where it was; a test command cut short
// by the restart runs again.
type Controller struct {
	cfg Config

	mu    sync.Mutex // guards tests
	tests map[int64]*testRun
}

// testRun is a test command running, or finished and not yet recorded.
type testRun struct {
	gate   int
	result *testrun.Result
	cancel context.CancelFunc
}

// New returns a controller for cfg.
func New(cfg Config) *Controller {
	if cfg.Run == nil {
		cfg.Run = testrun.Run
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	return &Controller{cfg: cfg, tests: map[int64]*testRun{}}
}

// keyPrefix starts a promotion's queue key.
const keyPrefix = "promo:"

// Key is a promotion's queue key.
func Key(id int64) string { return keyPrefix + strconv.FormatInt(id, 10) }

// ParseKey returns the promotion a key names.
func ParseKey(name string) (int64, error) { return strconv.ParseInt(name, 10, 64) }

// Reconcile takes the next step of one promotion, and says when to look
// again (0: when something happens).
func (c *Controller) Reconcile(ctx context.Context, id int64) (time.Duration, error) {
	var p store.Promotion
	err := c.cfg.Hub.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.GetPromotion(id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil || p.State.Terminal() {
		return 0, err
	}
	to, err := c.cfg.Env(p.To)
	if err != nil {
		// Environments are never removed: one not there yet is being
		// opened (a server starting). Look again.
		return 0, fmt.Errorf("promotion %d: target: %w", p.ID, err)
	}
	if p.State == store.PromotionDeploying {
		return c.deploying(ctx, p, to)
	}
	return c.waiting(ctx, p, to)
}

// waiting advances a promotion's gates and deploys once all passed.
func (c *Controller) waiting(ctx context.Context, p store.Promotion, to *Env) (time.Duration, error) {
	now := c.cfg.Clock.Now()
	before := clonePromotion(p)
	f, err := c.facts(ctx, p)
	if err != nil {
		return 0, err
	}
	act, after := Advance(&p, f, now)
	if act == Measure {
		c.measure(ctx, &p, f.Source, now)
		act, after = Advance(&p, f, now)
	}
	switch act {
	case StartTests:
		c.startTests(p, to)
	case Deploy:
		// The gates' results are stored before anything is deployed: a
		// crash after this never runs a gate again; Deploying with no
		// operation yet makes one (or finds the one a cut pass made).
		c.forget(p.ID)
		p.State, p.Reason = store.PromotionDeploying, "every gate passed; deploying into "+p.To
		if err := c.save(ctx, before, p); err != nil {
			return 0, err
		}
		return c.deploying(ctx, p, to)
	}
	if p.State == store.PromotionFailed {
		c.forget(p.ID)
		return 0, c.finish(ctx, before, p, store.PromotionFailed, p.Reason)
	}
	if err := c.save(ctx, before, p); err != nil {
		return 0, err
	}
	if f.Test != nil {
		c.forget(p.ID)
	}
	return after, nil
}

// facts gathers what Advance needs: the source environment's service,
// and the current test command's run.
func (c *Controller) facts(ctx context.Context, p store.Promotion) (Facts, error) {
	var f Facts
	if p.From != "" {
		src, err := c.source(ctx, p.From, p.Service)
		if err != nil {
			return f, err
		}
		f.Source = &src
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tests[p.ID]; ok && t.gate == current(p) {
		f.Test, f.TestRunning = t.result, t.result == nil
	}
	return f, nil
}

// current is the index of the first gate that has not passed.
func current(p store.Promotion) int {
	for i, g := range p.Gates {
		if g.State != store.GatePassed {
			return i
		}
	}
	return len(p.Gates)
}

// source reads a service's state in an environment: what its stable
// revision runs, whether it is healthy, since when.
func (c *Controller) source(ctx context.Context, env, service string) (Source, error) {
	e, err := c.cfg.Env(env)
	if err != nil {
		return Source{}, fmt.Errorf("source: %w", err) // not open yet: look again
	}
	var out Source
	err = e.Store.View(ctx, func(tx store.Tx) error {
		svc, err := tx.GetService(service)
		if errors.Is(err, store.ErrNotFound) {
			out.Phase, out.Message = "gone", "the service is not there"
			return nil
		}
		if err != nil {
			return err
		}
		out.Revision, out.Phase, out.Message = svc.Stable, string(svc.Phase), svc.Message
		out.Ready = svc.Phase == store.PhaseReady && svc.Revision == svc.Stable && !svc.Removed
		if svc.Stable == 0 {
			return nil
		}
		rev, err := tx.GetRevision(service, svc.Stable)
		if err != nil {
			return err
		}
		if a := rev.Spec.Artifact; a != nil {
			out.Digest = a.Digest
		}
		out.Since, err = stableSince(tx, service, svc.Stable)
		return err
	})
	return out, err
}

// stableSince is when a revision of a service last became stable: its
// latest successful rollout.
func stableSince(tx store.Tx, service string, revision int) (time.Time, error) {
	evs, err := tx.ListEventsOfType(0, []string{"service.rollout.succeeded"}, 0)
	var since time.Time
	for _, e := range evs {
		if e.Service == service && e.Revision == revision {
			since = e.Time
		}
	}
	return since, err
}

// measure takes an analysis gate's due measurements in the source
// environment.
func (c *Controller) measure(ctx context.Context, p *store.Promotion, src *Source, now time.Time) {
	i := current(*p)
	if i >= len(p.Gates) || src == nil {
		return
	}
	g := &p.Gates[i]
	e, err := c.cfg.Env(p.From)
	if err != nil || e.Measure == nil {
		return
	}
	a := c.gateAnalysis(ctx, e, p.Service, src.Revision, g.Def.Analysis)
	if g.Analysis == nil {
		g.Analysis = rollout.NewRun(a, nil, g.Def.Analysis.Count, -1, now)
		return
	}
	e.Measure(ctx, p.Service, src.Revision, a, g.Analysis, now)
}

// gateAnalysis is what an analysis gate measures: its own metrics, else
// the service's canary analysis's conditions, else a success rate of at
// least 99% on the router.
func (c *Controller) gateAnalysis(ctx context.Context, e *Env, service string, revision int, g *spec.AnalysisGate) *spec.Analysis {
	a := &spec.Analysis{Interval: g.Interval, Metrics: g.Metrics}
	if len(a.Metrics) == 0 {
		_ = e.Store.View(ctx, func(tx store.Tx) error {
			rev, err := tx.GetRevision(service, revision)
			if err == nil && rev.Spec.Strategy.Canary != nil && rev.Spec.Strategy.Canary.Analysis != nil {
				for _, m := range rev.Spec.Strategy.Canary.Analysis.Metrics {
					if !m.Compares() {
						a.Metrics = append(a.Metrics, m)
					}
				}
			}
			return nil
		})
	}
	if len(a.Metrics) == 0 {
		a.Metrics = []spec.Metric{{Name: "success-rate", Provider: spec.ProviderRouter, Metric: "successRate", SuccessCondition: "result >= 0.99"}}
	}
	if a.Interval.Duration <= 0 {
		a.Interval.Duration = spec.DefaultAnalysisInterval
	}
	a.Defaults()
	return a
}

// startTests runs the current gate's command in the background; its
// result is recorded by the next pass.
func (c *Controller) startTests(p store.Promotion, to *Env) {
	i := current(p)
	g := p.Gates[i]
	c.mu.Lock()
	if t, ok := c.tests[p.ID]; ok && t.gate == i && t.result == nil {
		c.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(c.cfg.Context)
	run := &testRun{gate: i, cancel: cancel}
	c.tests[p.ID] = run
	c.mu.Unlock()
	cmd := testrun.Command{Run: g.Def.Tests.Run, Dir: g.Dir, Timeout: g.Def.Tests.Timeout.Duration, Env: c.testEnv(p)}
	go func() {
		defer cancel()
		res := c.cfg.Run(ctx, cmd)
		if c.cfg.Context.Err() != nil {
			return // the server is stopping: not the command's verdict; the next server runs it again
		}
		c.mu.Lock()
		run.result = &res
		c.mu.Unlock()
		c.cfg.Enqueue(Key(p.ID), 0)
	}()
}

// stopTests stops a promotion's test command, if one runs.
func (c *Controller) stopTests(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tests[id]; ok {
		t.cancel()
		delete(c.tests, id)
	}
}

// testEnv is a test command's environment: where to reach the version
// under test and what it is.
func (c *Controller) testEnv(p store.Promotion) map[string]string {
	env := map[string]string{
		"SLIPWAY_SERVICE": p.Service, "SLIPWAY_VERSION": p.Version, "SLIPWAY_DIGEST": p.Digest,
		"SLIPWAY_TARGET_ENVIRONMENT": p.To, "SLIPWAY_ENVIRONMENT": p.To,
	}
	at := p.To
	if p.From != "" {
		at = p.From
		env["SLIPWAY_ENVIRONMENT"] = p.From
	}
	if e, err := c.cfg.Env(at); err == nil {
		env["SLIPWAY_URL"] = e.RouterURL
	}
	return env
}

func (c *Controller) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tests[id]; ok {
		t.cancel()
		delete(c.tests, id)
	}
}

// deploy starts the target's rollout of the version, once: a deploy
// operation already made for this promotion (a pass cut short after
// it) is found again rather than made twice.
func (c *Controller) deploy(ctx context.Context, p store.Promotion, to *Env) (time.Duration, error) {
	now := c.cfg.Clock.Now()
	before := clonePromotion(p)
	if to.Down != nil && to.Down() {
		p.Reason = "every gate passed; waiting for " + p.To + " to be up (it is being taken down)"
		return time.Second, c.save(ctx, before, p)
	}
	v, err := c.version(ctx, p)
	if err != nil {
		return 0, err
	}
	var op *store.Operation
	var rev int
	err = to.Store.Update(ctx, func(tx store.Tx) error {
		if found, ok, err := promotionOperation(tx, p.ID); err != nil || ok {
			op, rev = &found, found.Changes[0].To
			return err
		}
		op, rev, err = stack.Deploy(tx, p.Service, v, p.ID, now)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		p.Reason = "every gate passed; waiting to deploy: " + err.Error()
		return time.Second, c.save(ctx, before, p)
	}
	if err != nil {
		return 0, c.finish(ctx, before, p, store.PromotionFailed, "deploy: "+err.Error())
	}
	p.Revision, p.DeployStartedAt = rev, now
	if op == nil {
		return 0, c.finish(ctx, before, p, store.PromotionSucceeded, fmt.Sprintf("%s already runs version %s (revision %d)", p.To, p.Version, rev))
	}
	p.Operation, p.Reason = op.ID, fmt.Sprintf("rolling out revision %d in %s", rev, p.To)
	if err := c.save(ctx, before, p); err != nil {
		return 0, err
	}
	to.Enqueue(rollout.OperationKey(op.ID))
	return time.Second, nil
}

// promotionOperation finds the deploy operation made for a promotion.
func promotionOperation(tx store.Tx, id int64) (store.Operation, bool, error) {
	ops, err := tx.ListOperations(false, 0)
	for _, op := range ops {
		if op.Promotion == id && len(op.Changes) > 0 {
			return op, true, err
		}
	}
	return store.Operation{}, false, err
}

// version is the pushed version a promotion carries; one never pushed
// (an artifact applied from a spec) is described by its revision.
func (c *Controller) version(ctx context.Context, p store.Promotion) (store.Version, error) {
	var v store.Version
	err := c.cfg.Hub.View(ctx, func(tx store.Tx) error {
		var err error
		v, err = tx.VersionByDigest(p.Service, p.Digest)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.Version{Service: p.Service, Version: p.Version, Digest: p.Digest}, nil
	}
	return v, err
}

// deploying makes the target's deploy operation (deploy), then follows
// it to its end.
func (c *Controller) deploying(ctx context.Context, p store.Promotion, to *Env) (time.Duration, error) {
	if p.Operation == 0 {
		return c.deploy(ctx, p, to)
	}
	before := clonePromotion(p)
	var op store.Operation
	err := to.Store.View(ctx, func(tx store.Tx) error {
		var err error
		op, err = tx.GetOperation(p.Operation)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return 0, c.finish(ctx, before, p, store.PromotionFailed, fmt.Sprintf("operation %d in %s is gone", p.Operation, p.To))
	}
	if err != nil {
		return 0, err
	}
	switch op.State {
	case store.OperationSucceeded:
		return 0, c.finish(ctx, before, p, store.PromotionSucceeded, fmt.Sprintf("%s runs version %s (revision %d)", p.To, p.Version, p.Revision))
	case store.OperationRolledBack, store.OperationFailed:
		return 0, c.finish(ctx, before, p, store.PromotionFailed, fmt.Sprintf("the rollout in %s failed: %s", p.To, op.Message))
	}
	return time.Second, nil
}

// finish ends a promotion (before is it as last stored).
func (c *Controller) finish(ctx context.Context, before, p store.Promotion, state store.PromotionState, reason string) error {
	p.State, p.Reason, p.FinishedAt = state, reason, c.cfg.Clock.Now()
	if err := c.save(ctx, before, p); err != nil {
		return err
	}
	c.cfg.Logger.Info("promotion ended", "id", p.ID, "service", p.Service, "version", p.Version, "to", p.To, "state", state, "reason", reason)
	return nil
}

// save stores a promotion that changed since before, in one transaction
// with an event for each gate that ended and for its state when that
// moved (promotion.gate.passed|failed, promotion.deploying|succeeded|
// failed|cancelled), in the hub's event log with the promotion itself.
func (c *Controller) save(ctx context.Context, before, p store.Promotion) error {
	if equalPromotions(before, p) && before.Operation == p.Operation {
		return nil
	}
	now := c.cfg.Clock.Now()
	return c.cfg.Hub.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutPromotion(p); err != nil {
			return err
		}
		for i, g := range p.Gates {
			if i < len(before.Gates) && before.Gates[i].State != g.State && (g.State == store.GatePassed || g.State == store.GateFailed) {
				e := store.Event{Time: g.EndedAt, Type: "promotion.gate." + lower(g.State), Service: p.Service,
					Message: fmt.Sprintf("promotion %d of %s version %s into %s: gate %d (%s) %s: %s", p.ID, p.Service, p.Version, p.To, i+1, g.Kind, lower(g.State), g.Reason)}
				if _, err := tx.AppendEvent(e); err != nil {
					return err
				}
			}
		}
		if before.State == p.State {
			return nil
		}
		_, err := tx.AppendEvent(store.Event{Time: now, Type: "promotion." + lower(p.State), Service: p.Service, Revision: p.Revision,
			Message: fmt.Sprintf("promotion %d of %s version %s into %s %s: %s", p.ID, p.Service, p.Version, p.To, lower(p.State), p.Reason)})
		return err
	})
}

func lower[S ~string](s S) string {
	b := []byte(s)
	for i, r := range b {
		if 'A' <= r && r <= 'Z' {
			b[i] = r + 'a' - 'A'
		}
	}
	return string(b)
}

func clonePromotion(p store.Promotion) store.Promotion {
	p.Gates = append([]store.Gate(nil), p.Gates...)
	for i := range p.Gates {
		if run := p.Gates[i].Analysis; run != nil {
			r := *run
			r.Metrics = append([]store.MetricRun(nil), run.Metrics...)
			p.Gates[i].Analysis = &r
		}
	}
	return p
}

// equalPromotions compares what a pass may change.
func equalPromotions(a, b store.Promotion) bool {
	if a.State != b.State || a.Reason != b.Reason || len(a.Gates) != len(b.Gates) {
		return false
	}
	for i := range a.Gates {
		x, y := a.Gates[i], b.Gates[i]
		if x.State != y.State || x.Reason != y.Reason || x.Attempt != y.Attempt || !x.StartedAt.Equal(y.StartedAt) || (x.Analysis == nil) != (y.Analysis == nil) {
			return false
		}
		if x.Analysis != nil && (x.Analysis.Phase != y.Analysis.Phase || !x.Analysis.NextAt.Equal(y.Analysis.NextAt)) {
			return false
		}
	}
	return true
}
