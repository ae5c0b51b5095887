package rollout

import (
	"context"
	"errors"
	"fmt"

	"github.com/slipway-dev/slipway/health"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// watch makes the monitor check the instances whose process runs, as
// observed at the start of the pass, except those this pass acted on
// (stopped, killed, ended, forgotten, started): their checks stop, or
// start with the next pass, which sees their new state.
func (c *Controller) watch(ctx context.Context, obs []workload.Observed, acted []workload.Action) {
	skip := make(map[string]bool, len(acted))
	for _, a := range acted {
		skip[a.ID] = true
	}
	for _, o := range obs {
		in := o.Instance
		if skip[in.ID] {
			continue
		}
		if in.State != store.InstanceRunning || o.Process == nil || !o.Process.Running || in.PID != o.Process.PID {
			c.monitor.Unwatch(in.ID)
			continue
		}
		rev, err := c.revision(ctx, in.Service, in.Revision)
		if err != nil {
			continue
		}
		c.monitor.Watch(health.Watch{
			Target:    health.Target{ID: in.ID, Port: in.Port, Dir: o.Process.Dir},
			PID:       in.PID,
			Readiness: rev.Spec.Health.Readiness,
			Liveness:  rev.Spec.Health.Liveness,
			WasReady:  in.Ready,
		})
	}
}

// onHealth records a check's transition and asks for a pass.
func (c *Controller) onHealth(ch health.Change) {
	if ch.Kind == health.Liveness {
		c.mu.Lock()
		if ch.State == health.Failing {
			c.unhealthy[ch.ID] = liveness{pid: ch.PID, reason: ch.Summary}
		} else if c.unhealthy[ch.ID].pid == ch.PID {
			delete(c.unhealthy, ch.ID)
		}
		c.mu.Unlock()
		if in, err := c.instance(context.Background(), ch.ID); err == nil {
			c.cfg.Enqueue(queue.ServiceKey(in.Service), 0)
		}
		return
	}
	service, err := c.recordReadiness(ch)
	if err != nil {
		c.cfg.Logger.Warn("record readiness", "instance", ch.ID, "err", err)
		return
	}
	if service != "" {
		c.cfg.Enqueue(queue.ServiceKey(service), 0)
	}
}

func (c *Controller) recordReadiness(ch health.Change) (string, error) {
	ready := ch.State == health.Passing
	var service string
	err := c.cfg.Store.Update(context.Background(), func(tx store.Tx) error {
		in, err := tx.GetInstance(ch.ID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (in.PID != ch.PID || in.State != store.InstanceRunning || in.Ready == ready)) {
			return nil // gone, restarted or stopping since: nothing to record
		}
		if err != nil {
			return err
		}
		now := c.cfg.Clock.Now()
		in.Ready, in.Message = ready, "readiness "+ch.Summary
		typ, msg := store.EventInstanceUnready, fmt.Sprintf("instance %s not ready: %s", in.ID, ch.Summary)
		if ready {
			in.ReadySince = now
			typ, msg = store.EventInstanceReady, fmt.Sprintf("instance %s ready (%s)", in.ID, ch.Summary)
		}
		service = in.Service
		if err := tx.PutInstance(in); err != nil {
			return err
		}
		return event(tx, now, typ, in, msg)
	})
	return service, err
}
