package router

import (
	"bufio"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Idle keep-alive connections to an instance, kept for the fast path.
const (
	maxIdlePerBackend = 256 // as the transport's MaxIdleConnsPerHost
	idleTimeout       = 90 * time.Second
	connBufSize       = 4 << 10
)

// pconn is a keep-alive connection to one instance, with its buffers. It
// serves one request at a time, on the goroutine of that request.
type pconn struct {
	conn   net.Conn
	pool   *connPool // the pool it goes back to
	cr     countingReader
	br     *bufio.Reader
	bw     *bufio.Writer
	reused bool      // has served a request before this one
	idleAt time.Time // when it went back to the pool
}

func newPconn(c net.Conn, pool *connPool) *pconn {
	pc := &pconn{conn: c, pool: pool}
	pc.cr.r = c
	pc.br = bufio.NewReaderSize(&pc.cr, connBufSize)
	pc.bw = bufio.NewWriterSize(c, connBufSize)
	return pc
}

// abort closes the connection from another goroutine (the request's
// context ended): blocked reads and writes return at once.
func (pc *pconn) abort() { _ = pc.conn.Close() }

// clean reports whether an idle connection is still open and silent: an
// instance may have closed it, or written to it (a 408 on its idle
// timeout, stray bytes after a HEAD), and those bytes must never be read
// as the next request's answer. It peeks at the socket without waiting
// (a read deadline would not do: Go fails a read past its deadline even
// when data is there).
func (pc *pconn) clean() bool {
	if pc.br.Buffered() > 0 {
		return false
	}
	sc, ok := pc.conn.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	silent := false
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, rerr := unix.Recvfrom(int(fd), buf[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		silent = n < 0 && (rerr == unix.EAGAIN || rerr == unix.EWOULDBLOCK)
		return true // never wait for the socket to become readable
	})
	return err == nil && silent
}

func (pc *pconn) close() { _ = pc.conn.Close() }

// countingReader counts the bytes read from the connection since the
// last reset, so that a failure can tell "the instance said nothing" (a
// stale keep-alive connection, safe to replay on) from a broken answer.
type countingReader struct {
	r net.Conn
	n int64
	// limit, when above 0, bounds n: the response headers' size.
	limit int64
}

// errHeadersTooLarge is an instance whose response headers exceed
// maxResponseHeaderBytes (as http.Transport bounds them).
var errHeadersTooLarge = errors.New("response headers too large")

// maxResponseHeaderBytes bounds the response headers read on the fast
// path (http.Transport's default is 10 MB; 1 MiB is plenty for a service).
const maxResponseHeaderBytes = 1 << 20

func (c *countingReader) Read(p []byte) (int, error) {
	if c.limit > 0 && c.n >= c.limit {
		return 0, errHeadersTooLarge
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

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
