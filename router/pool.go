package router

import (
	"sync"
	"sync/atomic"
	"time"
)

// Idle keep-alive connections to an instance, kept for the fast path.
const (
	maxIdlePerBackend = 256 // as the transport's MaxIdleConnsPerHost
	idleTimeout       = 90 * time.Second
	connBufSize       = 4 << 10
)

// connPool holds one instance's idle connections, most recently used
// last: the freshest is reused first, the oldest expire first.
type connPool struct {
	mu   sync.Mutex // guards idle and closed
	idle []*pconn
	// closed is set when the instance left the table: nothing is pooled
	// any more.
	closed bool
}

// get returns the most recently used idle connection, or nil. An idle
// connection older than idleTimeout is closed rather than returned.
func (p *connPool) get(now time.Time) *pconn {
	p.mu.Lock()
	defer p.mu.Unlock()
	for n := len(p.idle); n > 0; n = len(p.idle) {
		pc := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		if now.Sub(pc.idleAt) < idleTimeout {
			return pc
		}
		pc.close()
	}
	return nil
}

// put keeps pc for reuse. It reports false, and pc stays the caller's to
// close, when the pool is full or closed.
func (p *connPool) put(pc *pconn, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire(now)
	if p.closed || len(p.idle) >= maxIdlePerBackend {
		return false
	}
	pc.idleAt = now
	pc.reused = true
	p.idle = append(p.idle, pc)
	return true
}

// expire closes the idle connections older than idleTimeout. p.mu is
// held.
func (p *connPool) expire(now time.Time) {
	n := 0
	for n < len(p.idle) && now.Sub(p.idle[n].idleAt) >= idleTimeout {
		p.idle[n].close()
		n++
	}
	if n > 0 {
		k := copy(p.idle, p.idle[n:])
		clear(p.idle[k:])
		p.idle = p.idle[:k]
	}
}

// close closes every idle connection and pools no more.
func (p *connPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, pc := range p.idle {
		pc.close()
	}
	clear(p.idle)
	p.idle = nil
}

// pools are the routers' connection pools, one per instance state (so
// that an instance replaced by another on the same port starts afresh).
type pools struct {
	m         sync.Map     // *state -> *connPool
	lastSweep atomic.Int64 // unix ns of the last sweep
}

// sweepEvery is how often pools of instances that left the table are
// closed, and expired connections of the others closed.
const sweepEvery = 10 * time.Second

// of returns st's pool.
func (ps *pools) of(st *state) *connPool {
	if p, ok := ps.m.Load(st); ok {
		return p.(*connPool)
	}
	p, _ := ps.m.LoadOrStore(st, &connPool{})
	return p.(*connPool)
}

// maybeSweep sweeps when the last sweep is older than sweepEvery. The
// request path calls it: the router has no goroutine of its own.
func (ps *pools) maybeSweep(now time.Time) {
	last := ps.lastSweep.Load()
	if now.UnixNano()-last < int64(sweepEvery) || !ps.lastSweep.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	ps.m.Range(func(k, v any) bool {
		p := v.(*connPool)
		if !k.(*state).inTable.Load() {
			p.close()
			ps.m.Delete(k)
			return true
		}
		p.mu.Lock()
		p.expire(now)
		p.mu.Unlock()
		return true
	})
}

// closeAll closes every pool's idle connections.
func (ps *pools) closeAll() {
	ps.m.Range(func(k, v any) bool {
		v.(*connPool).close()
		ps.m.Delete(k)
		return true
	})
}
