package server

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/store"
)

// routes keeps the router's table equal to the store: on every commit it
// rebuilds the table from the services and their ready instances.
func (s *Server) routes(ctx context.Context, p *parts) {
	for {
		changed := p.store.Changed()
		table, err := buildRoutes(ctx, p.store)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("build routes", "err", err)
		} else if err == nil {
			p.router.Update(table)
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// buildRoutes reads one route per service that has a route: its ready,
// running instances that are not leaving. During a rolling update old and
// new revisions share the traffic.
func buildRoutes(ctx context.Context, s store.Store) ([]router.Route, error) {
	var out []router.Route
	err := s.View(ctx, func(tx store.Tx) error {
		svcs, err := tx.ListServices()
		if err != nil {
			return err
		}
		for _, svc := range svcs {
			r, ok, err := serviceRoute(tx, svc)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

func serviceRoute(tx store.Tx, svc store.Service) (router.Route, bool, error) {
	if svc.Revision == 0 {
		return router.Route{}, false, nil
	}
	rev, err := tx.GetRevision(svc.Name, svc.Revision)
	if err != nil {
		return router.Route{}, false, fmt.Errorf("revision %d of %s: %w", svc.Revision, svc.Name, err)
	}
	rs := rev.Spec.Route
	if rs.Host == "" && rs.Path == "" {
		return router.Route{}, false, nil
	}
	r := router.Route{Service: svc.Name, Host: rs.Host, Path: rs.Path, Timeout: rs.Timeout.Duration, MaxBody: int64(rs.MaxBody)}
	if t := svc.Traffic; t.Active != 0 {
		r.Weights = map[int]int{t.Active: 100}
		if t.Preview != 0 && t.PreviewHeader != "" {
			r.Pin = &router.Pin{Header: t.PreviewHeader, Revisions: map[string]int{"*": t.Preview}}
		}
	}
	ins, err := tx.ListInstances(svc.Name)
	if err != nil {
		return r, false, err
	}
	for _, in := range ins {
		if in.State == store.InstanceRunning && in.Ready {
			r.Backends = append(r.Backends, router.Backend{ID: in.ID, Revision: in.Revision,
				Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(in.Port))})
		}
	}
	return r, true, nil
}
