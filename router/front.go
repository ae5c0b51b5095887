package router

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Front serves a Router's listener. It reads requests itself and serves
// those the fast path takes (frontparse.go) with none of net/http's
// per-request machinery: no background reader goroutine, no per-request
// context and buffered writer, one header map reused per connection. The
// first request it does not serve hands its whole connection, with the
// bytes read so far, to an http.Server for the rest of its life: bodies,
// upgrades, 100-continue, malformed requests and their 400s are all
// net/http's. The front and that server answer the same requests the
// same way (front_test.go).
//
// Its timeouts are the server's: ReadHeaderTimeout (from the first byte
// of a request to its blank line; the first request's from accept) and
// IdleTimeout (between requests).
type Front struct {
	rt  *Router
	srv *http.Server // serves the handed-off connections; Handler is rt

	mu       sync.Mutex // guards ln and conns
	ln       net.Listener
	conns    map[*frontConn]struct{}
	shutdown atomic.Bool
	handoff  *handoffListener
	dates    dateCache // the answers' Date
}

// NewFront returns a Front serving rt, handing connections to srv, whose
// Handler must be rt and whose ReadHeaderTimeout and IdleTimeout the
// front applies too.
func NewFront(rt *Router, srv *http.Server) *Front {
	return &Front{rt: rt, srv: srv, conns: map[*frontConn]struct{}{}}
}

// Serve accepts connections on ln until Shutdown or Close, or until
// accepting fails; it returns http.ErrServerClosed after Shutdown or
// Close. The handing-off server runs as long.
func (f *Front) Serve(ln net.Listener) error {
	f.mu.Lock()
	if f.shutdown.Load() {
		f.mu.Unlock()
		return http.ErrServerClosed
	}
	f.ln = ln
	f.handoff = newHandoffListener(ln.Addr())
	f.mu.Unlock()
	srvDone := make(chan struct{})
	go func() {
		defer close(srvDone)
		_ = f.srv.Serve(f.handoff) // ends when the front shuts it down
	}()
	err := f.accept(ln)
	if !f.shutdown.Load() {
		_ = f.srv.Close()
	}
	<-srvDone
	return err
}

// accept runs the accept loop, backing off on temporary errors as
// net/http does.
func (f *Front) accept(ln net.Listener) error {
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if f.shutdown.Load() {
				return http.ErrServerClosed
			}
			var te interface{ Temporary() bool } // EMFILE and the like, as net/http retries them
			if errors.As(err, &te) && te.Temporary() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		fc := newFrontConn(f, c)
		if !f.track(fc, true) {
			_ = c.Close()
			continue
		}
		go fc.serve()
	}
}

// track adds or removes a connection; adding fails once shutting down.
func (f *Front) track(c *frontConn, add bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !add {
		delete(f.conns, c)
		return true
	}
	if f.shutdown.Load() {
		return false
	}
	f.conns[c] = struct{}{}
	return true
}

// Shutdown stops accepting, closes idle connections, and waits for the
// requests in flight on the front's and the server's connections, until
// ctx ends.
func (f *Front) Shutdown(ctx context.Context) error {
	f.closeListener()
	srvErr := make(chan error, 1)
	go func() { srvErr <- f.srv.Shutdown(ctx) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !f.closeIdle() {
		select {
		case <-ctx.Done():
			<-srvErr
			return ctx.Err()
		case <-tick.C:
		}
	}
	return <-srvErr
}

// Close closes the listener and every connection at once.
func (f *Front) Close() error {
	f.closeListener()
	err := f.srv.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		_ = c.conn.Close()
	}
	return err
}

func (f *Front) closeListener() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shutdown.Store(true)
	if f.ln != nil {
		_ = f.ln.Close()
	}
}

// closeIdle closes the connections waiting for a request (new ones only
// after 5s, as net/http), and reports whether none is left.
func (f *Front) closeIdle() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		if c.closeIfIdle() {
			delete(f.conns, c)
		}
	}
	return len(f.conns) == 0
}

// handoffListener is the http.Server's listener: it accepts the
// connections the front hands over.
type handoffListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }

// give hands c to the server; c is closed when the server is gone.
func (l *handoffListener) give(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		_ = c.Close()
	}
}
