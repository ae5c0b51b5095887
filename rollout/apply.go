package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// apply carries out one planned action.
func (c *Controller) apply(ctx context.Context, s snapshot, a workload.Action) error {
	switch a.Kind {
	case workload.Create:
		return c.create(ctx, s.svc.Name, a)
	case workload.Start:
		return c.start(ctx, a.ID)
	case workload.Stop:
		return c.stop(ctx, a.ID, a.Reason)
	case workload.Kill:
		return c.kill(ctx, a.ID, a.Reason)
	case workload.Exited:
		return c.exited(ctx, a)
	case workload.Forget:
		return c.forget(ctx, a.ID)
	}
	return fmt.Errorf("unknown action %v", a.Kind)
}

// create records a new instance (Pending) and starts it. Were the server
// to die in between, the next pass finds the Pending record and starts
// it then.
func (c *Controller) create(ctx context.Context, service string, a workload.Action) error {
	port, err := c.freePort(ctx)
	if err != nil {
		return err
	}
	now := c.cfg.Clock.Now()
	in := store.Instance{
		ID: fmt.Sprintf("%s-%d-%s", service, a.Revision, c.cfg.NewID()), Service: service,
		Revision: a.Revision, Port: port, State: store.InstancePending, CreatedAt: now,
	}
	err = c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutInstance(in); err != nil {
			return err
		}
		return event(tx, now, store.EventInstanceCreated, in, fmt.Sprintf("instance %s of revision %d created on port %d", in.ID, in.Revision, port))
	})
	if err != nil {
		return err
	}
	return c.start(ctx, in.ID)
}

// freePort returns a port nobody listens on that no instance holds
// either: an instance in backoff keeps its port for its restart.
func (c *Controller) freePort(ctx context.Context) (int, error) {
	held := map[int]bool{}
	err := c.cfg.Store.View(ctx, func(tx store.Tx) error {
		ins, err := tx.ListInstances("")
		for _, in := range ins {
			held[in.Port] = true
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	for range 100 {
		port, err := c.cfg.Ports.Allocate()
		if err != nil {
			return 0, fmt.Errorf("allocate port: %w", err)
		}
		if !held[port] {
			return port, nil
		}
	}
	return 0, fmt.Errorf("allocate port: no free port among 100 tries (%d held by instances)", len(held))
}

// start starts (or restarts) an instance's process and records it. An
// instance whose port another process took (since it was handed out, or
// while the instance was down) gets another first.
func (c *Controller) start(ctx context.Context, id string) error {
	in, err := c.instance(ctx, id)
	if err != nil {
		return err
	}
	if c.portTaken(ctx, in) {
		if err := c.movePort(ctx, in, "before its start"); err != nil {
			return err
		}
		if in, err = c.instance(ctx, id); err != nil {
			return err
		}
	}
	rev, err := c.revision(ctx, in.Service, in.Revision)
	if err != nil {
		return err
	}
	is, err := c.instanceSpec(ctx, in, rev)
	if err == nil {
		var st workload.Status
		st, err = c.cfg.Driver.Start(ctx, is)
		if err == nil {
			// Checks start before the record is written: their first
			// result is recorded by a later pass over the service (the
			// queue runs none while this one runs), which reads the
			// record with its PID. A record not written stops them, so
			// that the next pass's watch starts them afresh.
			c.watchStarted(in, st, rev)
			if err := c.started(ctx, in, st); err != nil {
				c.monitor.Unwatch(in.ID)
				return err
			}
			return nil
		}
	}
	if errors.As(err, new(imageError)) || errors.As(err, new(secretError)) {
		if err := c.failNow(ctx, in); err != nil {
			return err
		}
	}
	return c.exited(ctx, c.startFailed(in, err))
}

func (c *Controller) startFailed(in store.Instance, err error) workload.Action {
	crashes := in.Crashes + 1
	now := c.cfg.Clock.Now()
	return workload.Action{Kind: workload.Exited, ID: in.ID, Reason: "start failed: " + err.Error(),
		Crashes: crashes, NextStart: now.Add(c.cfg.Restart.Backoff(crashes))}
}

func (c *Controller) started(ctx context.Context, in store.Instance, st workload.Status) error {
	now := c.cfg.Clock.Now()
	typ, msg := store.EventInstanceStarted, fmt.Sprintf("instance %s started (pid %d, port %d)", in.ID, st.PID, in.Port)
	if in.State == store.InstanceBackoff || in.State == store.InstanceExited {
		in.Restarts++
		typ, msg = store.EventInstanceRestarted, fmt.Sprintf("instance %s restarted (pid %d, restart %d)", in.ID, st.PID, in.Restarts)
	}
	if !in.HostRestart.IsZero() {
		typ, msg = store.EventInstanceStarted, fmt.Sprintf("instance %s started after host restart (pid %d, port %d)", in.ID, st.PID, in.Port)
		in.HostRestart = time.Time{}
	}
	adopted := in.PID == st.PID && in.StartTime == st.StartTime && in.PID != 0
	in.State, in.PID, in.StartTime = store.InstanceRunning, st.PID, st.StartTime
	if !adopted {
		in.StartedAt, in.Ready, in.Message = now, false, ""
	}
	return c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutInstance(in); err != nil {
			return err
		}
		if adopted {
			return nil
		}
		return event(tx, now, typ, in, msg)
	})
}

// exited records an ended process and when it may start again.
func (c *Controller) exited(ctx context.Context, a workload.Action) error {
	c.monitor.Unwatch(a.ID)
	in, err := c.instance(ctx, a.ID)
	if err != nil {
		return err
	}
	now := c.cfg.Clock.Now()
	wait := a.NextStart.Sub(now).Round(time.Millisecond)
	in.State, in.PID, in.StartTime, in.Ready = store.InstanceBackoff, 0, 0, false
	in.LastExit, in.Crashes, in.NextStart = a.Reason, a.Crashes, a.NextStart
	typ, msg := store.EventInstanceExited, fmt.Sprintf("instance %s ended: %s; restarting in %s", in.ID, a.Reason, wait)
	if c.cfg.Restart.CrashLooping(a.Crashes) {
		typ = store.EventInstanceCrashLoop
		msg = fmt.Sprintf("instance %s is crash-looping (%d crashes in a row, last: %s); restarting in %s", in.ID, a.Crashes, a.Reason, wait)
	}
	if c.portTaken(ctx, in) {
		// Another process took the port before this one could listen on
		// it: not the instance's fault, so no crash, and a new port now.
		port, err := c.freePort(ctx)
		if err != nil {
			return err
		}
		typ, wait = store.EventInstancePortMoved, 0
		msg = fmt.Sprintf("instance %s ended (%s): another process listens on its port %d; moved to port %d, restarting now", in.ID, a.Reason, in.Port, port)
		in.Port, in.Crashes, in.NextStart = port, max(a.Crashes-1, 0), now
	}
	in.Message = msg
	c.cfg.Enqueue(queue.ServiceKey(in.Service), wait)
	return c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutInstance(in); err != nil {
			return err
		}
		return event(tx, now, typ, in, msg)
	})
}

