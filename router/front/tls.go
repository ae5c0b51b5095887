package front

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/internal/turn"
)

// ServeTLS serves ln as Serve does, over TLS with config: each
// connection's handshake first, on its own goroutine and bounded by the
// http.Server's ReadHeaderTimeout (from accept, as the first head's),
// then by the protocol ALPN chose:
//
//   - "http/1.1", or none: served by the front exactly as a plain
//     connection (fast path, hand-off to the http.Server for the rest),
//     each request carrying the handshake's state in req.TLS;
//   - "h2": handed whole to an HTTP/2 server of its own (net/http's,
//     with the http.Server's handler, timeouts and limits, and its
//     keep-alive on, which the hand-off server has off);
//   - anything else (acme-tls/1: a TLS-ALPN-01 validation, answered in
//     the handshake by the certificate): closed.
//
// config must offer the protocols (NextProtos, or the configs its
// GetConfigForClient returns).
func (s *Server) ServeTLS(ln net.Listener, config *tls.Config) error {
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		return http.ErrServerClosed
	}
	s.tlsConf = config
	s.h2 = h2Server(s.srv, s.handler)
	s.h2off = newHandoffListener(ln.Addr())
	s.mu.Unlock()
	h2Done := make(chan struct{})
	go func() {
		defer close(h2Done)
		_ = s.h2.Serve(s.h2off) // ends when the front shuts it down
	}()
	s.carryTLS()
	err := s.Serve(ln)
	if !s.shutdown.Load() {
		_ = s.h2.Close()
	}
	<-h2Done
	return err
}

// h2Server is the HTTP/2 server of ServeTLS: srv's handler, timeouts,
// limits and logger, keep-alive on. Its TLSConfig stays nil so that
// Serve configures HTTP/2 for the *tls.Conn it is given (net/http does
// so for a listener of already-made TLS connections).
func h2Server(srv *http.Server, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           bodiless(h),
		ReadTimeout:       srv.ReadTimeout,
		ReadHeaderTimeout: srv.ReadHeaderTimeout,
		WriteTimeout:      srv.WriteTimeout,
		IdleTimeout:       srv.IdleTimeout,
		MaxHeaderBytes:    srv.MaxHeaderBytes,
		HTTP2:             srv.HTTP2,
		ErrorLog:          srv.ErrorLog,
		BaseContext:       srv.BaseContext,
		ConnContext:       srv.ConnContext,
	}
}

// bodiless gives an HTTP/2 request that has no body (its stream ended
// with its headers, or it declared a length of 0) http.NoBody, as
// net/http's HTTP/1 server does, where the HTTP/2 server gives every
// request a body of its own: the router then serves it on its fast path
// (router.fastPathOK takes only bodiless requests) rather than through
// its ReverseProxy.
func bodiless(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.ContentLength == 0 && req.Body != nil && req.Body != http.NoBody {
			req.Body = http.NoBody // the server's own request, before any handler saw it
		}
		next.ServeHTTP(w, req)
	})
}

// carryTLS makes the hand-off server give its requests the TLS state of
// their connection: net/http sets req.TLS only for a *tls.Conn, and
// a connection handed over comes wrapped (its buffered bytes first).
// It is set before the server serves.
func (s *Server) carryTLS() {
	prev := s.srv.ConnContext
	s.srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if prev != nil {
			ctx = prev(ctx, c)
		}
		if hc, ok := c.(*handedConn); ok && hc.tls != nil {
			ctx = context.WithValue(ctx, tlsStateKey{}, hc.tls)
		}
		return ctx
	}
	next := s.srv.Handler
	if next == nil {
		next = http.DefaultServeMux
	}
	s.srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if st, ok := req.Context().Value(tlsStateKey{}).(*tls.ConnectionState); ok && req.TLS == nil {
			req.TLS = st // the server's own request, before any handler saw it
		}
		next.ServeHTTP(w, req)
	})
}

