package router

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// A route's instances each take at most Route.MaxConcurrency requests at
// once; a request that finds every instance full waits in the router for
// a slot (or a new instance), as Knative's activator buffers what its
// pods' containerConcurrency refuses. An instance past what it can hold
// fails in ways no retry mends: a server with a thread per connection
// runs out of threads (its cgroup's pids limit) and closes connections
// unanswered, its listen backlog fills and connections are not even
// accepted, its readiness check times out and the last instance leaves
// the table. Waiting here instead, the request is served as soon as an
// instance finishes one, or joins (the autoscaler counts the waiting
// requests as load: HeldFor). The wait is bounded by the route's timeout
// (then a 504, as an instance that did not answer in time) and in count
// by Config.MaxQueued (over it a 503 at once).

// DefaultMaxConcurrency is a route's limit per instance when it sets
// none: half an instance's default pids limit (512), so that a server
// with a thread per connection keeps threads to spare for its own work
// and its readiness check.
const DefaultMaxConcurrency = 256

// DefaultMaxQueued is how many requests may wait for a slot at once.
const DefaultMaxQueued = 10000

// errQueueFull: too many requests wait for a slot already.
var errQueueFull = errors.New("every instance is at its concurrency limit and too many requests wait already")

// errQueueTimeout: no slot freed within the route's timeout.
var errQueueTimeout = &queueTimeoutError{}

type queueTimeoutError struct{}

func (*queueTimeoutError) Error() string {
	return "every instance stayed at its concurrency limit for the route's timeout"
}
func (*queueTimeoutError) Timeout() bool   { return true }
func (*queueTimeoutError) Temporary() bool { return true }

// errFull means the picked instance was at its limit when the request
// was to be counted on it: nothing was sent.
var errFull = errors.New("instance at its concurrency limit")

// slots is one service's waiting line: requests that found every
// instance full, first come first woken. Every request that ends on one
// of the service's instances while some wait wakes one (a slot freed);
// a table update wakes them all (an instance may have joined). A waiter
// keeps its place while woken: one that cannot use the slot (its
// requests go to another revision's instances: a pin, a preview) passes
// the wake on to the next behind it (pass), so that a slot freed on one
// revision reaches a request that can take it; a wake for a slot taken
// meanwhile goes no further.
type slots struct {
	mu      sync.Mutex // guards waiters
	waiters []*waiter
	n       atomic.Int32 // how many waiters are not woken, read without mu by leave
}

// waiter is one request in a line; woken says a wake was sent on ch and
// is its to use or pass on.
type waiter struct {
	ch    chan struct{}
	woken bool
}

// queues are the router's waiting lines by service, and how many wait
// in all.
type queues struct {
	mu    sync.Mutex // guards by and n
	by    map[string]*slots
	n     int
	limit int
}

// of returns service's line, made at first use. Lines are never
// dropped: a service's backends keep a pointer to theirs.
func (qs *queues) of(service string) *slots {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if qs.by == nil {
		qs.by = map[string]*slots{}
	}
	s := qs.by[service]
	if s == nil {
		s = &slots{}
		qs.by[service] = s
	}
	return s
}

// enter counts a waiting request; false when the limit is reached.
func (qs *queues) enter() bool {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if qs.n >= qs.limit {
		return false
	}
	qs.n++
	return true
}

func (qs *queues) leave() {
	qs.mu.Lock()
	qs.n--
	qs.mu.Unlock()
}

// wakeAll wakes every waiter of every service.
func (qs *queues) wakeAll() {
	qs.mu.Lock()
	all := make([]*slots, 0, len(qs.by))
	for _, s := range qs.by {
		all = append(all, s)
	}
	qs.mu.Unlock()
	for _, s := range all {
		s.wakeAll()
	}
}

// add queues a waiter, at the front for one woken before that found
// the slot taken (it keeps its turn).
func (s *slots) add(front bool) *waiter {
	w := &waiter{ch: make(chan struct{}, 1)}
	s.mu.Lock()
	if front {
		s.waiters = append([]*waiter{w}, s.waiters...)
	} else {
		s.waiters = append(s.waiters, w)
	}
	s.n.Add(1)
	s.mu.Unlock()
	return w
}