// portTaken reports whether another process listens on the instance's
// port: its own process is not running, and the port cannot be had.
func (c *Controller) portTaken(ctx context.Context, in store.Instance) bool {
	if st, err := c.cfg.Driver.Status(ctx, in.ID); err == nil && st.Running {
		return false
	}
	return !c.cfg.Ports.Free(in.Port)
}

// movePort gives an instance that is not running a new port, recording
// why.
func (c *Controller) movePort(ctx context.Context, in store.Instance, when string) error {
	port, err := c.freePort(ctx)
	if err != nil {
		return err
	}
	now := c.cfg.Clock.Now()
	msg := fmt.Sprintf("instance %s: another process listens on its port %d %s; moved to port %d", in.ID, in.Port, when, port)
	in.Port, in.Message = port, msg
	return c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutInstance(in); err != nil {
			return err
		}
		return event(tx, now, store.EventInstancePortMoved, in, msg)
	})
}

// stop takes an instance out for good: marks it Stopping, then stops the
// process in the background and looks at the service again after.
func (c *Controller) stop(ctx context.Context, id, reason string) error {
	in, err := c.instance(ctx, id)
	if err != nil {
		return err
	}
	c.monitor.Unwatch(id)
	if in.State != store.InstanceStopping {
		now := c.cfg.Clock.Now()
		in.State, in.Ready, in.Message = store.InstanceStopping, false, reason
		err = c.cfg.Store.Update(ctx, func(tx store.Tx) error {
			if err := tx.PutInstance(in); err != nil {
				return err
			}
			return event(tx, now, store.EventInstanceStopping, in, fmt.Sprintf("stopping instance %s: %s", id, reason))
		})
		if err != nil {
			return err
		}
	}
	c.stopInBackground(ctx, in)
	return nil
}

