// Package queue is a keyed work queue for level-triggered reconcilers: a
// key is queued at most once however often it is added, waits at most
// once (at its earliest due time) however often it is added for later,
// is never handed to two workers at once, and a key that keeps failing
// backs off however often something adds it. Keys are typed (Key: a
// Kind and a name, built by ServiceKey, OperationKey, FlagKey and
// PromotionKey), so producers and the server's dispatch agree on them at
// compile time.
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
	now func() time.Time

	mu     sync.Mutex // guards all fields below
	ready  []Key
	queued map[Key]bool      // in ready
	active map[Key]bool      // handed out, not yet Done
	dirty  map[Key]bool      // added while active: requeue on Done
	due    map[Key]time.Time // waiting: the earliest time each is due
	held   map[Key]time.Time // backing off: not ready before this
	later  timers            // due and held times; stale entries skipped
	wake   chan struct{}
}

// New returns an empty queue on the wall clock.
func New() *Queue { return NewWithClock(time.Now) }

// NewWithClock returns an empty queue that tells time with now (tests).
func NewWithClock(now func() time.Time) *Queue {
	return &Queue{now: now, queued: map[Key]bool{}, active: map[Key]bool{}, dirty: map[Key]bool{},
		due: map[Key]time.Time{}, held: map[Key]time.Time{}, wake: make(chan struct{}, 1)}
}

// Add queues key now, or when its backoff ends if it is backing off.
func (q *Queue) Add(key Key) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.addLocked(key, q.now())
}

func (q *Queue) addLocked(key Key, now time.Time) {
	if until, ok := q.held[key]; ok && until.After(now) {
		q.waitLocked(key, until)
		return
	}
	delete(q.held, key)
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
func (q *Queue) AddAfter(key Key, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	if d <= 0 {
		q.addLocked(key, now)
		return
	}
	q.waitLocked(key, now.Add(d))
}

// waitLocked makes key due at t unless it is due earlier already.
func (q *Queue) waitLocked(key Key, t time.Time) {
	if cur, ok := q.due[key]; ok && !t.Before(cur) {
		return
	}
	q.due[key] = t
	heap.Push(&q.later, timer{key: key, at: t})
	q.signal()
}

// Backoff holds key back until d has passed: adds before then wait. Call
// it (between Get and Done) for a key whose pass failed.
func (q *Queue) Backoff(key Key, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	until := q.now().Add(d)
	q.held[key] = until
	q.waitLocked(key, until)
}

// Forget ends key's backoff (its pass succeeded).
func (q *Queue) Forget(key Key) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.held, key)
}

func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Get blocks until a key is ready or ctx ends (ok false). The caller
// must call Done(key) when finished with it.
func (q *Queue) Get(ctx context.Context) (key Key, ok bool) {
	for {
		q.mu.Lock()
		wait := q.promoteLocked(q.now())
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
			return Key{}, false
		}
	}
}

// promoteLocked moves due keys to ready and returns how long until the
// next one is due (0 = none).
func (q *Queue) promoteLocked(now time.Time) time.Duration {
	for q.later.Len() > 0 {
		next := q.later[0]
		if next.at.After(now) {
			return next.at.Sub(now)
		}
		heap.Pop(&q.later)
		if due, ok := q.due[next.key]; !ok || !due.Equal(next.at) {
			continue // superseded by an earlier time
		}
		delete(q.due, next.key)
		q.addLocked(next.key, now)
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
func (q *Queue) Done(key Key) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.active, key)
	if q.dirty[key] {
		delete(q.dirty, key)
		q.addLocked(key, q.now())
	}
}

// Len returns the number of keys ready now.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.ready)
}

// Waiting returns the number of keys waiting for a time.
func (q *Queue) Waiting() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.due)
}

type timer struct {
	key Key
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
