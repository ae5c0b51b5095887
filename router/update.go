package router

import (
	"context"
	"slices"
	"time"
)

// Update replaces the routing table. Requests in flight finish on the
// backends they have; an instance missing from routes gets no new
// request (Drain waits for its last one).
func (rt *Router) Update(routes []Route) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	seen := map[string]bool{}
	t := &table{}
	for _, in := range routes {
		t.routes = append(t.routes, rt.build(in, seen))
	}
	sortRoutes(t.routes)
	// Instances join before the table that names them is visible, and
	// leave after it is replaced: a request that reads inTable false then
	// finds them gone from the current table too (tryInstances looks).
	for id, st := range rt.states {
		if seen[id] && !st.inTable.Swap(true) {
			rt.pools.m.Delete(st) // back in rotation: a fresh pool
		}
	}
	rt.table.Store(t)
	rt.held.updated()
	rt.queued.wakeAll() // an instance may have joined
	left := false
	for id, st := range rt.states {
		if !seen[id] && st.inTable.Swap(false) {
			left = true
			rt.pools.of(st).close() // no idle connection outlives a drain
		}
		if !seen[id] && st.inflight.Load() == 0 {
			delete(rt.states, id)
		}
	}
	if left {
		rt.transport.CloseIdleConnections()
		rt.h2c.CloseIdleConnections()
	}
}

// build turns a Route into its matched-ready form. rt.mu is held.
func (rt *Router) build(in Route, seen map[string]bool) *route {
	r := &route{Route: in, path: normalizePath(in.Path), byRev: map[int][]*backend{}}
	r.setHosts()
	if r.Timeout <= 0 {
		r.Timeout = rt.cfg.ResponseHeaderTimeout
	}
	if r.MaxBody <= 0 {
		r.MaxBody = rt.cfg.MaxBodyBytes
	}
	if r.MaxConcurrency <= 0 {
		r.MaxConcurrency = DefaultMaxConcurrency
	}
	if in.Mirror != nil {
		r.Mirror = in.Mirror.withDefaults()
	}
	line := rt.queued.of(in.Service)
	for _, b := range in.Backends {
		st := rt.states[b.ID]
		if st == nil {
			st = &state{}
			rt.states[b.ID] = st
		}
		seen[b.ID] = true
		be := &backend{Backend: b, st: st, limit: int64(r.MaxConcurrency), line: line}
		r.h2c = r.h2c || b.H2C
		if r.Mirror != nil && b.Revision == r.Mirror.Revision {
			r.mirrorTo = append(r.mirrorTo, be) // copies only, never users
			continue
		}
		r.backends = append(r.backends, be)
		r.byRev[b.Revision] = append(r.byRev[b.Revision], be)
	}
	var revs []int
	for rev, w := range in.Weights {
		if w > 0 && len(r.byRev[rev]) > 0 {
			revs = append(revs, rev)
		}
	}
	slices.Sort(revs)
	for _, rev := range revs {
		r.total += in.Weights[rev]
		r.revs = append(r.revs, rev)
		r.cumul = append(r.cumul, r.total)
	}
	r.proxy = rt.newProxy(r)
	r.preview = rt.buildPreview(r)
	if len(in.Weights) > 0 && len(revs) == 0 {
		// No weighted revision can serve: answer 503 rather than send
		// users to a revision nobody released (a blue/green preview).
		r.backends = nil
	}
	return r
}

// Drain waits until instance id is out of the table and has no request
// in flight, or until ctx ends. An unknown id is drained already.
func (rt *Router) Drain(ctx context.Context, id string) error {
	for {
		rt.mu.Lock()
		st := rt.states[id]
		rt.mu.Unlock()
		if st == nil || (!st.inTable.Load() && st.inflight.Load() == 0) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(drainPoll):
		}
	}
}

// InFlight returns the number of requests instance id is serving.
func (rt *Router) InFlight(id string) int64 {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if st := rt.states[id]; st != nil {
		return st.inflight.Load()
	}
	return 0
}

// InFlightAll returns the requests in flight per instance (for metrics).
func (rt *Router) InFlightAll() map[string]int64 {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make(map[string]int64, len(rt.states))
	for id, st := range rt.states {
		out[id] = st.inflight.Load()
	}
	return out
}
