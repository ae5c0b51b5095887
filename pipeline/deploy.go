package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// deploy starts the target's rollout of the version, once: a deploy
// operation already made for this promotion (a pass cut short after
// it) is found again rather than made twice.
func (c *Controller) deploy(ctx context.Context, p store.Promotion, to *Env) (time.Duration, error) {
	now := c.cfg.Clock.Now()
	before := store.Copy(p)
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
	to.Enqueue(queue.OperationKey(op.ID))
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
	before := store.Copy(p)
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
