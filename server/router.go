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

// serveRouter serves user traffic until ctx ends, then lets requests in
// flight finish (up to 10s). The router's front serves the fast path's
// requests; the server takes every connection the front hands over.
func (s *Server) serveRouter(ctx context.Context, ln net.Listener, rt *router.Router) {
	srv := &http.Server{
		Handler:           rt,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	fr := front.New(srv)
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
