package router

import (
	"context"
	"errors"
	"net/http"
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
// a table update wakes them all (an instance may have joined).
type slots struct {
	mu      sync.Mutex // guards waiters
	waiters []chan struct{}
	n       atomic.Int32 // len(waiters), read without mu by leave
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
func (s *slots) add(front bool) chan struct{} {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	if front {
		s.waiters = append([]chan struct{}{ch}, s.waiters...)
	} else {
		s.waiters = append(s.waiters, ch)
	}
	s.n.Store(int32(len(s.waiters)))
	s.mu.Unlock()
	return ch
}

// remove drops a waiter that gives up; if it was woken meanwhile, the
// wake goes on to the next one.
func (s *slots) remove(ch chan struct{}) {
	s.mu.Lock()
	for i, w := range s.waiters {
		if w == ch {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			s.n.Store(int32(len(s.waiters)))
			s.mu.Unlock()
			return
		}
	}
	s.mu.Unlock()
	select {
	case <-ch:
		s.wakeOne()
	default:
	}
}

// wakeOne wakes the first waiter, if any.
func (s *slots) wakeOne() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiters) == 0 {
		return
	}
	ch := s.waiters[0]
	s.waiters[0] = nil
	s.waiters = s.waiters[1:]
	s.n.Store(int32(len(s.waiters)))
	ch <- struct{}{}
}

func (s *slots) wakeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.waiters {
		ch <- struct{}{}
	}
	clear(s.waiters)
	s.waiters = s.waiters[:0]
	s.n.Store(0)
}

// waiting returns how many requests wait in the line.
func (s *slots) waiting() int { return int(s.n.Load()) }

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
	ch := line.add(front)
	// A slot may have freed between the pick and add: look again now
	// that the next free slot would wake us.
	if free(r) {
		line.remove(ch)
		return r, nil
	}
	wait := time.NewTimer(r.Timeout - rt.now().Sub(start))
	defer wait.Stop()
	select {
	case <-ch:
	case <-wait.C:
		line.remove(ch)
		return nil, errQueueTimeout
	case <-req.Context().Done():
		line.remove(ch)
		return nil, context.Cause(req.Context())
	}
	if nr := rt.current(r, req); nr != nil && nr.Service == r.Service {
		return nr, nil
	}
	return r, nil
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
