package front

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/internal/turn"
)

// clientConn is one client connection the front serves, on one goroutine,
// until the connection ends or is handed to net/http.
type clientConn struct {
	s      *Server
	conn   net.Conn
	rc     syscall.RawConn // conn's, to wait for a request without buffers; nil when it has none
	raw    rawReader       // conn, after the byte a background read took
	out    outWriter       // conn, but for the answer held for awaitRequest
	br     *bufio.Reader   // from readers: given back while idle (idle.go)
	bw     *bufio.Writer   // from writers: given back while idle
	mem    *request        // from requests: given back while idle
	w      responseWriter
	base   context.Context // the requests' values: net/http's server and local address
	remote string
	tls    *tls.ConnectionState // the handshake's, over TLS; shared by its requests
	born   time.Time
	until  time.Time    // the deadline of the wait for the next request
	state  atomic.Int32 // a connState
	// readDeadline is the connection's read deadline as last set
	// (setReadDeadline).
	readDeadline time.Time

	parkID    atomic.Uint64 // its place in the server's idler while parked there (0: none)
	parkFirst bool          // parked before its first request

	// The background read of the request in flight (startBackgroundRead).
	bgDone    chan struct{}
	bgAborted atomic.Bool
}

// connState is where a connection is, for Shutdown: it closes the
// connections waiting for a request.
type connState int32

const (
	connNew    connState = iota // accepted, waiting for its first request
	connActive                  // reading or serving a request
	connIdle                    // waiting for another request
	connClosed                  // closed by Shutdown
)

// bufSize is the size of a connection's buffers: a request head
// that does not fit in the reader's goes to net/http, which allows it
// up to MaxHeaderBytes.
const bufSize = 4 << 10

func newClientConn(s *Server, c net.Conn) *clientConn {
	fc := &clientConn{s: s, conn: c, remote: c.RemoteAddr().String(), born: time.Now()}
	fc.raw.conn, fc.raw.out = c, &fc.out
	fc.raw.sent = func() { fc.state.Store(int32(fc.raw.waiting)) }
	fc.out.conn = c
	if sc, ok := c.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			fc.rc, fc.raw.sock = rc, turn.NewSocket(rc)
		}
	}
	if tc, ok := c.(*tls.Conn); ok {
		fc.holdBeneath(tc)
	}
	fc.w = responseWriter{shutdown: &s.shutdown, dates: &s.dates}
	fc.base = context.WithValue(context.WithValue(context.Background(),
		http.ServerContextKey, s.srv), http.LocalAddrContextKey, c.LocalAddr())
	return fc
}

// serve serves requests until the connection ends or is handed off. It
// takes its buffers once a TLS handshake is through: a handshake that
// stalls (a slow or hostile client, up to the header timeout), or one
// that hands the connection to the HTTP/2 server, holds none.
func (c *clientConn) serve() {
	if serve, handed := c.handshake(); !serve {
		if !handed {
			c.end()
		}
		return
	}
	c.takeBuffers()
	c.run(true)
}

// run serves requests until the connection ends, is handed off, or
// idles: then a goroutine of its own waits for the next request
// (idle.go), and this one ends, its stack with it.
func (c *clientConn) run(first bool) {
	passed := false // to net/http, or to the idle wait's goroutine
	defer func() {
		if !passed {
			c.end()
		}
	}()
	for {
		switch c.awaitRequest(first) {
		case waitEnded:
			return
		case waitIdle:
			passed = true
			c.idle(first)
			return
		}
		head, v := c.readHead(first)
		switch v {
		case headHandOff:
			passed = c.handOff() // false: refused for ambiguous framing
			return
		case headIncomplete:
			return // the client left or timed out mid-head
		}
		_, _ = c.br.Discard(head.size)
		if !c.serveOne(&head) {
			return
		}
		first = false
	}
}

// end ends a connection the front served.
func (c *clientConn) end() {
	c.s.track(c, false)
	_ = c.out.flushAll() // an answer held when awaiting the next request failed
	_ = c.conn.Close()
	c.putBuffers()
}

