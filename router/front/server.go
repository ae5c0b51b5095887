package front

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves a listener in front of an http.Server. It reads
// requests itself and serves those it can read with certainty as
// net/http would (parse.go) with none of net/http's per-request
// machinery: no background reader goroutine, no per-request context and
// buffered writer, one header map reused per connection. The first
// request it does not serve hands its whole connection, with the bytes
// read so far, to the http.Server for the rest of its life: bodies,
// upgrades, 100-continue, malformed requests and their 400s are all
// net/http's. The two answer the same requests the same way
// (server_test.go).
//
// Its timeouts are the http.Server's: ReadHeaderTimeout (from the first
// byte of a request to its blank line; the first request's from accept)
// and IdleTimeout (between requests).
type Server struct {
	handler http.Handler // srv's, for the requests the front serves
	srv     *http.Server // serves the handed-off connections

	mu       sync.Mutex // guards ln and conns
	ln       net.Listener
	conns    map[*clientConn]struct{}
	shutdown atomic.Bool
	handoff  *handoffListener
	dates    dateCache    // the answers' Date
	parked   atomic.Int64 // connections idle without buffers (idle.go)
	idler    *idler       // where they wait (nil: on goroutines of their own)

	// Over TLS (ServeTLS): the handshake's configuration, and the HTTP/2
	// server the connections that chose h2 are handed to (nil: plain).
	tlsConf *tls.Config
	h2      *http.Server
	h2off   *handoffListener
}

// New returns a Server that serves srv.Handler (http.DefaultServeMux
// when nil) itself and hands connections to srv, applying srv's
// ReadHeaderTimeout and IdleTimeout too. srv must not be served
// otherwise, and its Handler not changed. New turns srv's keep-alive
// off: a connection handed to it serves one request, so that every
// request head is judged by the front first (framing.go).
//
// The handler must not change its header map between WriteHeader and
// the first Write or Flush, but to declare trailers after a Flush:
// unlike net/http, the front writes the headers from the handler's map
// when the first bytes go out rather than copying it at WriteHeader.
// The router's handler keeps to that.
func New(srv *http.Server) *Server {
	h := srv.Handler
	if h == nil {
		h = http.DefaultServeMux
	}
	srv.SetKeepAlivesEnabled(false) // a handed-off connection serves one request (framing.go)
	return &Server{handler: h, srv: srv, conns: map[*clientConn]struct{}{}}
}

// Serve accepts connections on ln until Shutdown or Close, or until
// accepting fails; it returns http.ErrServerClosed after Shutdown or
// Close. The handing-off server runs as long.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		return http.ErrServerClosed
	}
	s.ln = ln
	s.handoff = newHandoffListener(ln.Addr())
	if s.idler == nil {
		s.idler = newIdler()
	}
	s.mu.Unlock()
	if ll, ok := ln.(*limitListener); ok {
		ll.reclaim = s.closeOneIdle
	}
	srvDone := make(chan struct{})
	go func() {
		defer close(srvDone)
		_ = s.srv.Serve(s.handoff) // ends when the front shuts it down
	}()
	err := s.accept(ln)
	if !s.shutdown.Load() {
		_ = s.srv.Close()
	}
	<-srvDone
	return err
}

// accept runs the accept loop, backing off on temporary errors as
// net/http does.
func (s *Server) accept(ln net.Listener) error {
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.shutdown.Load() {
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
		if s.tlsConf != nil {
			c = tls.Server(newHeldConn(c), s.tlsConf) // the handshake is the connection's goroutine's
		}
		fc := newClientConn(s, c)
		if !s.track(fc, true) {
			_ = c.Close()
			continue
		}
		go fc.serve()
	}
}

// track adds or removes a connection; adding fails once shutting down.
func (s *Server) track(c *clientConn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.conns, c)
		return true
	}
	if s.shutdown.Load() {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

// Shutdown stops accepting, closes idle connections, and waits for the
// requests in flight on the front's and the server's connections, until
// ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeListener()
	srvErr := make(chan error, 1)
	go func() { srvErr <- errors.Join(s.srv.Shutdown(ctx), s.shutdownH2(ctx)) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !s.closeIdle() {
		select {
		case <-ctx.Done():
			<-srvErr
			return ctx.Err() // the idler keeps the connections left until Close
		case <-tick.C:
		}
	}
	s.stopIdler() // none is left to wait
	return <-srvErr
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	s.closeListener()
	err := s.srv.Close()
	if h2 := s.h2Server(); h2 != nil {
		err = errors.Join(err, h2.Close())
	}
	s.mu.Lock()
	for c := range s.conns {
		_ = c.conn.Close()
	}
	s.mu.Unlock()
	s.stopIdler()
	return err
}

// forgetIdle takes c, which the server closed, out of the idler.
func (s *Server) forgetIdle(c *clientConn) {
	if s.idler != nil {
		s.idler.forget(c)
	}
}

func (s *Server) stopIdler() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idler != nil {
		s.idler.stop()
	}
}

// shutdownH2 shuts the HTTP/2 server down, if ServeTLS made one.
func (s *Server) shutdownH2(ctx context.Context) error {
	if h2 := s.h2Server(); h2 != nil {
		return h2.Shutdown(ctx)
	}
	return nil
}

func (s *Server) h2Server() *http.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h2
}

func (s *Server) closeListener() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutdown.Store(true)
	if s.ln != nil {
		_ = s.ln.Close()
	}
}

// closeIdle closes the connections waiting for a request (new ones only
// after 5s, as net/http), and reports whether none is left.
func (s *Server) closeIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.closeIfIdle() {
			delete(s.conns, c)
		}
	}
	return len(s.conns) == 0
}

// reclaimScan bounds the connections closeOneIdle looks at: enough to
// find an idle one under a flood, little work per new connection
// however many are open.
const reclaimScan = 64

// closeOneIdle closes one idle connection to make room for a new one:
// among up to reclaimScan connections (in the map's random order), the
// oldest that sent no request yet, else one waiting between requests.
// It reports whether it closed one.
func (s *Server) closeOneIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fresh, idle *clientConn
	n := 0
	for c := range s.conns {
		switch connState(c.state.Load()) {
		case connNew:
			if fresh == nil || c.born.Before(fresh.born) {
				fresh = c
			}
		case connIdle:
			idle = c
		}
		if n++; n == reclaimScan {
			break
		}
	}
	for _, c := range []*clientConn{fresh, idle} {
		if c != nil && (c.state.CompareAndSwap(int32(connNew), int32(connClosed)) ||
			c.state.CompareAndSwap(int32(connIdle), int32(connClosed))) {
			_ = c.conn.Close()
			delete(s.conns, c)
			s.forgetIdle(c)
			return true
		}
	}
	return false
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
