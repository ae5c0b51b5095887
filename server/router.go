package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/router/front"
)

// The router's timeouts for clients that send nothing (the front's and
// net/http's alike): a connection's first head must be whole within
// routerHeaderTimeout of its accept (and every later head within as
// long of its first byte), and a keep-alive connection may wait for
// its next request routerIdleTimeout (nginx: 60s and 75s).
const (
	routerHeaderTimeout = 10 * time.Second
	routerIdleTimeout   = 60 * time.Second
)

// serveRouter serves user traffic with handler (rt, or the TLS edge's
// plain handler in front of it) until ctx ends, then lets requests in
// flight finish (up to 10s). The router's front serves the fast path's
// requests; the server takes every connection the front hands over.
// Connections are admitted by s.conns (the routers' connection limits).
func (s *Server) serveRouter(ctx context.Context, ln net.Listener, rt *router.Router, handler http.Handler) {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: routerHeaderTimeout,
		IdleTimeout:       routerIdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	fr := front.New(srv)
	if s.conns != nil {
		ln = s.conns.Listener(ln)
	}
	go func() { errc <- fr.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logger.Error("router stopped", "err", err)
		}
		return
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fr.Shutdown(shutdown); err != nil {
		_ = fr.Close()
	}
	rt.Close()
}

// RouterAddr returns the router's address once Ready.
func (s *Server) RouterAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.routerAddr
}
