package rollout

import (
	"context"
	"errors"
	"fmt"
	"time"

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
		c.watchInstance(in, o.Process.Dir, rev, in.Ready)
	}
}

// watchStarted starts the checks of an instance this pass started,
// rather than at the next pass (watch skips what a pass acted on): a
// request held for a service woken from zero waits for its readiness.
func (c *Controller) watchStarted(in store.Instance, st workload.Status, rev store.Revision) {
	if !st.Running {
		return
	}
	wasReady := in.Ready && in.PID == st.PID // adopted, not started
	in.PID = st.PID
	c.watchInstance(in, st.Dir, rev, wasReady)
}

// watchInstance has the monitor check in's process (in.PID, working in
// dir) with rev's checks, and notes its service for onHealth.
func (c *Controller) watchInstance(in store.Instance, dir string, rev store.Revision, wasReady bool) {
	c.mu.Lock()
	c.watched[in.ID] = in.Service
	c.mu.Unlock()
	c.monitor.Watch(health.Watch{
		Target:    c.healthTarget(in, dir, rev),
		PID:       in.PID,
		Readiness: rev.Spec.Health.Readiness,
		Liveness:  rev.Spec.Health.Liveness,
		WasReady:  wasReady,
	})
}

// onHealth notes a check's transition in memory and asks for a pass
// over the instance's service: only a reconcile pass writes the
// instance record (recordReadiness), so a health callback never races a
// pass over the same record, and it runs on no context of its own.
func (c *Controller) onHealth(ch health.Change) {
	c.mu.Lock()
	service := c.watched[ch.ID]
	switch {
	case ch.Kind == health.Liveness && ch.State == health.Failing:
		c.unhealthy[ch.ID] = liveness{pid: ch.PID, reason: ch.Summary}
	case ch.Kind == health.Liveness:
		if c.unhealthy[ch.ID].pid == ch.PID {
			delete(c.unhealthy, ch.ID)
		}
	default:
		c.readiness[ch.ID] = readiness{pid: ch.PID, ready: ch.State == health.Passing, summary: ch.Summary}
	}
	c.mu.Unlock()
	if service != "" {
		c.cfg.Enqueue(queue.ServiceKey(service), 0)
	}
}

// readiness is a readiness transition observed by the monitor, not yet
// recorded on the instance by a pass.
type readiness struct {
	pid     int
	ready   bool
	summary string
}

// takeReadiness returns and forgets the readiness transitions observed
// for a service's instances.
func (c *Controller) takeReadiness(service string) map[string]readiness {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]readiness{}
	for id, r := range c.readiness {
		if c.watched[id] == service {
			out[id] = r
			delete(c.readiness, id)
		}
	}
	return out
}

// recordReadiness writes the readiness transitions observed since the
// last pass over service on its instances, with their events, in one
// transaction. A transition of a process that is no longer the
// instance's (restarted, stopping, gone) is dropped; one that could not
// be written is kept for the next pass.
func (c *Controller) recordReadiness(ctx context.Context, service string) error {
	seen := c.takeReadiness(service)
	if len(seen) == 0 {
		return nil
	}
	now := c.cfg.Clock.Now()
	err := c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		for id, r := range seen {
			if err := recordOne(tx, id, r, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		c.mu.Lock()
		for id, r := range seen {
			if _, newer := c.readiness[id]; !newer {
				c.readiness[id] = r
			}
		}
		c.mu.Unlock()
		return fmt.Errorf("record readiness of %s: %w", service, err)
	}
	return nil
}

// recordOne writes one readiness transition on its instance.
func recordOne(tx store.Tx, id string, r readiness, now time.Time) error {
	in, err := tx.GetInstance(id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (in.PID != r.pid || in.State != store.InstanceRunning || in.Ready == r.ready)) {
		return nil // gone, restarted or stopping since: nothing to record
	}
	if err != nil {
		return err
	}
	in.Ready, in.Message = r.ready, "readiness "+r.summary
	typ, msg := store.EventInstanceUnready, fmt.Sprintf("instance %s not ready: %s", in.ID, r.summary)
	if r.ready {
		in.ReadySince = now
		typ, msg = store.EventInstanceReady, fmt.Sprintf("instance %s ready (%s)", in.ID, r.summary)
	}
	if err := tx.PutInstance(in); err != nil {
		return err
	}
	return event(tx, now, typ, in, msg)
}

// healthTarget is what the monitor checks for an instance of rev. Exec
// checks run through the driver when it can (workload.Execer): as the
// instance runs, never as the server. HTTP checks speak the revision's
// protocol (h2c or HTTP/1.1), as the router does.
func (c *Controller) healthTarget(in store.Instance, dir string, rev store.Revision) health.Target {
	t := health.Target{ID: in.ID, Port: in.Port, Dir: dir, H2C: rev.Spec.Route.H2C()}
	if ex, ok := c.cfg.Driver.(workload.Execer); ok {
		id := in.ID
		t.Exec = func(ctx context.Context, argv []string) ([]byte, error) {
			return workload.ExecOutput(ctx, ex, id, argv)
		}
	}
	return t
}
