package server

// The API: its TCP listener and the HTTP server over it and the Unix
// sockets, with the dashboard and OFREP beside the versioned API.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/dashboard"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/internal/ratelimit"
)

// listen opens a TCP listener for what flag names (a flag such as --api,
// or a spec field), saying what to change when the address is taken.
func listen(flag, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s %s: the address is already in use (another slipway server?); choose another with %s", flag, addr, flag)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, addr, err)
	}
	return ln, nil
}

// serve serves the API on the TCP listener ln (bearer tokens) and the
// Unix sockets socks (peer credentials) until ctx ends.
func (s *Server) serve(ctx context.Context, ln net.Listener, socks []net.Listener, envs *hosted, tokens *tokenAdmin, gid int) error {
	var dash *dashboard.Dashboard // LoginLink runs once both exist
	limit := ratelimit.New(s.cfg.APIRate, s.cfg.APIBurst, s.cfg.Clock.Now)
	h := httpapi.New(httpapi.Config{
		LoginLink: func(p httpapi.Principal) (api.LoginLink, error) { return s.loginLink(&dash, p) },
		Artifacts: s.artifacts, Images: s.images, Clock: s.cfg.Clock, Tokens: s.keys, TokenAdmin: tokens, Logger: s.cfg.Logger,
		Limit: limit, DataDir: absPath(s.cfg.DataDir),
		Envs: envs, Pipeline: s.pipeline, Backup: envs.backup,
		Limits:  httpapi.Limits{MaxInstancesPerService: s.cfg.MaxInstancesPerService, MaxInstances: s.cfg.MaxInstances},
		Routers: httpapi.RouterPolicy{AllowPublic: s.cfg.AllowPublicRouter, Allowed: s.cfg.AllowedRouters},
		Secrets: s.secrets, Links: s.links,
	})
	hub := envs.hub()
	mux := http.NewServeMux()
	evals := ratelimit.New(s.cfg.OFREPRate, s.cfg.OFREPBurst, s.cfg.Clock.Now)
	mux.Handle("/ofrep/", s.ofrepGuard(hub.flagMux, evals)) // any token, evaluators' included
	mux.Handle("/envs/{env}/ofrep/", s.ofrepGuard(http.HandlerFunc(envs.ofrepFor), evals))
	dash = dashboard.New(dashboard.Config{API: h, AsUser: dashboardAsUser, InProcess: httpapi.InProcess, Allow: limit.Allow,
		Clock: s.cfg.Clock, Logger: s.cfg.Logger, Changes: dashboardChanges(envs)})
	mux.Handle("/", dash) // the dashboard's pages; /v1/ and /metrics go on to h
	// Requests' contexts end with ctx, so that streams (events, logs)
	// end at shutdown instead of outliving the store.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx },
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return peer(ctx, c, gid) }}
	srv.RegisterOnShutdown(func() { // flag event streams end, or Shutdown waits on them
		for _, p := range envs.all() {
			p.closeFlags()
		}
	})
	s.mu.Lock()
	s.addr = ln.Addr().String()
	s.mu.Unlock()
	close(s.ready)
	s.cfg.Logger.Info("slipway server ready", "api", "http://"+s.addr, "sockets", socketPaths(socks),
		"token", client.AdminTokenFor(s.cfg.DataDir), "data", s.cfg.DataDir)
	errc := make(chan error, 1+len(socks))
	go func() { errc <- srv.Serve(ln) }()
	for _, sock := range socks {
		go func() { errc <- srv.Serve(sock) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
	}
	return nil
}
