package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/router/edge"
	"github.com/slipway-dev/slipway/router/front"
	"github.com/slipway-dev/slipway/secret"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// certsDir is the data folder's certificate storage, shared by every
// environment's edge (router/edge).
const certsDir = "certs"

// accessLogDir holds each environment's access log (ENV.log, rotated by
// size) with --router-access-log.
const accessLogDir = "access"

// tlsEdge is an environment's TLS listener and the edge in front of its
// router. The edge in force is built from the tls: section of the spec
// the environment's store last applied (none: routes' own certificates
// only), and replaced when an apply changes it; one that cannot start
// (an unreachable ACME directory) leaves the one in force serving, and
// says so in an event.
type tlsEdge struct {
	ln   atomic.Pointer[tlsListener] // replaced when tls.address changes (moveTLS, closeTLS)
	wake chan struct{}               // told when ln is replaced (buffered 1)
	// addrSeen is the apply whose tls.address the listener follows
	// (followAddress); only followTLS's goroutine uses it.
	addrSeen time.Time
	cur      atomic.Pointer[edgeState]
	routes   atomic.Pointer[[]router.Route] // the router's latest table

	mu      sync.Mutex // guards lastErr
	lastErr string     // the last Update error logged, to log a change once
}

// edgeState is one edge in force.
type edgeState struct {
	e         *edge.Edge
	conf      string    // the tls: section it was built from, as JSON
	appliedAt time.Time // the apply it was built for
	plain     http.Handler
	secure    http.Handler
	cancel    context.CancelFunc
}

// RouterTLSAddr returns the default environment's TLS router address
// once Ready ("" without --router-tls).
func (s *Server) RouterTLSAddr() string {
	if s.tlsLn == nil {
		return ""
	}
	return s.tlsLn.Addr().String()
}

// plainHandler is the router's plain listener handler: the edge's
// (ACME's HTTP-01, redirects) once one is in force.
func (t *tlsEdge) plainHandler(rt http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if cur := t.cur.Load(); cur != nil {
			cur.plain.ServeHTTP(w, req)
			return
		}
		rt.ServeHTTP(w, req)
	})
}

// tlsServer is the server of p's TLS listener: the router's front
// (HTTP/1.1 takes its fast path, as on the plain listener; HTTP/2 goes
// to net/http's server), where the edge in force answers.
func (s *Server) tlsServer(p *parts) *front.Server {
	t := p.tls
	return front.New(&http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if cur := t.cur.Load(); cur != nil {
				cur.secure.ServeHTTP(w, req)
				return
			}
			http.Error(w, "503 Service Unavailable: TLS is starting", http.StatusServiceUnavailable)
		}),
		ReadHeaderTimeout: routerHeaderTimeout, // bounds the handshake too
		IdleTimeout:       routerIdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelDebug),
	})
}

// tlsConfig is the handshake's configuration of p's TLS listener: the
// edge in force's (certificate by SNI, client certificates per host,
// ALPN h2, http/1.1 and acme-tls/1).
func (s *Server) tlsConfig(p *parts) *tls.Config {
	t := p.tls
	return &tls.Config{
		NextProtos: []string{"h2", "http/1.1"},
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			if cur := t.cur.Load(); cur != nil {
				return cur.e.ConfigForClient(hello)
			}
			return nil, errors.New("TLS is starting")
		},
	}
}

