package router

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/internal/turn"
)

// pconn is a keep-alive connection to one instance, with its buffers. It
// serves one request at a time, on the goroutine of that request; only
// abort may be called from another.
//
// A request on it is bounded by the route's deadline until the answer's
// headers are in, and its connection is closed when the request's
// context ends (the client went away), so that blocked I/O returns at
// once. That watch on the context (context.AfterFunc) is armed lazily:
// most answers are in long before watchAfter, and the watch's
// registration cost as much as the rest of the connection's work. Until
// it is armed the connection's deadline is watchAfter to 1.5 watchAfter
// away (or the route's, when sooner; start); an I/O that meets it arms
// the watch, moves the deadline to the route's and goes on. So a client
// that leaves is noticed within 1.5 watchAfter, and a request that
// takes longer than watchAfter pays for the watch.
type pconn struct {
	conn   net.Conn
	addr   string    // the instance's host:port
	pool   *connPool // the pool it goes back to
	br     *bufio.Reader
	bw     *bufio.Writer
	reused bool      // has served a request before this one
	idleAt time.Time // when it went back to the pool
	// bodiless is set when the last answer had no body (HEAD, 204,
	// 304): one an instance may wrongly follow with one.
	bodiless bool
	// fd is the socket, for clean's peek (-1 when there is none). It is
	// valid while the connection is open, and clean runs only while its
	// caller owns the connection: nobody else may close it meanwhile.
	fd  int
	one [1]byte // clean's peek buffer
	// sock is the socket for readOnce (nil when there is none); out is
	// the request bw flushed (a copy: bw reuses its buffer when a head is
	// larger than it), of which readOnce sent the first sent bytes.
	sock *turn.Socket
	out  []byte
	sent int
	// abort is close as a func value, made once for every AfterFunc.
	abort func()
	// deadline is the connection's deadline as last set (setDeadline).
	deadline time.Time

	// The request in flight (start to finish):
	ctx   context.Context
	until time.Time   // the route's deadline for the headers; zero after them
	stop  func() bool // ends the watch on ctx; nil while it is not armed
	n     int64       // bytes read since start
	limit int64       // when above 0, bounds n: the response headers' size
}

// watchAfter is how long a request goes without a watch on its context.
const watchAfter = 20 * time.Millisecond

func newPconn(c net.Conn, pool *connPool, addr string) *pconn {
	pc := &pconn{conn: c, pool: pool, addr: addr, fd: -1}
	pc.br = bufio.NewReaderSize(pc, connBufSize)
	pc.bw = bufio.NewWriterSize(pc, connBufSize)
	pc.abort = pc.close
	if sc, ok := c.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			_ = raw.Control(func(fd uintptr) { pc.fd = int(fd) })
			pc.sock = turn.NewSocket(raw)
		}
	}
	return pc
}

func (pc *pconn) close() { _ = pc.conn.Close() }

// quietFor is how long a connection back in the pool after an answer
// with a body is taken again without looking at its socket (clean):
// what an instance says on its own on an idle connection (a 408, or a
// close, when its idle timeout ends) comes seconds after its last
// answer (Node's and uvicorn's keep-alive timeouts are 5s, gunicorn's
// 2s), and an answer followed by more bytes in the same write left
// them in the buffer (fastBody.reusable). Under load nearly every
// connection is taken again within it (bench/router: 1 in 25 is not),
// and goes without that system call, as nginx's do (epoll tells nginx
// when an idle upstream connection speaks). A close it misses is found
// by the request, which goes again on a new connection (exchange).
const quietFor = 10 * time.Millisecond

// mayHaveSpoken reports whether the instance may have written to or
// closed the connection while it sat idle, so that clean must look.
func (pc *pconn) mayHaveSpoken(now time.Time) bool {
	idle := now.Sub(pc.idleAt)
	return pc.bodiless || idle < 0 || idle >= quietFor
}

// clean reports whether an idle connection is still open and silent: an
// instance may have closed it, or written to it (a 408 on its idle
// timeout, stray bytes after a HEAD), and those bytes must never be read
// as the next request's answer. It peeks at the socket without waiting
// (turn.Peek).
func (pc *pconn) clean() bool {
	if pc.br.Buffered() > 0 {
		return false
	}
	if pc.fd < 0 {
		return true
	}
	_, err := turn.Peek(pc.fd, pc.one[:])
	return errors.Is(err, syscall.EAGAIN)
}

