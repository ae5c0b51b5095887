package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// work reconciles an environment's queued keys, one at a time per
// worker.
func (s *Server) work(ctx context.Context, p *parts, fails *failures) {
	s.drive(ctx, p.queue, fails, func(ctx context.Context, key queue.Key) (time.Duration, error) {
		return s.reconcile(ctx, p, key)
	})
}

// workers is how many keys are reconciled at once (the queue never hands
// one key to two of them): a pass that waits on a slow metric provider
// holds up one worker, not every other service's rollout or rollback.
const workers = 4

// kubeWorkers is workers for a Kubernetes environment: a pass there
// waits on the API server, not on this machine, and a first apply of
// many services is as many passes (100 services: 400 server-side
// applies; see kube.BenchmarkApply100Services).
const kubeWorkers = 16

// failures counts each key's failed passes in a row, for its backoff.
type failures struct {
	mu sync.Mutex // guards n
	n  map[queue.Key]int
}

func (f *failures) add(key queue.Key) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n = map[queue.Key]int{}
	}
	f.n[key]++
	return f.n[key]
}

func (f *failures) reset(key queue.Key) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.n, key)
}

// reconcile hands a key to the controller of its kind.
func (s *Server) reconcile(ctx context.Context, p *parts, key queue.Key) (time.Duration, error) {
	switch key.Kind {
	case queue.Service:
		return p.rollouts.Reconcile(ctx, key.Name)
	case queue.Operation:
		id, err := key.ID()
		if err != nil {
			return 0, err
		}
		return p.ops.Reconcile(ctx, id)
	case queue.Flag:
		return p.rollouts.ReconcileFlag(ctx, key.Name)
	case queue.Config:
		return p.rollouts.ReconcileConfig(ctx, key.Name)
	case queue.Promotion:
		id, err := key.ID()
		if err != nil {
			return 0, err
		}
		return s.pipeline.Reconcile(ctx, id)
	}
	return 0, fmt.Errorf("unknown key %s", key)
}

// resync queues every service, active operation and flag release in
// flight on each tick: the
// level-triggered safety net that notices what no event announced.
func (s *Server) resync(ctx context.Context, p *parts) {
	t := time.NewTicker(s.cfg.Resync)
	defer t.Stop()
	for tick := 0; ; tick++ {
		if err := enqueueAll(ctx, p); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("resync", "err", err)
		}
		if tick%sweepEvery == 0 {
			if err := sweep(ctx, p); err != nil && ctx.Err() == nil {
				s.cfg.Logger.Warn("sweep instances", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func enqueueAll(ctx context.Context, p *parts) error {
	return p.store.View(ctx, func(tx store.Tx) error {
		svcs, err := tx.ListServices()
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, svc := range svcs {
			seen[svc.Name] = true
			p.queue.Add(queue.ServiceKey(svc.Name))
		}
		ins, err := tx.ListInstances("")
		if err != nil {
			return err
		}
		for _, in := range ins {
			if !seen[in.Service] {
				seen[in.Service] = true
				p.queue.Add(queue.ServiceKey(in.Service))
			}
		}
		ops, err := tx.ListOperations(true, 100)
		if err != nil {
			return err
		}
		for _, op := range ops {
			p.queue.Add(queue.OperationKey(op.ID))
		}
		keys, err := stack.FlagReleasesInFlight(tx)
		for _, key := range keys {
			p.queue.Add(queue.FlagKey(key))
		}
		if err != nil {
			return err
		}
		configs, err := tx.ListConfigs()
		for _, c := range configs {
			p.queue.Add(queue.ConfigKey(c.Name))
		}
		if err != nil || p.name != spec.DefaultEnvironment {
			return err
		}
		promos, err := tx.ListPromotions("", true, 0)
		for _, pr := range promos {
			p.queue.Add(queue.PromotionKey(pr.ID))
		}
		return err
	})
}
