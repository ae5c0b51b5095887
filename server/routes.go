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
	var known map[string]bool
	for {
		changed := p.store.Changed()
		table, ids, err := buildRoutes(ctx, p.store)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("build routes", "err", err)
		} else if err == nil {
			p.router.Update(table)
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

// buildRoutes reads one route per service that has a route: its ready,
// running instances that are not leaving. During a rolling update old and
// new revisions share the traffic. It also returns every instance ID.
func buildRoutes(ctx context.Context, s store.Store) ([]router.Route, map[string]bool, error) {
	var out []router.Route
	ids := map[string]bool{}
	err := s.View(ctx, func(tx store.Tx) error {
		ins, err := tx.ListInstances("")
		if err != nil {
			return err
		}
		for _, in := range ins {
			ids[in.ID] = true
		}
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
	return out, ids, err
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
	split(&r, svc.Traffic)
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

// split sets how a route divides traffic between revisions: all on the
// active one (blue/green), a canary's weight beside it, a header that
// reaches the preview or canary revision, stickiness, and a revision
// that gets copies of requests (a parallel run).
func split(r *router.Route, t store.Traffic) {
	if t.Active == 0 {
		return // rolling: every ready instance shares the traffic
	}
	r.Weights = map[int]int{t.Active: 100}
	switch {
	case t.Preview != 0 && t.PreviewHeader != "":
		r.Pin = &router.Pin{Header: t.PreviewHeader, Revisions: map[string]int{"*": t.Preview}}
	case t.Canary != 0 && t.CanaryHeader != "":
		value := t.CanaryValue
		if value == "" {
			value = "*"
		}
		r.Pin = &router.Pin{Header: t.CanaryHeader, Revisions: map[string]int{value: t.Canary}}
	}
	if t.Canary != 0 && t.Canary != t.Active {
		r.Weights = map[int]int{t.Active: 100 - t.Weight, t.Canary: t.Weight}
	}
	if s := t.Sticky; s != nil {
		r.Sticky = &router.Sticky{Cookie: s.Cookie, Header: s.Header}
	}
	if t.Mirror != 0 {
		r.Mirror = &router.Mirror{Revision: t.Mirror, Percent: t.MirrorPercent, Unsafe: t.MirrorUnsafe}
	}
}