// start readies pc for a request on ctx whose headers are due by until.
// The deadline is watchAfter to 1.5 watchAfter away (or the route's,
// when sooner): a connection taken again within watchAfter/2 keeps the
// one its last request set. Setting it costs a clock read and a runtime
// timer update (about 1% of the router's CPU), and under load a
// connection serves a request every few milliseconds. nginx keeps a
// timer likewise when the new one would move it by less than 300 ms
// (NGX_TIMER_LAZY_DELAY). It is never sooner than watchAfter, so that no
// more requests arm the watch.
func (pc *pconn) start(ctx context.Context, until, now time.Time) error {
	pc.ctx, pc.until, pc.stop = ctx, until, nil
	pc.n, pc.limit = 0, maxResponseHeaderBytes
	pc.out, pc.sent = pc.out[:0], 0
	early := now.Add(watchAfter)
	if d := pc.deadline; !d.IsZero() && !d.Before(early) && !d.After(until) && d.Sub(early) <= watchAfter/2 {
		return nil
	}
	return pc.setDeadline(earliest(early.Add(watchAfter/2), until))
}

// earliest returns the sooner of a and b.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// setDeadline sets the connection's deadline, and remembers it.
func (pc *pconn) setDeadline(t time.Time) error {
	pc.deadline = t
	return pc.conn.SetDeadline(t)
}

// headersRead is called once the answer's headers are in: its body may
// take as long as it takes. A body already in the buffer needs no more
// of the connection; for one still to come the watch is armed and the
// deadline lifted. It cannot fail the answer, whose headers may be in
// the client's header map already (readResponse): the deadline fails to
// lift only on a connection the watch closed, and then reading the body
// fails.
func (pc *pconn) headersRead(bodyBuffered bool) {
	pc.until, pc.limit = time.Time{}, 0
	if bodyBuffered {
		return
	}
	if pc.stop == nil {
		pc.watch()
	}
	_ = pc.setDeadline(time.Time{})
}

// finish ends the request's watch. It reports false when the context
// ended and the watch closed the connection.
func (pc *pconn) finish() bool {
	ok := true
	if pc.stop != nil {
		ok = pc.stop()
	}
	pc.ctx, pc.stop = nil, nil
	return ok
}

func (pc *pconn) watch() { pc.stop = context.AfterFunc(pc.ctx, pc.abort) }

// errHeadersTooLarge is an instance whose response headers exceed
// maxResponseHeaderBytes (as http.Transport bounds them).
var errHeadersTooLarge = errors.New("response headers too large")

// maxResponseHeaderBytes bounds the response headers read on the fast
// path (http.Transport's default is 10 MB; 1 MiB is plenty for a service).
const maxResponseHeaderBytes = 1 << 20

// Read reads from the connection for br, counting the bytes so that a
// failure can tell "the instance said nothing" (a stale keep-alive
// connection, safe to replay on) from a broken answer.
func (pc *pconn) Read(p []byte) (int, error) {
	if pc.limit > 0 && pc.n >= pc.limit {
		return 0, errHeadersTooLarge
	}
	for {
		n, err := pc.readOnce(p)
		pc.n += int64(n)
		if n > 0 || err == nil || !pc.watchNow(err) {
			return n, err
		}
	}
}

// readOnce reads once; the first read after a request sends it, with one
// system call fewer than a write then a read (turn.Socket.WriteRead).
// When the socket takes only part of the request, the rest is written as
// usual.
func (pc *pconn) readOnce(p []byte) (int, error) {
	if pc.sent < len(pc.out) {
		written, n, err := pc.sock.WriteRead(pc.out[pc.sent:], p, nil)
		pc.sent += written
		if err != nil || n > 0 {
			return n, err // a deadline before the write leaves the request to send
		}
		if _, err := pc.write(pc.out[pc.sent:]); err != nil {
			return 0, err
		}
		pc.sent = len(pc.out)
	}
	return pc.conn.Read(p)
}

// Write takes what bw flushes: the request, sent by the first Read.
// Without a socket to do so, it writes at once.
func (pc *pconn) Write(p []byte) (int, error) {
	if pc.sock == nil {
		return pc.write(p)
	}
	pc.out = append(pc.out, p...)
	return len(p), nil
}

// write writes p to the connection.
func (pc *pconn) write(p []byte) (int, error) {
	written := 0
	for {
		n, err := pc.conn.Write(p[written:])
		written += n
		if err == nil || !pc.watchNow(err) {
			return written, err
		}
	}
}

// watchNow arms the watch when err is watchAfter's deadline, and moves
// the deadline to the route's. It reports whether the I/O may go on.
func (pc *pconn) watchNow(err error) bool {
	if pc.stop != nil || pc.ctx == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
		return false
	}
	if !pc.until.IsZero() && !time.Now().Before(pc.until) {
		return false // the route's own deadline
	}
	pc.watch()
	return pc.setDeadline(pc.until) == nil
}
