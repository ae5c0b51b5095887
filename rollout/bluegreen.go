package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// blueGreen returns the target revision's blue/green settings, or nil.
func (c *Controller) blueGreen(ctx context.Context, svc store.Service) (*spec.BlueGreen, error) {
	if svc.Revision == 0 || svc.Removed {
		return nil, nil
	}
	rev, err := c.revision(ctx, svc.Name, svc.Revision)
	if err != nil {
		return nil, err
	}
	return rev.Spec.Strategy.BlueGreen, nil
}

// promote switches all traffic to the ready target at once, keeps the
// previous revision running for its scale-down delay (a rollback is then
// a traffic switch), and makes the target stable.
func (c *Controller) promote(ctx context.Context, seen store.Service, bg *spec.BlueGreen, now time.Time) error {
	delay := spec.DefaultScaleDownDelay
	if bg != nil {
		delay = bg.ScaleDownDelay.Duration
	}
	err := c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		from := svc.Traffic.Active
		svc.Traffic = store.Traffic{Active: svc.Revision}
		svc.Keep, svc.KeepUntil, svc.Promote = from, now.Add(delay), false
		_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventServicePromoted, Service: svc.Name, Revision: svc.Revision, Operation: svc.Operation,
			Message: fmt.Sprintf("%s: all traffic switched from revision %d to %d; revision %d kept for %s", svc.Name, from, svc.Revision, from, delay)})
		return err
	})
	if err != nil {
		return err
	}
	seen.Keep, seen.KeepUntil, seen.Promote = seen.Traffic.Active, now.Add(delay), false
	seen.Traffic = store.Traffic{Active: seen.Revision}
	return c.succeed(ctx, seen, now)
}

// awaitPromotion says, once, that the target is ready and waits for a
// promotion; waiting is not bounded by the progress deadline.
func (c *Controller) awaitPromotion(ctx context.Context, seen store.Service, bg *spec.BlueGreen) (bool, error) {
	header := spec.DefaultPreviewHeader
	if bg != nil {
		header = bg.PreviewHeader
	}
	msg := fmt.Sprintf("revision %d is ready beside revision %d; preview it with the %s header set to the secret slipway status shows, switch traffic with: slipway rollout promote %s",
		seen.Revision, seen.Traffic.Active, header, seen.Name)
	if seen.Message == msg && seen.Deadline.IsZero() {
		return false, nil
	}
	return true, c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		svc.Message, svc.Deadline = msg, time.Time{}
		_, err := tx.AppendEvent(store.Event{Time: c.cfg.Clock.Now(), Type: store.EventRolloutPaused, Service: svc.Name,
			Revision: svc.Revision, Operation: svc.Operation, Message: svc.Name + ": " + msg})
		return err
	})
}
