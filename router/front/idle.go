package front

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"
)

// idleRelease is how long a connection waits for a request with its
// buffers. Past it the connection gives them back and waits with none,
// as nginx frees an idle keep-alive connection's buffers: 10,000 idle
// connections then hold no 8 KiB each. A client that keeps its
// connection busy never reaches it (the next request comes within
// milliseconds), so the fast path pays nothing for it: the wait's
// deadline is this one rather than the idle timeout's.
const idleRelease = 100 * time.Millisecond

// The connections' buffers, taken when a connection starts or wakes
// and given back when it idles or ends.
var (
	readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, bufSize) }}
	writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, bufSize) }}
	headers = sync.Pool{New: func() any { return make(http.Header, 16) }} // about 1.8 KiB each
)

// takeBuffers gives the connection its reader and writer.
func (c *clientConn) takeBuffers() {
	c.br = readers.Get().(*bufio.Reader)
	c.br.Reset(&c.raw)
	c.bw = writers.Get().(*bufio.Writer)
	c.bw.Reset(&c.out)
	c.w.bw, c.w.h = c.bw, headers.Get().(http.Header)
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
	c.br, c.bw = nil, nil
	c.w = responseWriter{shutdown: c.w.shutdown, dates: c.w.dates}
}

// waitForRequest waits, from now until the deadline (none when zero),
// for the first byte of a request, and reports whether it came. Past
// idleRelease it waits without buffers (parkIdle).
func (c *clientConn) waitForRequest(now, until time.Time) bool {
	release := now.Add(idleRelease)
	if c.rc == nil || !until.IsZero() && !release.Before(until) {
		_ = c.conn.SetReadDeadline(until)
		_, err := c.br.Peek(1)
		return err == nil
	}
	_ = c.conn.SetReadDeadline(release)
	_, err := c.br.Peek(1)
	switch {
	case err == nil:
		return true
	case !errors.Is(err, os.ErrDeadlineExceeded) || c.out.held != nil:
		return false
	}
	if err := c.parkIdle(until); err != nil {
		return false
	}
	_ = c.conn.SetReadDeadline(until)
	_, err = c.br.Peek(1)
	return err == nil
}

// parkIdle gives the connection's buffers back, waits until the socket
// has something to read (a request, or its end) or the deadline passes,
// and takes buffers again.
func (c *clientConn) parkIdle(until time.Time) error {
	c.putBuffers()
	c.s.parked.Add(1)
	defer func() {
		c.s.parked.Add(-1)
		c.takeBuffers()
	}()
	_ = c.conn.SetReadDeadline(until)
	return waitReadable(c.rc)
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
		_, _, err := syscall.Recvfrom(int(fd), one[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return !errors.Is(err, syscall.EAGAIN)
	})
}
