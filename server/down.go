package server

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// takeDown stops an environment: first its controllers (no pass may
// start an instance while it goes down), then every instance leaves the
// router's rotation, is drained (its requests in flight finish, up to its
// route's drain timeout), gets SIGTERM, then SIGKILL after its grace;
// operations in flight end Failed, and the services are removed (their
// revisions and events stay: an apply brings the environment back). A
// crash midway is finished by the restarted server (the registry says
// the environment was going down; hosted.takeDown clears that once done).
func (s *Server) takeDown(ctx context.Context, p *parts) error {
	p.down.Store(true)
	p.ctl.stop()
	now := s.cfg.Clock.Now()
	var ins []store.Instance
	limits := map[string]spec.Service{}
	err := p.store.Update(ctx, func(tx store.Tx) error {
		ops, err := tx.ListOperations(true, 0)
		if err != nil {
			return err
		}
		for _, op := range ops {
			op.State, op.Message, op.UpdatedAt = store.OperationFailed, "the environment was taken down", now
			if err := tx.PutOperation(op); err != nil {
				return err
			}
		}
		if ins, err = tx.ListInstances(""); err != nil {
			return err
		}
		for i := range ins {
			in := &ins[i]
			if rev, err := tx.GetRevision(in.Service, in.Revision); err == nil {
				limits[in.ID] = rev.Spec
			}
			in.State, in.Ready = store.InstanceStopping, false
			if err := tx.PutInstance(*in); err != nil {
				return err
			}
		}
		_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventEnvironmentDownStarted,
			Message: fmt.Sprintf("environment %s going down: %d instances to drain and stop", p.name, len(ins))})
		return err
	})
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ins))
	for i, in := range ins {
		wg.Go(func() { errs[i] = s.drainAndStop(ctx, p, in, limits[in.ID]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	err = p.store.Update(ctx, func(tx store.Tx) error {
		for _, in := range ins {
			if err := tx.DeleteInstance(in.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		svcs, err := tx.ListServices()
		if err != nil {
			return err
		}
		for _, svc := range svcs {
			if err := supersedeAll(tx, svc.Name); err != nil {
				return err
			}
			if err := tx.DeleteService(svc.Name); err != nil {
				return err
			}
		}
		_, err = tx.AppendEvent(store.Event{Time: s.cfg.Clock.Now(), Type: store.EventEnvironmentDown,
			Message: fmt.Sprintf("environment %s is down: %d instances stopped, %d services removed", p.name, len(ins), len(svcs))})
		return err
	})
	if err != nil {
		return err
	}
	p.down.Store(false)
	s.startControl(ctx, p)
	return nil
}

// drainAndStop waits for an instance that left rotation to finish its
// requests, then stops it and removes its files.
func (s *Server) drainAndStop(ctx context.Context, p *parts, in store.Instance, sv spec.Service) error {
	drain := sv.Route.DrainTimeout.Duration
	if drain <= 0 {
		drain = spec.DefaultDrainTimeout
	}
	dctx, cancel := context.WithTimeout(ctx, drain)
	_ = p.router.Drain(dctx, in.ID) // past the timeout, it is stopped anyway
	cancel()
	grace := sv.StopGrace.Duration
	if grace <= 0 {
		grace = spec.DefaultStopGrace
	}
	if err := p.driver.Stop(ctx, in.ID, grace); err != nil && !errors.Is(err, workload.ErrNotFound) {
		return fmt.Errorf("stop %s: %w", in.ID, err)
	}
	if err := p.driver.Remove(ctx, in.ID); err != nil && !errors.Is(err, workload.ErrNotFound) {
		return fmt.Errorf("remove %s: %w", in.ID, err)
	}
	return nil
}

// supersedeAll marks a service's stable revisions Superseded: nothing
// runs them once the environment is down.
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
