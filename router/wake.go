package router

import (
	"errors"
	"net/http"
	"sync"
	"time"
)

// Waking a service scaled to zero. A route marked Wake has no instance
// because the autoscaler stopped them all while the service was idle:
// the router holds its requests, asks for an instance (Config.Waker,
// which writes the count to the store: desired state), and serves them
// once the table names a ready instance. The hold is bounded in count
// (Config.MaxHeld, over it a 503) and in time (Config.HoldTimeout, past
// it a 503 saying the service did not start in time).

// Wake defaults.
const (
	DefaultHoldTimeout = 30 * time.Second
	DefaultMaxHeld     = 1000
)

// errWakeTimeout: no instance became ready within the hold timeout.
var errWakeTimeout = errors.New("scaled to zero: no instance became ready in time")

// errHoldFull: too many requests already wait for the service to wake.
var errHoldFull = errors.New("scaled to zero: too many requests wait for an instance")

// wakePage is the 503 page of a request whose service did not wake in
// time, or found the wait full.
var wakePage = []byte("503 Service Unavailable: the service was scaled to zero and did not start in time\n")

// holds is the router's waiting room: a count of held requests (in
// all and by service) and a channel closed (and replaced) on every
// table update.
type holds struct {
	mu        sync.Mutex // guards the fields below
	n         int
	byService map[string]int
	changed   chan struct{}
}

// rewake is how often a held request asks the Waker again while no
// instance has joined: a wake lost (a server restarting, a write that
// conflicted) costs at most that.
const rewake = time.Second

// updated wakes every held request to look at the new table.
func (h *holds) updated() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.changed != nil {
		close(h.changed)
		h.changed = nil
	}
}

// enter counts a held request, and returns the channel the next table
// update closes; false when max requests wait already.
func (h *holds) enter(service string, max int) (<-chan struct{}, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n >= max {
		return nil, false
	}
	h.n++
	if h.byService == nil {
		h.byService = map[string]int{}
	}
	h.byService[service]++
	return h.wait(), true
}

// wait returns the channel the next table update closes. h.mu is held.
func (h *holds) wait() <-chan struct{} {
	if h.changed == nil {
		h.changed = make(chan struct{})
	}
	return h.changed
}

func (h *holds) next() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.wait()
}

func (h *holds) leave(service string) {
	h.mu.Lock()
	h.n--
	if h.byService[service]--; h.byService[service] == 0 {
		delete(h.byService, service)
	}
	h.mu.Unlock()
}

// Held returns how many requests wait for a service to wake.
func (rt *Router) Held() int {
	rt.held.mu.Lock()
	defer rt.held.mu.Unlock()
	return rt.held.n
}

// HeldFor returns how many requests the router holds for service:
// waiting for it to wake, or for a slot on one of its instances (all at
// their MaxConcurrency). Load the autoscaler counts as in flight, as
// Knative's activator reports its queue.
func (rt *Router) HeldFor(service string) int {
	rt.held.mu.Lock()
	n := rt.held.byService[service]
	rt.held.mu.Unlock()
	return n + rt.Queued(service)
}

// hold waits for route r's service to have an instance, asking the
// Waker for one. It returns the route to serve the request on, or nil
// after answering the request itself (a 503, or nothing to a client
// that left).
func (rt *Router) hold(w http.ResponseWriter, req *http.Request, r *route) *route {
	changed, ok := rt.held.enter(r.Service, rt.cfg.MaxHeld)
	if !ok {
		rt.refuseWake(w, req, r, errHoldFull)
		return nil
	}
	defer rt.held.leave(r.Service)
	// An instance may have joined between the match and enter: the
	// table is read again now that the next update would wake us.
	if now := rt.woken(r, req); now != nil {
		return now
	}
	rt.cfg.Waker(r.Service)
	timeout := time.NewTimer(rt.cfg.HoldTimeout)
	defer timeout.Stop()
	again := time.NewTicker(rewake)
	defer again.Stop()
	for {
		select {
		case <-changed:
		case <-again.C:
			rt.cfg.Waker(r.Service)
			continue
		case <-timeout.C:
			rt.refuseWake(w, req, r, errWakeTimeout)
			return nil
		case <-req.Context().Done():
			return nil // the client left: nothing to answer
		}
		changed = rt.held.next()
		if now := rt.woken(r, req); now != nil {
			return now
		}
	}
}

// woken returns route r in the current table if it has an instance now,
// else nil.
func (rt *Router) woken(r *route, req *http.Request) *route {
	if now := rt.current(r, req); now != nil && len(now.backends) > 0 {
		return now
	}
	return nil
}

// refuseWake logs why a held request gets a 503, and writes wakePage.
func (rt *Router) refuseWake(w http.ResponseWriter, req *http.Request, r *route, err error) {
	rt.cfg.Logger.Warn("router: request not served", "service", r.Service, "status", http.StatusServiceUnavailable,
		"method", req.Method, "host", req.Host, "path", req.URL.Path, "err", err)
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(wakePage)
}
