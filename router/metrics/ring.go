package metrics

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// ring is a fixed ring of time buckets for one (service, revision). Bucket
// number n (Unix time / width) lives in slot n mod len(slots); a slot
// whose number is not n holds an older bucket, reset when n first writes.
type ring struct {
	width int64 // bucket width, ns

	mu    sync.Mutex // serializes resetting a slot for a new bucket
	slots []slot
}

// slot holds one bucket's counts. Every field is atomic: writers add
// without a lock, readers load while writers add.
// Requests are the sum of the bins: one atomic add per request.
type slot struct {
	n      atomic.Int64 // bucket number held; read by every writer
	errors atomic.Uint64
	_      [48]byte               // keeps n's cache line clean of the bins' writes
	bins   [numBins]atomic.Uint32 // latency; a bin cannot see 2^32 requests in one bucket
}

// newRing returns a ring for buckets of width that keeps span of finished
// buckets, plus the one being written.
func newRing(width, span time.Duration) *ring {
	n := int((span + width - 1) / width)
	r := &ring{width: int64(width), slots: make([]slot, n+1)}
	for i := range r.slots {
		r.slots[i].n.Store(math.MinInt64)
	}
	return r
}

func (r *ring) slot(n int64) *slot { return &r.slots[uint64(n)%uint64(len(r.slots))] }

// add counts one request answered at now (Unix ns).
func (r *ring) add(now int64, failed bool, d time.Duration) {
	n := now / r.width
	s := r.slot(n)
	if s.n.Load() != n {
		r.reset(s, n)
	}
	if failed {
		s.errors.Add(1)
	}
	s.bins[binOf(d)].Add(1)
}

// reset empties s for bucket n, unless it holds n or a later bucket
// already (another writer reset it, or this writer's clock lags).
func (r *ring) reset(s *slot, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.n.Load() >= n {
		return
	}
	s.errors.Store(0)
	for i := range s.bins {
		s.bins[i].Store(0)
	}
	s.n.Store(n) // last: a writer that sees n finds the slot empty
}

// counts is a snapshot of one or more buckets.
type counts struct {
	requests, errors uint64
	bins             [numBins]uint64
}

// addTo adds bucket n's counts to c, reporting whether the ring held it.
// A slot reset while it was read (the ring wrapped under a lagging
// reader) is not counted.
func (r *ring) addTo(c *counts, n int64) bool {
	s := r.slot(n)
	if s.n.Load() != n {
		return false
	}
	var snap counts
	snap.errors = s.errors.Load()
	for i := range s.bins {
		snap.bins[i] = uint64(s.bins[i].Load())
		snap.requests += snap.bins[i]
	}
	if s.n.Load() != n {
		return false
	}
	c.requests += snap.requests
	c.errors += snap.errors
	for i, v := range snap.bins {
		c.bins[i] += v
	}
	return true
}