// remove takes w out of the line: it got its slot (used), or gives up,
// and then a wake it had goes on to the next waiter behind it.
func (s *slots) remove(w *waiter, used bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(s.waiters, w)
	s.waiters = slices.Delete(s.waiters, i, i+1)
	switch {
	case !w.woken:
		s.n.Add(-1)
	case !used:
		s.wakeFrom(i)
	}
}

// rearm puts w, woken for a slot it could not take, back to waiting in
// its place, to be woken again.
func (s *slots) rearm(w *waiter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.woken = false
	s.n.Add(1)
}

// pass wakes the first waiter behind w not woken yet: w cannot take the
// slot that is free.
func (s *slots) pass(w *waiter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wakeFrom(slices.Index(s.waiters, w) + 1)
}

// wakeOne wakes the first waiter not woken yet, if any.
func (s *slots) wakeOne() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wakeFrom(0)
}

// wakeFrom wakes the first waiter not woken yet from index i on. mu is
// held.
func (s *slots) wakeFrom(i int) {
	if s.n.Load() == 0 {
		return // all woken (a table update): no need to look
	}
	for _, w := range s.waiters[i:] {
		if !w.woken {
			w.woken = true
			s.n.Add(-1)
			w.ch <- struct{}{}
			return
		}
	}
}

func (s *slots) wakeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.waiters {
		if !w.woken {
			w.woken = true
			w.ch <- struct{}{}
		}
	}
	s.n.Store(0)
}

// waiting returns how many requests wait in the line.
func (s *slots) waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.waiters)
}

// full reports whether b takes no more requests now.
func (b *backend) full() bool { return b.st.inflight.Load() >= b.limit }

// leave ends a request's time in flight on b, and hands the slot it
// frees to a request waiting for one.
func (b *backend) leave() {
	b.st.inflight.Add(-1)
	if b.line != nil && b.line.n.Load() > 0 {
		b.line.wakeOne()
	}
}

// awaitSlot waits, for a request that found every instance of route r
// full, until a slot frees or the table changes, and returns the route
// to pick from again (the current table's, which may name a new
// instance). It fails when the wait is over: the line is full, the
// route's timeout passed since the request began (start), or the client
// left. front keeps the place of a request woken before; free says
// whether a pick on a route would find an instance with a slot now.
func (rt *Router) awaitSlot(r *route, req *http.Request, start time.Time, front bool, free func(*route) bool) (*route, error) {
	if !rt.queued.enter() {
		return nil, errQueueFull
	}
	defer rt.queued.leave()
	line := rt.queued.of(r.Service)
	w := line.add(front)
	// A slot may have freed between the pick and add: look again now
	// that the next free slot would wake us.
	if free(r) {
		line.remove(w, true)
		return r, nil
	}
	wait := time.NewTimer(r.Timeout - rt.now().Sub(start))
	defer wait.Stop()
	for {
		select {
		case <-w.ch:
		case <-wait.C:
			line.remove(w, false)
			return nil, errQueueTimeout
		case <-req.Context().Done():
			line.remove(w, false)
			return nil, context.Cause(req.Context())
		}
		next := r
		if nr := rt.current(r, req); nr != nil && nr.Service == r.Service {
			next = nr
		}
		if free(next) {
			line.remove(w, true)
			return next, nil
		}
		// Not a slot this request can take. Wait again in place, and
		// look again now that the next free slot would wake us.
		line.rearm(w)
		if free(next) {
			line.remove(w, true)
			return next, nil
		}
		// A slot on an instance this request cannot use (another
		// revision's: a pin, a preview) is for a waiter behind. One
		// taken already by a request that did not wait (or a mirrored
		// copy's, never a user's) wakes nobody more: passed on, every
		// such wake would run down the whole line.
		if rt.slotFree(req) {
			line.pass(w)
		}
	}
}

// slotFree reports whether an instance of the route req matches in the
// current table, whatever its revision, has a slot now.
func (rt *Router) slotFree(req *http.Request) bool {
	r := rt.table.Load().match(req.Host, req.URL.Path)
	if r == nil {
		return false
	}
	for _, b := range r.backends {
		if !b.full() {
			return true
		}
	}
	return false
}

// Queued returns how many requests wait for a slot on one of service's
// instances.
func (rt *Router) Queued(service string) int {
	rt.queued.mu.Lock()
	s := rt.queued.by[service]
	rt.queued.mu.Unlock()
	if s == nil {
		return 0
	}
	return s.waiting()
}
