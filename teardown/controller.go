package teardown

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Again is how soon a pass that took a step asks to come back, for the
// next one.
const Again = time.Millisecond

// Stopper stops an instance and removes its files (workload.Driver); an
// instance it does not know is workload.ErrNotFound.
type Stopper interface {
	Stop(ctx context.Context, id string, grace time.Duration) error
	Remove(ctx context.Context, id string) error
}

// Drainer waits until an instance out of the router's table has no
// request in flight (router.Router), or ctx ends.
type Drainer interface {
	Drain(ctx context.Context, id string) error
}

// Controllers are an environment's controllers (its queue's workers and
// resync loop).
type Controllers interface {
	// Running reports whether they run.
	Running() bool
	// Stop stops them and waits for their passes in flight.
	Stop()
	// Start starts them again.
	Start()
}

// Platform is where an environment's services run when it keeps its
// own objects (a Kubernetes environment's cluster).
type Platform interface {
	// Applied counts the objects Slipway applied there for the
	// environment.
	Applied(ctx context.Context) (int, error)
	// RemoveApplied deletes them, routes first (traffic leaves before
	// the pods go), and nothing else.
	RemoveApplied(ctx context.Context) error
}

// Env is an environment a take-down acts on.
type Env struct {
	Store       store.Store
	Stopper     Stopper
	Drainer     Drainer
	Controllers Controllers
	// Platform, when set, holds objects of the environment's own.
	Platform Platform
}

// Config is what a Controller needs.
type Config struct {
	// Hub is the store holding the registry (store.Environment).
	Hub store.Store
	// Env returns a hosted environment; false when the server does not
	// host it (it did not open).
	Env    func(name string) (Env, bool)
	Clock  clock.Clock
	Logger *slog.Logger
}

// Controller drives environments going down to down. Its queue keys are
// environment names.
type Controller struct{ cfg Config }

// New returns a Controller. It starts nothing.
func New(cfg Config) *Controller { return &Controller{cfg: cfg} }

// Reconcile takes one step of an environment's take-down, and says when
// to come back: Again after a step, 0 when there is nothing left to do.
// A failed step is returned (wrapped); the next pass re-reads everything
// and tries again what is left.
func (c *Controller) Reconcile(ctx context.Context, name string) (time.Duration, error) {
	rec, err := c.record(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if !rec.GoingDown() {
		return 0, nil
	}
	env, ok := c.cfg.Env(name)
	if !ok {
		return 0, fmt.Errorf("take down %s: the environment is not open on this server", name)
	}
	st, err := observe(ctx, env.Store)
	if err == nil && env.Platform != nil {
		st.platform, err = env.Platform.Applied(ctx)
	}
	if err != nil {
		return 0, fmt.Errorf("take down %s: %w", name, err)
	}
	step := Decide(st.observed(rec, env.Controllers.Running()))
	if step == Done {
		return 0, nil
	}
	c.cfg.Logger.Info("take down", "env", name, "step", step.String())
	if err := c.apply(ctx, name, rec, env, st, step); err != nil {
		return 0, fmt.Errorf("take down %s: %s: %w", name, step, err)
	}
	if step == Finish {
		return 0, nil
	}
	return Again, nil
}

func (c *Controller) record(ctx context.Context, name string) (store.Environment, error) {
	var rec store.Environment
	err := c.cfg.Hub.View(ctx, func(tx store.Tx) error {
		var err error
		rec, err = tx.GetEnvironment(name)
		return err
	})
	return rec, err
}

// apply takes one step.
func (c *Controller) apply(ctx context.Context, name string, rec store.Environment, env Env, st state, step Step) error {
	now := c.cfg.Clock.Now()
	switch step {
	case StopControllers:
		env.Controllers.Stop()
		return nil
	case FailOperations:
		return failOperations(ctx, env.Store, now)
	case LeaveRotation:
		return leaveRotation(ctx, env.Store, name, now)
	case DrainAndStop:
		return drainAndStop(ctx, env, st)
	case RemovePlatform:
		return env.Platform.RemoveApplied(ctx)
	case RemoveServices:
		return removeServices(ctx, env.Store, now)
	case Finish:
		return c.finish(ctx, name, rec, env, now)
	}
	return fmt.Errorf("unknown step %d", step)
}

// finish writes the environment's last event, marks it down in the
// registry (checked against the version this pass read: a request that
// changed it meanwhile makes this pass fail and the next one re-read),
// and starts its controllers.
func (c *Controller) finish(ctx context.Context, name string, rec store.Environment, env Env, now time.Time) error {
	err := env.Store.Update(ctx, func(tx store.Tx) error {
		_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventEnvironmentDown,
			Message: fmt.Sprintf("environment %s is down: every instance stopped, every service removed%s", name, asked(rec.Down))})
		return err
	})
	if err != nil {
		return err
	}
	done := *rec.Down
	done.DoneAt = now
	rec.Down, rec.LastDown = nil, &done
	if err := c.cfg.Hub.Update(ctx, func(tx store.Tx) error { return tx.PutEnvironment(rec) }); err != nil {
		return err
	}
	env.Controllers.Start()
	return nil
}

// asked says who asked for a take-down, and when.
func asked(t *store.Teardown) string {
	if t == nil || t.By == "" {
		return ""
	}
	return fmt.Sprintf(" (asked by %s at %s)", t.By, t.RequestedAt.UTC().Format(time.RFC3339))
}

// state is what a pass read of an environment's store.
type state struct {
	operations int
	instances  []store.Instance
	// specs are the instances' revisions' specs, by instance ID (drain
	// timeout, stop grace); missing when the revision is.
	specs    map[string]spec.Service
	services int
	// platform counts the objects Slipway applied to the platform.
	platform int
}

func observe(ctx context.Context, s store.Store) (state, error) {
	st := state{specs: map[string]spec.Service{}}
	err := s.View(ctx, func(tx store.Tx) error {
		ops, err := tx.ListOperations(true, 0)
		if err != nil {
			return err
		}
		svcs, err := tx.ListServices()
		if err != nil {
			return err
		}
		st.operations, st.services = len(ops), len(svcs)
		if st.instances, err = tx.ListInstances(""); err != nil {
			return err
		}
		for _, in := range st.instances {
			if rev, err := tx.GetRevision(in.Service, in.Revision); err == nil {
				st.specs[in.ID] = rev.Spec
			}
		}
		return nil
	})
	return st, err
}

func (st state) observed(rec store.Environment, running bool) Observed {
	o := Observed{GoingDown: rec.GoingDown(), ControllersRunning: running, ActiveOperations: st.operations,
		Instances: len(st.instances), Services: st.services, PlatformObjects: st.platform}
	for _, in := range st.instances {
		if inRotation(in) {
			o.InRotation++
		}
	}
	return o
}

// inRotation reports whether an instance has yet to leave rotation.
func inRotation(in store.Instance) bool { return !in.State.Leaving() || in.Ready }