// followTLS rebuilds the edge on every apply that changes the tls:
// section.
func (s *Server) followTLS(ctx context.Context, p *parts) {
	for {
		changed := p.store.Changed()
		if err := s.syncTLS(ctx, p); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("TLS edge", "env", p.name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// syncTLS puts the applied spec's tls: section in force when it
// changed.
func (s *Server) syncTLS(ctx context.Context, p *parts) error {
	var app store.App
	err := p.store.View(ctx, func(tx store.Tx) error {
		var err error
		app, err = tx.GetApp()
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	cur := p.tls.cur.Load()
	if cur != nil && cur.appliedAt.Equal(app.AppliedAt) || p.tls.idleFor(app) {
		return nil
	}
	conf := spec.TLS{}
	if app.Spec != "" {
		parsed, err := spec.ParseWith(app.File, []byte(app.Spec), spec.Options{Environment: p.name, MaxInstancesPerService: -1})
		if err != nil {
			return err
		}
		parsed.ResolveFiles(app.Dir)
		if t := parsed.TLSFor(p.name); t != nil {
			conf = *t
		}
	}
	// The listener before the edge, which is built for its address.
	if p.name != spec.DefaultEnvironment && !s.followAddress(ctx, p, app, conf.Address) {
		return nil
	}
	key, _ := json.Marshal(conf)
	if cur != nil && cur.conf == string(key) {
		next := *cur
		next.appliedAt = app.AppliedAt
		p.tls.cur.Store(&next)
		return nil
	}
	next, err := s.newEdge(ctx, p, conf, app.Dir)
	if err != nil {
		s.tlsEvent(ctx, p, store.EventTLSConfigFailed, store.CertificateData{Error: err.Error()},
			"the tls: section is not in force, the router serves TLS as before: "+err.Error())
		if cur != nil {
			kept := *cur // not retried until the next apply
			kept.appliedAt = app.AppliedAt
			p.tls.cur.Store(&kept)
			return nil
		}
		// Nothing in force yet: serve the routes' own certificates (the
		// next apply tries the tls: section again).
		if next, err = s.newEdge(ctx, p, spec.TLS{RedirectHTTP: conf.RedirectHTTP, HSTS: conf.HSTS}, app.Dir); err != nil {
			return err
		}
		key = nil
	}
	next.conf, next.appliedAt = string(key), app.AppliedAt
	if old := p.tls.cur.Swap(next); old != nil {
		old.cancel()
		old.e.Close()
	}
	return nil
}

// newEdge builds and starts an edge for conf, with the current routes;
// dir is the applied spec's folder.
func (s *Server) newEdge(ctx context.Context, p *parts, conf spec.TLS, dir string) (*edgeState, error) {
	cfg := edge.Config{
		PlainAddr: p.routerAddr, TLSAddr: p.tls.listener().Addr().String(),
		Storage:      filepath.Join(s.cfg.DataDir, certsDir),
		RedirectHTTP: conf.RedirectHTTP,
		Logger:       s.cfg.Logger.With("env", p.name),
		OnEvent:      func(ev edge.Event) { s.certificateEvent(ctx, p, ev) },
	}
	if conf.HSTS != nil {
		cfg.HSTS = conf.HSTS.Header()
	}
	if a := conf.ACME; a != nil {
		cfg.ACME = &edge.ACME{Directory: a.Directory, Email: a.Email, CARoot: a.CARoot}
		if a.DNS != nil {
			d, err := s.dnsHook(p, a.DNS, dir)
			if err != nil {
				return nil, err
			}
			cfg.ACME.DNS = d
		}
	}
	e, err := edge.New(cfg)
	if err != nil {
		return nil, err
	}
	ectx, cancel := context.WithCancel(ctx)
	if err := e.Start(ectx); err != nil {
		cancel()
		e.Close()
		return nil, err
	}
	if rs := p.tls.routes.Load(); rs != nil {
		p.tls.logUpdate(s.cfg.Logger, p.name, e.Update(*rs))
	}
	return &edgeState{e: e, plain: e.Plain(p.handler), secure: e.Secure(p.handler), cancel: cancel}, nil
}

// dnsHook is the edge's DNS-01 hook for d: run in the spec's folder, as
// the environment's unprivileged hook user when the server is root,
// its env's secrets revealed (latest versions) for each run.
func (s *Server) dnsHook(p *parts, d *spec.ACMEDNS, dir string) (*edge.DNS, error) {
	start, err := s.users.StartFunc(p.name, dnsHookUser, "")
	if err != nil {
		return nil, fmt.Errorf("tls.acme.dns: %w", err)
	}
	vault := secret.Vault{Store: p.store, Box: s.secrets}
	h := &edge.DNS{Command: d.Exec, Env: d.Env, Dir: dir, Start: start, Resolvers: d.Resolvers,
		Reveal: func(ctx context.Context, name string) (string, error) { return vault.Reveal(ctx, name, 0) }}
	if d.PropagationTimeout != nil {
		h.PropagationTimeout = d.PropagationTimeout.Duration
	}
	return h, nil
}

// dnsHookUser keys the DNS-01 hook's dynamic user (process.Users): a
// service name cannot hold a dot, so it is no service's.
const dnsHookUser = "tls.acme.dns"

// setRoutes hands the router's new table to the edge in force.
func (t *tlsEdge) setRoutes(routes []router.Route, log *slog.Logger, env string) {
	t.routes.Store(&routes)
	if cur := t.cur.Load(); cur != nil {
		t.logUpdate(log, env, cur.e.Update(routes))
	}
}

// logUpdate logs an Update error once, until it changes.
func (t *tlsEdge) logUpdate(log *slog.Logger, env string, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if msg != t.lastErr && msg != "" {
		log.Warn("TLS edge keeps the certificates it served", "env", env, "err", msg)
	}
	t.lastErr = msg
}

// certificateEvent records an edge's certificate news in the
// environment's event log.
func (s *Server) certificateEvent(ctx context.Context, p *parts, ev edge.Event) {
	data := store.CertificateData{Host: ev.Host, Renewal: ev.Renewal, Error: ev.Err}
	switch ev.Kind {
	case edge.Obtained:
		msg := "certificate obtained for " + ev.Host
		if ev.Renewal {
			msg = "certificate renewed for " + ev.Host
		}
		s.tlsEvent(ctx, p, store.EventCertificateObtained, data, msg)
	case edge.Failed:
		msg := "no certificate for " + ev.Host + ": " + ev.Err
		if ev.Renewal {
			msg = "renewing the certificate of " + ev.Host + " failed; the current one is still served: " + ev.Err
		}
		s.tlsEvent(ctx, p, store.EventCertificateFailed, data, msg)
	}
}

func (s *Server) tlsEvent(ctx context.Context, p *parts, typ store.EventType, data store.CertificateData, msg string) {
	raw, _ := json.Marshal(data)
	err := p.store.Update(ctx, func(tx store.Tx) error {
		_, err := tx.AppendEvent(store.Event{Time: s.cfg.Clock.Now(), Type: typ, Message: msg, By: "router", Data: raw})
		return err
	})
	if err != nil && ctx.Err() == nil {
		s.cfg.Logger.Warn("record TLS event", "env", p.name, "err", err)
	}
}