// tlsStateKey keys a handed-off connection's TLS state in its context.
type tlsStateKey struct{}

// handshake makes a TLS connection's handshake, bounded by the header
// timeout from accept, and reports whether the front serves the
// connection: false when it failed, was handed to the HTTP/2 server, or
// negotiated a protocol that is no HTTP (closed). A plain connection is
// served as it is.
func (c *clientConn) handshake() (serve, handedOff bool) {
	tc, ok := c.conn.(*tls.Conn)
	if !ok {
		return true, false
	}
	if d := c.s.srv.ReadHeaderTimeout; d > 0 {
		_ = c.conn.SetDeadline(c.born.Add(d))
	}
	if err := tc.Handshake(); err != nil {
		var re tls.RecordHeaderError
		if errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader) {
			_, _ = io.WriteString(re.Conn, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
			return false, false // as net/http answers plain HTTP on its TLS port
		}
		c.logf("http: TLS handshake error from %s: %v", c.remote, err)
		return false, false
	}
	_ = c.conn.SetWriteDeadline(time.Time{})
	st := tc.ConnectionState()
	switch st.NegotiatedProtocol {
	case "", "http/1.1":
		c.tls = &st
		return true, false
	case "h2":
		c.s.track(c, false)
		if c.out.under != nil {
			c.out.under.sent = nil // holds nothing for it: let c go
		}
		c.s.h2off.give(tc)
		return false, true
	}
	return false, false // acme-tls/1: the handshake was the answer
}

// looksLikeHTTP reports whether a TLS record's header is the start of a
// plain HTTP request (net/http's tlsRecordHeaderLooksLikeHTTP).
func looksLikeHTTP(h [5]byte) bool {
	switch string(h[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}

// logf logs to the http.Server's ErrorLog, as net/http does.
func (c *clientConn) logf(format string, args ...any) {
	if l := c.s.srv.ErrorLog; l != nil {
		l.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// heldConn is a TLS connection's socket, beneath crypto/tls. The last
// answer on a keep-alive connection, sealed, is held (hold, set by
// outWriter while the front flushes it) and sent from inside the wait
// for the next request's bytes (turn.Socket.WriteRead), as rawReader
// does on a plain connection: the read that would find nothing is never
// made. Any other write sends what is held first.
type heldConn struct {
	net.Conn
	rc   syscall.RawConn
	sock *turn.Socket
	hold bool
	held []byte // a copy: crypto/tls reuses its buffer
	sent func() // the front's: the answer is out
}

// newHeldConn wraps c, or returns it as it is when it has no socket.
func newHeldConn(c net.Conn) net.Conn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return c
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return c
	}
	return &heldConn{Conn: c, rc: rc, sock: turn.NewSocket(rc)}
}

func (h *heldConn) Write(p []byte) (int, error) {
	if h.hold {
		h.held = append(h.held, p...)
		return len(p), nil
	}
	if err := h.flush(); err != nil {
		return 0, err
	}
	return h.Conn.Write(p)
}

func (h *heldConn) Read(p []byte) (int, error) {
	if len(h.held) == 0 || len(p) == 0 {
		return h.Conn.Read(p)
	}
	held := h.held
	h.held = h.held[:0]
	return sendAndRead(h.sock, h.Conn, held, p, h.sent)
}

// flush writes what is held, if anything.
func (h *heldConn) flush() error {
	if len(h.held) == 0 {
		return nil
	}
	held := h.held
	h.held = h.held[:0]
	_, err := h.Conn.Write(held)
	return err
}

// holdBeneath makes c's answers held beneath crypto/tls (heldConn) and
// its idle waits made on the socket, when tc's socket allows.
func (c *clientConn) holdBeneath(tc *tls.Conn) {
	h, ok := tc.NetConn().(*heldConn)
	if !ok {
		return
	}
	h.sent = c.raw.sent
	c.out.under, c.raw.sock, c.rc = h, h.sock, h.rc // raw.sock: serveOne holds the answer
}
