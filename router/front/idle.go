package front

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/internal/turn"
)

// idleRelease is how long a connection waits for a request with its
// buffers. Past it the connection gives them back and waits with none,
// as nginx frees an idle keep-alive connection's buffers: 10,000 idle
// connections then hold no 8 KiB each. A client that keeps its
// connection busy never reaches it (the next request comes within
// milliseconds), so the fast path pays nothing for it: the wait's
// deadline is this one rather than the idle timeout's.
const idleRelease = 100 * time.Millisecond

// releaseLazy is how much sooner than idleRelease a connection may give
// its buffers back: the wait's deadline is kept while it is within
// releaseLazy of the one asked (setReadDeadline). A busy connection
// waits every few milliseconds; with lazyDeadline's sixteenth (6 ms) it
// moved its deadline every other request, a runtime timer update and a
// clock read each time (about 0.6% of the router's CPU under
// bench/router). Going idle a little sooner costs nothing but a pooled
// buffer taken again.
const releaseLazy = idleRelease / 4

// The connections' buffers, taken when a connection starts or wakes
// and given back when it idles or ends.
var (
	readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, bufSize) }}
	writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, bufSize) }}
	// An answer's header map is made for 8 fields, Go's map of one group:
	// it is cleared and walked per answer, and that costs a third less
	// than for a map made for 16 (which an answer with more grows to).
	headers  = sync.Pool{New: func() any { return make(http.Header, 8) }}
	requests = sync.Pool{New: func() any { return newRequest() }}
)

// takeBuffers gives the connection its reader and writer.
func (c *clientConn) takeBuffers() {
	c.br = readers.Get().(*bufio.Reader)
	c.br.Reset(&c.raw)
	c.bw = writers.Get().(*bufio.Writer)
	c.bw.Reset(&c.out)
	c.w.bw, c.w.h = c.bw, headers.Get().(http.Header)
	c.mem = requests.Get().(*request)
}

// putBuffers gives the connection's buffers and header map back, and
// lets go of what its last request left (its request, the answer's
// held body). Nothing must be buffered (an idle connection's buffers
// are empty).
func (c *clientConn) putBuffers() {
	if c.br == nil {
		return
	}
	c.br.Reset(nil)
	readers.Put(c.br)
	c.bw.Reset(nil)
	writers.Put(c.bw)
	clear(c.w.h)
	headers.Put(c.w.h)
	c.mem.reset()
	requests.Put(c.mem)
	c.br, c.bw, c.mem = nil, nil, nil
	c.w = responseWriter{shutdown: c.w.shutdown, dates: c.w.dates}
}

// waitResult is how a wait for a request ended.
type waitResult int

const (
	waitCame  waitResult = iota // its first byte is buffered
	waitEnded                   // the connection is to end
	waitIdle                    // none came within idleRelease: go on waiting without buffers (wake)
)

// waitForRequest waits, from now until c.until (none when zero), for
// the first byte of a request; past idleRelease it says waitIdle, and
// the buffers are empty.
func (c *clientConn) waitForRequest(now time.Time) waitResult {
	deadline, lazy, mayIdle := now.Add(idleRelease), releaseLazy, true
	if c.rc == nil || !c.until.IsZero() && !deadline.Before(c.until) {
		deadline, lazy, mayIdle = c.until, lazyDeadline(c.until.Sub(now)), false
	}
	c.setReadDeadline(deadline, lazy)
	_, err := c.br.Peek(1)
	timedOut := errors.Is(err, os.ErrDeadlineExceeded)
	switch {
	case timedOut && c.missed():
		return c.readMissed()
	case timedOut && mayIdle && !c.out.holding():
		return waitIdle
	}
	return peeked(nil, err)
}

// missed reports whether bytes wait on the socket that a wait past its
// deadline did not see: a request the client sent before it got the
// last answer (pipelined while the handler ran), which the wait that
// sent the answer missed (turn.Socket.ReadFirst). The connection then
// pipelines: the next waits read first.
func (c *clientConn) missed() bool {
	if c.rc == nil || c.out.holding() {
		return false
	}
	there := false
	_ = c.rc.Control(func(fd uintptr) { // Control: the deadline passed, Read would not look
		var one [1]byte
		n, err := turn.Peek(int(fd), one[:])
		there = err == nil && n > 0
	})
	if there {
		c.pipelines()
	}
	return there
}

// readMissed reads the request missed finds, within the header timeout.
func (c *clientConn) readMissed() waitResult {
	c.setReadDeadline(deadline(time.Now(), c.s.srv.ReadHeaderTimeout), 0)
	return peeked(c.br.Peek(1))
}

// pipelines notes that the client sends requests before it got the
// answers to those before: from now on the wait that sends an answer
// reads before it waits (turn.Socket.ReadFirst), a system call more
// that a client which waits for its answers does not cost.
func (c *clientConn) pipelines() {
	if c.raw.sock != nil {
		c.raw.sock.ReadFirst = true
	}
}

func peeked(_ []byte, err error) waitResult {
	if err != nil {
		return waitEnded
	}
	return waitCame
}

// idle waits for c's next request without buffers: in the server's
// idler (no goroutine), else on a goroutine of its own (wake).
func (c *clientConn) idle(first bool) {
	c.putBuffers()
	c.parkFirst = first
	c.s.parked.Add(1)
	if d := c.s.idler; d != nil && d.park(c) {
		return
	}
	c.s.parked.Add(-1)
	go c.wake(first)
}

// resume serves, on a new goroutine, a connection the idler saw
// readable.
func (c *clientConn) resume(d *idler, deadline *time.Timer) {
	if deadline != nil {
		deadline.Stop()
	}
	c.s.parked.Add(-1)
	d.unwatch(c)
	c.takeBuffers()
	c.setReadDeadline(c.until, 0)
	if peeked(c.br.Peek(1)) != waitCame {
		c.end()
		return
	}
	c.run(c.parkFirst) // its first byte is buffered: awaitRequest does not wait
}

// wake is the goroutine of an idle connection (run's ended; idle gave
// its buffers back): it waits for the next request without buffers, on a new goroutine's small
// stack (the one that served grew to fit the handler's), and serves it.
func (c *clientConn) wake(first bool) {
	c.s.parked.Add(1)
	c.setReadDeadline(c.until, 0)
	err := waitReadable(c.rc)
	c.s.parked.Add(-1)
	c.takeBuffers()
	if err != nil || peeked(c.br.Peek(1)) != waitCame {
		c.end()
		return
	}
	c.run(first) // its first byte is buffered: awaitRequest does not wait
}

// waitReadable returns once rc has bytes to read, its end, or an error,
// or its read deadline passed (the error). It reads nothing: the first
// look peeks (Go's poller forgot what it saw before the wait began, so
// a request that came just before would not wake it), then it waits
// for the poller.
func waitReadable(rc syscall.RawConn) error {
	looked := false
	return rc.Read(func(fd uintptr) bool {
		if looked {
			return true // the poller saw something: the read says what
		}
		looked = true
		var one [1]byte
		_, err := turn.Peek(int(fd), one[:])
		return !errors.Is(err, syscall.EAGAIN)
	})
}
