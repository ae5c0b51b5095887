package server

import (
	"context"
	"fmt"

	"github.com/slipway-dev/slipway/rollout"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/store"
)

// routes keeps the router's table equal to the store: on every commit it
// rebuilds the table from the services and their ready instances.
func (s *Server) routes(ctx context.Context, p *parts) {
	var known map[string]bool
	for {
		changed := p.store.Changed()
		table, ids, err := buildRoutes(ctx, p.store)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("build routes", "err", err)
		} else if err == nil {
			p.router.Update(table)
			if p.tls != nil {
				p.tls.setRoutes(table, s.cfg.Logger, p.name)
			}
			forgetGone(p, known, ids)
			known = ids
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// forgetGone drops the metrics of instances whose records are gone.
func forgetGone(p *parts, before, now map[string]bool) {
	for id := range before {
		if !now[id] {
			p.metrics.Forget(id)
		}
	}
}

// buildRoutes reads what the routes depend on (every service with the
// route its target revision declares, every instance) and leaves the
// decision to rollout.Routes. It also returns every instance ID.
func buildRoutes(ctx context.Context, s store.Store) ([]router.Route, map[string]bool, error) {
	var svcs []rollout.Routed
	var ins []store.Instance
	err := s.View(ctx, func(tx store.Tx) error {
		var err error
		if ins, err = tx.ListInstances(""); err != nil {
			return err
		}
		if svcs, err = routed(tx); err != nil {
			return err
		}
		return instanceProtocols(tx, svcs, ins)
	})
	if err != nil {
		return nil, nil, err
	}
	ids := make(map[string]bool, len(ins))
	for _, in := range ins {
		ids[in.ID] = true
	}
	return rollout.Routes(svcs, ins), ids, nil
}

// routed returns every service with the route of its target revision.
func routed(tx store.Tx) ([]rollout.Routed, error) {
	svcs, err := tx.ListServices()
	if err != nil {
		return nil, err
	}
	out := make([]rollout.Routed, 0, len(svcs))
	for _, svc := range svcs {
		r := rollout.Routed{Service: svc}
		if svc.Revision != 0 {
			rev, err := tx.GetRevision(svc.Name, svc.Revision)
			if err != nil {
				return nil, fmt.Errorf("revision %d of %s: %w", svc.Revision, svc.Name, err)
			}
			r.Route = rev.Spec.Route
			r.Wake = rev.Spec.Scale != nil && rev.Spec.Scale.Min == 0
		}
		out = append(out, r)
	}
	return out, nil
}

// instanceProtocols records, for each service, whether the revisions its
// instances run speak h2c, when one of them is not its target revision
// (a rollout to or from h2c runs both).
func instanceProtocols(tx store.Tx, svcs []rollout.Routed, ins []store.Instance) error {
	byName := make(map[string]*rollout.Routed, len(svcs))
	for i := range svcs {
		byName[svcs[i].Service.Name] = &svcs[i]
	}
	for _, in := range ins {
		r := byName[in.Service]
		if r == nil || in.Revision == r.Service.Revision {
			continue
		}
		if _, ok := r.H2C[in.Revision]; ok {
			continue
		}
		rev, err := tx.GetRevision(in.Service, in.Revision)
		if err != nil {
			return fmt.Errorf("revision %d of %s: %w", in.Revision, in.Service, err)
		}
		if r.H2C == nil {
			r.H2C = map[int]bool{r.Service.Revision: r.Route.H2C()}
		}
		r.H2C[in.Revision] = rev.Spec.Route.H2C()
	}
	return nil
}
