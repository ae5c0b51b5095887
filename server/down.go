package server

import (
	"context"
	"errors"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/platform/kube"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/teardown"
)

// Down implements httpapi.Environments: it records the environment going
// down (who asked, when) in the registry and returns; the take-down
// controller (package teardown) does the rest, on the server's context,
// step by step, resumed by a restarted server. The API refuses every
// change to the environment from now until it is down.
func (h *hosted) Down(ctx context.Context, name, by string) error {
	p, ok := h.get(name)
	if !ok {
		_, err := h.Get(name)
		return err
	}
	if !p.down.CompareAndSwap(false, true) {
		return store.Conflictf("environment %s is already being taken down", name)
	}
	err := editEnvironment(ctx, h.hub().store, name, func(e *store.Environment) error {
		if e.GoingDown() {
			return store.Conflictf("environment %s is already being taken down", name)
		}
		e.Down = &store.Teardown{By: by, RequestedAt: h.s.cfg.Clock.Now()}
		return nil
	})
	if err != nil {
		p.down.Store(false)
		return err
	}
	h.downs.Add(queue.EnvironmentKey(name))
	return nil
}

// teardownEnv is a hosted environment as package teardown sees it.
func (h *hosted) teardownEnv(name string) (teardown.Env, bool) {
	p, ok := h.get(name)
	if !ok {
		return teardown.Env{}, false
	}
	env := teardown.Env{Store: p.store, Stopper: p.driver, Drainer: p.router,
		Controllers: controllers{h: h, p: p}}
	if p.cluster != nil {
		env.Platform = clusterApplied{p.cluster}
	}
	return env, true
}

// clusterApplied is a Kubernetes environment's cluster as a take-down
// sees it: what Slipway applied there, removed.
type clusterApplied struct{ c *kube.Cluster }

func (c clusterApplied) Applied(ctx context.Context) (int, error) {
	objs, err := c.c.Applied(ctx)
	return len(objs), err
}

func (c clusterApplied) RemoveApplied(ctx context.Context) error { return c.c.RemoveApplied(ctx) }

// controllers are an environment's controllers as the take-down stops
// and starts them: stopped, the environment counts as down for the API
// and the pipeline (parts.down).
type controllers struct {
	h *hosted
	p *parts
}

func (c controllers) Running() bool { return c.p.ctl.running() }

func (c controllers) Stop() {
	c.p.down.Store(true)
	c.p.ctl.stop()
}

func (c controllers) Start() {
	c.p.down.Store(false)
	c.h.s.startControl(c.h.ctx, c.p)
}

// drive runs a queue's keys through reconcile, one at a time. A failing
// key backs off, doubling up to a minute, however often it is added.
func (s *Server) drive(ctx context.Context, q *queue.Queue, fails *failures, reconcile func(ctx context.Context, key queue.Key) (time.Duration, error)) {
	for {
		key, ok := q.Get(ctx)
		if !ok {
			return
		}
		after, err := reconcile(ctx, key)
		switch {
		case errors.Is(err, store.ErrConflict) && ctx.Err() == nil:
			// A record changed since the pass read it: not a failure;
			// the next pass reads it afresh, at once.
			s.cfg.Logger.Debug("reconcile: stale read, again", "key", key.String(), "err", err)
			q.Add(key)
		case err != nil && ctx.Err() == nil:
			backoff := min(time.Duration(1<<min(fails.add(key), 16))*50*time.Millisecond, time.Minute)
			s.cfg.Logger.Warn("reconcile", "key", key.String(), "err", err, "retry", backoff)
			q.Backoff(key, backoff)
		case err == nil:
			fails.reset(key)
			q.Forget(key)
			if after > 0 {
				q.AddAfter(key, after)
			}
		}
		q.Done(key)
	}
}
