package teardown

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// failOperations ends every operation in flight Failed.
func failOperations(ctx context.Context, s store.Store, now time.Time) error {
	return s.Update(ctx, func(tx store.Tx) error {
		ops, err := tx.ListOperations(true, 0)
		if err != nil {
			return err
		}
		for _, op := range ops {
			op.State, op.Message, op.UpdatedAt = store.OperationFailed, "the environment was taken down", now
			if err := tx.PutOperation(op); err != nil {
				return fmt.Errorf("fail operation %d: %w", op.ID, err)
			}
			// Every terminal state of an operation has its event
			// (store.Check holds the log to it).
			if _, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventOperationFailed, Operation: op.ID,
				Message: fmt.Sprintf("operation %d failed: %s", op.ID, op.Message)}); err != nil {
				return fmt.Errorf("fail operation %d: %w", op.ID, err)
			}
		}
		return nil
	})
}

// leaveRotation marks every instance still in rotation Stopping and not
// ready (the router's table drops it at this commit), with one event.
func leaveRotation(ctx context.Context, s store.Store, name string, now time.Time) error {
	return s.Update(ctx, func(tx store.Tx) error {
		ins, err := tx.ListInstances("")
		if err != nil {
			return err
		}
		n := 0
		for _, in := range ins {
			if !inRotation(in) {
				continue
			}
			in.State, in.Ready = store.InstanceStopping, false
			if err := tx.PutInstance(in); err != nil {
				return fmt.Errorf("instance %s: %w", in.ID, err)
			}
			n++
		}
		_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventEnvironmentDownStarted,
			Message: fmt.Sprintf("environment %s going down: %d instances to drain and stop", name, n)})
		return err
	})
}

// drainAndStop drains and stops every instance at once, then deletes
// the records of those that stopped. One that would not stop keeps its
// record: the next pass tries it again.
func drainAndStop(ctx context.Context, env Env, st state) error {
	var wg sync.WaitGroup
	errs := make([]error, len(st.instances))
	for i, in := range st.instances {
		wg.Go(func() { errs[i] = stop(ctx, env, in.ID, st.specs[in.ID]) })
	}
	wg.Wait()
	err := env.Store.Update(ctx, func(tx store.Tx) error {
		for i, in := range st.instances {
			if errs[i] != nil {
				continue
			}
			if err := tx.DeleteInstance(in.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	return errors.Join(append(errs, err)...)
}

// stop waits for an instance that left rotation to finish its requests
// (up to its route's drain timeout: past it, it is stopped anyway), then
// stops it (SIGKILL after its stop grace) and removes its files. One
// already gone counts as stopped.
func stop(ctx context.Context, env Env, id string, sv spec.Service) error {
	drain := sv.Route.DrainTimeout.Duration
	if drain <= 0 {
		drain = spec.DefaultDrainTimeout
	}
	dctx, cancel := context.WithTimeout(ctx, drain)
	_ = env.Drainer.Drain(dctx, id)
	cancel()
	grace := sv.StopGrace.Duration
	if grace <= 0 {
		grace = spec.DefaultStopGrace
	}
	if err := env.Stopper.Stop(ctx, id, grace); err != nil && !errors.Is(err, workload.ErrNotFound) {
		return fmt.Errorf("stop %s: %w", id, err)
	}
	if err := env.Stopper.Remove(ctx, id); err != nil && !errors.Is(err, workload.ErrNotFound) {
		return fmt.Errorf("remove %s: %w", id, err)
	}
	return nil
}

// removeServices deletes every service record, its stable revisions
// marked Superseded (nothing runs them any more), each with an event.
func removeServices(ctx context.Context, s store.Store, now time.Time) error {
	return s.Update(ctx, func(tx store.Tx) error {
		svcs, err := tx.ListServices()
		if err != nil {
			return err
		}
		for _, svc := range svcs {
			if err := supersedeAll(tx, svc.Name); err != nil {
				return fmt.Errorf("service %s: %w", svc.Name, err)
			}
			if err := tx.DeleteService(svc.Name); err != nil {
				return err
			}
			_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventServiceRemoved, Service: svc.Name,
				Message: fmt.Sprintf("service %s removed: the environment was taken down", svc.Name)})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// supersedeAll marks a service's stable revisions Superseded.
func supersedeAll(tx store.Tx, service string) error {
	revs, err := tx.ListRevisions(service)
	if err != nil {
		return err
	}
	for _, r := range revs {
		if r.State == store.RevisionStable {
			if err := tx.SetRevisionState(service, r.Number, store.RevisionSuperseded, "the environment was taken down"); err != nil {
				return err
			}
		}
	}
	return nil
}
