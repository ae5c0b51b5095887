// Package queue is a keyed work queue for level-triggered reconcilers: a
// key is queued at most once however often it is added, can be added for
// later, and is never handed to two workers at once.
package queue

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Queue holds keys waiting to be reconciled. The zero value is not
// usable; use New.
type Queue struct {
	mu      sync.Mutex // guards all fields below
	ready   []string
	queued  map[string]bool // in ready
	active  map[string]bool // handed out, not yet Done
	dirty   map[string]bool // added while active: requeue on Done
	later   timers
	wake    chan struct{}
	stopped bool
}

// New returns an empty queue.
func New() *Queue {
	return &Queue{queued: map[string]bool{}, active: map[string]bool{}, dirty: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// Add queues key now.
func (q *Queue) Add(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.addLocked(key)
}

func (q *Queue) addLocked(key string) {
	switch {
	case q.active[key]:
		q.dirty[key] = true
	case !q.queued[key]:
		q.queued[key] = true
		q.ready = append(q.ready, key)
		q.signal()
	}
}

// AddAfter queues key once d has passed (now when d <= 0).
func (q *Queue) AddAfter(key string, d time.Duration) {
	if d <= 0 {
		q.Add(key)
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	heap.Push(&q.later, timer{key: key, at: time.Now().Add(d)})
	q.signal()
}

func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Get blocks until a key is ready or ctx ends (ok false). The caller
// must call Done(key) when finished with it.
func (q *Queue) Get(ctx context.Context) (key string, ok bool) {
	for {
		q.mu.Lock()
		wait := q.promoteLocked(time.Now())
		if len(q.ready) > 0 {
			key = q.ready[0]
			q.ready = q.ready[1:]
			delete(q.queued, key)
			q.active[key] = true
			q.mu.Unlock()
			return key, true
		}
		q.mu.Unlock()
		if !q.sleep(ctx, wait) {
			return "", false
		}
	}
}

// promoteLocked moves due timers to ready and returns how long until the
// next one is due (0 = none).
func (q *Queue) promoteLocked(now time.Time) time.Duration {
	for q.later.Len() > 0 {
		next := q.later[0]
		if next.at.After(now) {
			return next.at.Sub(now)
		}
		heap.Pop(&q.later)
		q.addLocked(next.key)
	}
	return 0
}

func (q *Queue) sleep(ctx context.Context, d time.Duration) bool {
	var tc <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		tc = t.C
	}
	select {
	case <-ctx.Done():
		return false
	case <-q.wake:
	case <-tc:
	}
	return true
}

// Done marks key finished; if it was added meanwhile it is queued again.
func (q *Queue) Done(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.active, key)
	if q.dirty[key] {
		delete(q.dirty, key)
		q.addLocked(key)
	}
}

// Len returns the number of keys ready now.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.ready)
}

type timer struct {
	key string
	at  time.Time
}

type timers []timer

func (t timers) Len() int           { return len(t) }
func (t timers) Less(i, j int) bool { return t[i].at.Before(t[j].at) }
func (t timers) Swap(i, j int)      { t[i], t[j] = t[j], t[i] }
func (t *timers) Push(x any)        { *t = append(*t, x.(timer)) }
func (t *timers) Pop() any {
	old := *t
	x := old[len(old)-1]
	*t = old[:len(old)-1]
	return x
}