// handOff gives the connection to net/http, with the bytes read so far,
// unless its request's head has ambiguous framing (framing.go): that
// gets a 400 and the connection is closed. It reports whether it handed
// the connection off.
func (c *clientConn) handOff() bool {
	buffered, _ := c.br.Peek(c.br.Buffered())
	if headEnd(buffered) < 0 {
		c.setDeadline(time.Now(), c.s.srv.ReadHeaderTimeout) // the rest of the head, as net/http allows it
	}
	taken, end, err := wholeHead(c.br, buffered, maxHeaderBytes(c.s.srv))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return false // too slow a head: net/http too closes without an answer
	}
	head := taken
	if taken == nil {
		head = buffered
	}
	if end >= 0 && ambiguousFraming(head[:end]) {
		_, _ = c.br.Discard(c.br.Buffered())
		_ = c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.WriteString(c.conn, badFraming)
		lingeringClose(c.conn)
		return false
	}
	c.s.track(c, false)
	var r io.Reader = c.br
	if taken != nil {
		r = io.MultiReader(bytes.NewReader(taken), c.br)
	}
	c.s.handoff.give(&handedConn{Conn: c.conn, r: r, tls: c.tls})
	return true
}

// lingeringClose half-closes c and reads what the client still sends,
// for up to half a second (as net/http before closing after a 400), so
// that closing with unread bytes does not reset the connection before
// the client read the answer. The caller closes c.
func lingeringClose(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	_, _ = io.Copy(io.Discard, io.LimitReader(c, 256<<10))
}

// awaitRequest sends the last answer if serveOne held it, waits for the
// first byte of a request within the idle timeout (the header timeout
// for the first), and marks the connection active. It says waitEnded
// when the connection is to end, and waitIdle when it waited past
// idleRelease (the wait goes on without buffers: wake). The connection
// is marked waiting (so that Shutdown may close it) only once the last
// answer is out.
func (c *clientConn) awaitRequest(first bool) waitResult {
	from := connIdle
	if first {
		from = connNew
	}
	if c.br.Buffered() > 0 {
		c.pipelines()
		if c.out.flushAll() != nil { // a pipelined request: no wait
			return waitEnded
		}
	} else {
		now := time.Now()
		if first {
			c.until = deadline(c.born, c.s.srv.ReadHeaderTimeout)
		} else {
			c.until = deadline(now, c.s.srv.IdleTimeout)
		}
		c.raw.waiting = from
		if !c.out.holding() {
			c.raw.sent()
		} // else rawReader sends it first, and then marks it
		if w := c.waitForRequest(now); w != waitCame {
			return w
		}
	}
	if c.state.CompareAndSwap(int32(from), int32(connActive)) ||
		c.state.CompareAndSwap(int32(connActive), int32(connActive)) {
		return waitCame
	}
	return waitEnded
}

// setDeadline sets the connection's read deadline d after from (none
// when d is 0), lazily (setReadDeadline).
func (c *clientConn) setDeadline(from time.Time, d time.Duration) {
	c.setReadDeadline(deadline(from, d), lazyDeadline(d))
}

// deadline is d after from; none (zero) when d is not positive.
func deadline(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return from.Add(d)
}

// lazyDeadline is how much sooner than asked setReadDeadline may leave a
// deadline d away: a sixteenth of it, at most 300 ms.
func lazyDeadline(d time.Duration) time.Duration { return min(d/16, 300*time.Millisecond) }

// setReadDeadline sets the connection's read deadline t, and remembers
// it. The deadline set last is kept when it is no later than t and less
// than lazy before it: a keep-alive connection under load waits for a
// request every few milliseconds, and moving its deadline costs a clock
// read and a runtime timer update each time (about 1% of the router's
// CPU). A connection may so be closed for idleness (or go idle) up to
// lazy sooner, as nginx keeps a timer that would move by less than
// 300 ms (NGX_TIMER_LAZY_DELAY). Every read deadline of c.conn is set
// here (lazy 0 where it must be exact), so that the one remembered is
// the one in force.
func (c *clientConn) setReadDeadline(t time.Time, lazy time.Duration) {
	if cur := c.readDeadline; !t.IsZero() && !cur.IsZero() && !cur.After(t) && t.Sub(cur) < lazy {
		return
	}
	c.readDeadline = t
	_ = c.conn.SetReadDeadline(t)
}

