package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/pipeline/testrun"
	"github.com/slipway-dev/slipway/rollout"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

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
	evs, err := tx.ListEventsOfType(0, []store.EventType{store.EventRolloutSucceeded}, 0)
	var since time.Time
	for _, e := range evs {
		if e.Service == service && e.Revision == revision {
			since = e.Time
		}
	}
	return since, err
}

// measure takes an analysis gate's due measurements in the source
// environment. An error reading what the gate measures fails the pass
// (the queue retries it with backoff): a gate never falls back to the
// default check because a read failed.
func (c *Controller) measure(ctx context.Context, p *store.Promotion, src *Source, now time.Time) error {
	i := current(*p)
	if i >= len(p.Gates) || src == nil {
		return nil
	}
	g := &p.Gates[i]
	e, err := c.cfg.Env(p.From)
	if err != nil || e.Measure == nil {
		return nil
	}
	a, err := gateAnalysis(ctx, e, p.Service, src.Revision, g.Def.Analysis)
	if err != nil {
		return fmt.Errorf("analysis gate of promotion %d: %w", p.ID, err)
	}
	if g.Analysis == nil {
		g.Analysis = rollout.NewRun(a, nil, g.Def.Analysis.Count, -1, now)
		return nil
	}
	e.Measure(ctx, p.Service, src.Revision, a, g.Analysis, now)
	return nil
}

// gateAnalysis is what an analysis gate measures: its own metrics, else
// the service's canary analysis's conditions, else a success rate of at
// least 99% on the router.
func gateAnalysis(ctx context.Context, e *Env, service string, revision int, g *spec.AnalysisGate) (*spec.Analysis, error) {
	a := &spec.Analysis{Interval: g.Interval, Metrics: g.Metrics}
	if len(a.Metrics) == 0 {
		ms, err := canaryConditions(ctx, e.Store, service, revision)
		if err != nil {
			return nil, err
		}
		a.Metrics = ms
	}
	if len(a.Metrics) == 0 {
		a.Metrics = []spec.Metric{{Name: "success-rate", Provider: spec.ProviderRouter, Metric: "successRate", SuccessCondition: "result >= 0.99"}}
	}
	if a.Interval.Duration <= 0 {
		a.Interval.Duration = spec.DefaultAnalysisInterval
	}
	a.Defaults()
	return a, nil
}

// canaryConditions are the metrics of a revision's canary analysis that
// a condition judges (a comparison needs a baseline a gate does not
// have); none when the revision has no canary analysis. The revision is
// the source's stable one: not finding it is an error like any other.
func canaryConditions(ctx context.Context, db store.Store, service string, revision int) ([]spec.Metric, error) {
	var ms []spec.Metric
	err := db.View(ctx, func(tx store.Tx) error {
		rev, err := tx.GetRevision(service, revision)
		if err != nil {
			return err
		}
		if c := rev.Spec.Strategy.Canary; c != nil && c.Analysis != nil {
			for _, m := range c.Analysis.Metrics {
				if !m.Compares() {
					ms = append(ms, m)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the canary analysis of %s revision %d: %w", service, revision, err)
	}
	return ms, nil
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
		res := c.runTests(ctx, cmd, p, to)
		if c.cfg.Context.Err() != nil {
			return // the server is stopping: not the command's verdict; the next server runs it again
		}
		c.mu.Lock()
		run.result = &res
		c.mu.Unlock()
		c.cfg.Enqueue(queue.PromotionKey(p.ID), 0)
	}()
}

// runTests runs a promotion's test command as the service's user in
// the target environment (Config.Starter), or fails it, unstarted, when
// that user cannot be known: never as the server's user instead.
func (c *Controller) runTests(ctx context.Context, cmd testrun.Command, p store.Promotion, to *Env) testrun.Result {
	if c.cfg.Starter != nil {
		start, err := c.testStarter(ctx, p, to)
		if err != nil {
			return testrun.Result{ExitCode: -1, Reason: "cannot start: " + err.Error()}
		}
		cmd.Start = start
	}
	return c.cfg.Run(ctx, cmd)
}

// testStarter is how a promotion's test command starts: as the user the
// target environment's spec gives the service, if any (Config.Starter).
func (c *Controller) testStarter(ctx context.Context, p store.Promotion, to *Env) (func(*exec.Cmd) error, error) {
	app, _, err := envSpec(ctx, to)
	if err != nil {
		return nil, fmt.Errorf("user of %s in %s: %w", p.Service, to.Name, err)
	}
	var user string
	if svc, ok := app.Services[p.Service]; ok && svc != nil {
		user = svc.User
	}
	return c.cfg.Starter(to.Name, p.Service, user)
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

// forget stops a promotion's test command, if one runs, and forgets its
// result.
func (c *Controller) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tests[id]; ok {
		t.cancel()
		delete(c.tests, id)
	}
}