// kill stops an unhealthy instance's process; the next pass sees it
// ended and restarts it with backoff.
func (c *Controller) kill(ctx context.Context, id, reason string) error {
	in, err := c.instance(ctx, id)
	if err != nil {
		return err
	}
	c.monitor.Unwatch(id)
	now := c.cfg.Clock.Now()
	in.Ready, in.Message = false, reason
	err = c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutInstance(in); err != nil {
			return err
		}
		return event(tx, now, store.EventInstanceUnhealthy, in, fmt.Sprintf("killing instance %s: %s", id, reason))
	})
	if err != nil {
		return err
	}
	c.stopInBackground(ctx, in)
	return nil
}

// stopInBackground stops the process unless a stop is already in flight.
// The stop outlives the pass but not ctx (the server's): a server that
// shuts down leaves the process to the next one, which finds the record
// Stopping and stops it again.
func (c *Controller) stopInBackground(ctx context.Context, in store.Instance) {
	c.mu.Lock()
	if c.stopping[in.ID] {
		c.mu.Unlock()
		return
	}
	c.stopping[in.ID] = true
	delete(c.unhealthy, in.ID)
	c.mu.Unlock()
	grace, drain := 10*time.Second, c.cfg.DrainTimeout
	if rev, err := c.revision(ctx, in.Service, in.Revision); err == nil {
		grace = cmp.Or(rev.Spec.StopGrace.Duration, grace)
		drain = cmp.Or(rev.Spec.Route.DrainTimeout.Duration, drain)
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.drain(ctx, in.ID, drain)
		err := c.cfg.Driver.Stop(ctx, in.ID, grace)
		if err != nil && !errors.Is(err, workload.ErrNotFound) && ctx.Err() == nil {
			c.cfg.Logger.Error("stop instance", "instance", in.ID, "err", err)
		}
		c.mu.Lock()
		delete(c.stopping, in.ID)
		c.mu.Unlock()
		c.cfg.Enqueue(queue.ServiceKey(in.Service), 0)
	}()
}

// drain waits until the instance serves no request, bounded by the drain
// timeout: the router sends it nothing new once its record says it is
// leaving, and its requests in flight finish before SIGTERM.
func (c *Controller) drain(ctx context.Context, id string, timeout time.Duration) {
	if c.cfg.Drainer == nil {
		return
	}
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.cfg.Drainer.Drain(ctx, id); err != nil {
		c.cfg.Logger.Warn("drain timed out; stopping anyway", "instance", id, "timeout", timeout)
	}
}

// forget removes a stopped instance's files and record.
func (c *Controller) forget(ctx context.Context, id string) error {
	c.monitor.Unwatch(id)
	c.mu.Lock()
	delete(c.unhealthy, id)
	delete(c.readiness, id)
	delete(c.watched, id)
	c.mu.Unlock()
	in, err := c.instance(ctx, id)
	if err != nil {
		return err
	}
	if err := c.cfg.Driver.Remove(ctx, id); err != nil && !errors.Is(err, workload.ErrNotFound) {
		return fmt.Errorf("remove instance %s: %w", id, err)
	}
	now := c.cfg.Clock.Now()
	return c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteInstance(id); errors.Is(err, store.ErrNotFound) {
			return nil // forgotten by an earlier pass
		} else if err != nil {
			return err
		}
		return event(tx, now, store.EventInstanceStopped, in, fmt.Sprintf("instance %s stopped", id))
	})
}

func (c *Controller) instance(ctx context.Context, id string) (store.Instance, error) {
	var in store.Instance
	err := c.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		in, err = tx.GetInstance(id)
		return err
	})
	return in, err
}

func (c *Controller) deleteService(ctx context.Context, svc store.Service) error {
	now := c.cfg.Clock.Now()
	err := c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetService(svc.Name)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !cur.Removed) {
			return nil // deleted by an earlier pass, or wanted again since
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteService(svc.Name); err != nil {
			return err
		}
		_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventServiceRemoved, Service: svc.Name, Operation: svc.Operation,
			Message: fmt.Sprintf("service %s removed: no instance left", svc.Name)})
		return err
	})
	if err == nil && svc.Operation != 0 {
		c.cfg.Enqueue(queue.OperationKey(svc.Operation), 0)
	}
	return err
}

// event appends an instance event, linked to the operation rolling its
// service out, if one is, so that `apply --wait` can show it.
func event(tx store.Tx, now time.Time, typ store.EventType, in store.Instance, msg string) error {
	e := store.Event{Time: now, Type: typ, Service: in.Service, Revision: in.Revision, Instance: in.ID, Message: msg}
	if svc, err := tx.GetService(in.Service); err == nil && svc.Phase == store.PhaseProgressing {
		e.Operation = svc.Operation
	}
	_, err := tx.AppendEvent(e)
	return err
}