// closeIfIdle closes the connection when it waits for a request (a new
// one only once 5s old, as net/http), and reports whether it did.
func (c *clientConn) closeIfIdle() bool {
	if c.state.CompareAndSwap(int32(connIdle), int32(connClosed)) ||
		time.Since(c.born) > 5*time.Second && c.state.CompareAndSwap(int32(connNew), int32(connClosed)) {
		_ = c.conn.Close()
		c.s.forgetIdle(c)
		return true
	}
	return false
}

// readHead reads until a whole request head is buffered and judges it.
// A head larger than the buffer, or cut by an error other than the
// timeout, goes to net/http with what was read.
func (c *clientConn) readHead(first bool) (parsedHead, headVerdict) {
	timed := first
	for {
		buf, _ := c.br.Peek(c.br.Buffered())
		head, v := parseHead(buf, c.mem)
		if v != headIncomplete {
			return head, v
		}
		if c.br.Buffered() == c.br.Size() {
			return parsedHead{}, headHandOff // net/http allows more, or answers 431
		}
		if !timed {
			c.setDeadline(time.Now(), c.s.srv.ReadHeaderTimeout)
			timed = true
		}
		if _, err := c.br.Peek(c.br.Buffered() + 1); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) || c.br.Buffered() == 0 {
				return parsedHead{}, headIncomplete
			}
			return parsedHead{}, headHandOff // net/http sees the error as it would have
		}
	}
}

// serveOne serves one request, and reports whether the connection may
// serve another.
func (c *clientConn) serveOne(head *parsedHead) (keep bool) {
	ctx := &reqCtx{Context: c.base, c: c} // its own: see request
	req := head.req
	*req = *req.WithContext(ctx) // in place: no copy of the request survives
	req.RemoteAddr, req.TLS = c.remote, c.tls
	c.w.reset(req)
	defer func() {
		if p := recover(); p != nil {
			c.endRequest(ctx)
			if p != http.ErrAbortHandler {
				c.logPanic(p)
			}
			_ = c.bw.Flush() // what the handler had written, as net/http
			keep = false
		}
	}()
	c.s.handler.ServeHTTP(&c.w, req)
	broken := c.endRequest(ctx)
	keep = c.w.finish() && !broken
	c.out.hold = keep && c.raw.sock != nil // sent with the wait for the next request
	err := c.bw.Flush()
	c.out.hold = false
	return keep && err == nil
}

// endRequest ends the request's context and its background read, and
// reports whether that read found the connection ended.
func (c *clientConn) endRequest(ctx *reqCtx) bool {
	cancel := ctx.end()
	if cancel == nil {
		return false
	}
	c.bgAborted.Store(true)
	c.setReadDeadline(time.Unix(1, 0), 0)
	<-c.bgDone
	c.bgAborted.Store(false)
	cancel()
	return c.raw.err != nil
}

// startBackgroundRead watches the connection while the handler runs, as
// net/http does for every request: a read that fails (the client left)
// cancels the request's context. A byte it reads (a pipelined request)
// is kept for the next request. The front starts it only when something
// waits on the context (reqCtx.Done): the router's fast path does so
// only for a request slower than its watchAfter.
func (c *clientConn) startBackgroundRead(cancel context.CancelFunc) {
	done := make(chan struct{})
	c.bgDone = done
	c.setReadDeadline(time.Time{}, 0)
	go func() {
		defer close(done)
		n, err := c.conn.Read(c.raw.one[:])
		c.raw.has = n == 1
		if err != nil && !c.bgAborted.Load() {
			c.raw.err = err
			cancel()
		}
	}()
}

func (c *clientConn) logPanic(p any) {
	buf := make([]byte, 64<<10)
	buf = buf[:runtime.Stack(buf, false)]
	msg := "http: panic serving " + c.remote + ": %v\n%s"
	if l := c.s.srv.ErrorLog; l != nil {
		l.Printf(msg, p, buf)
		return
	}
	log.Printf(msg, p, buf)
}

// handedConn is a connection handed to net/http: its reads start with
// what the front had buffered.
type handedConn struct {
	net.Conn
	r   io.Reader
	tls *tls.ConnectionState // the handshake's, over TLS (carryTLS)
}

func (c *handedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// CloseWrite half-closes the connection, as net/http does before closing
// one whose client may still be sending (after a 400 or 431), so that
// the answer is not lost to a reset.
func (c *handedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
