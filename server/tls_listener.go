package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/router/front"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// openTLS gives p its TLS listener: --router-tls for the default
// environment (none without it: p.tls stays nil); for another, the
// address its spec's tls: section names (addr, or the stored spec's),
// or none yet. Another environment's listener follows its applied spec
// from then on without a restart (syncTLS): opened when tls.address
// appears, moved when it changes, closed when it goes. An address that
// cannot be listened on leaves the environment without TLS, logged: its
// plain router serves.
func (s *Server) openTLS(ctx context.Context, p *parts, addr string) {
	if p.name == spec.DefaultEnvironment {
		if s.tlsLn != nil {
			p.tls = newTLSEdge(s.tlsLn, "")
		}
		return
	}
	p.tls = newTLSEdge(nil, "")
	if addr == "" {
		addr = storedTLSAddr(ctx, p)
	}
	if addr == "" {
		return
	}
	ln, err := listen("environments."+p.name+".tls.address", addr)
	if err != nil {
		s.cfg.Logger.Error("environment without TLS", "env", p.name, "err", err)
		return
	}
	p.tls.ln.Store(&tlsListener{ln, addr})
}

// tlsListener is a TLS listener and the address it was asked for (the
// spec's form: "localhost:8443" is not what Addr says); a nil Listener
// is none.
type tlsListener struct {
	net.Listener
	asked string
}

func newTLSEdge(ln net.Listener, asked string) *tlsEdge {
	t := &tlsEdge{wake: make(chan struct{}, 1)}
	t.ln.Store(&tlsListener{ln, asked})
	return t
}

// listener is the TLS listener in force; nil when none.
func (t *tlsEdge) listener() net.Listener { return t.ln.Load().Listener }

// setListener puts ln (asked as addr; nil: none) in force, wakes
// serveTLS, and returns the one it replaces (nil: none).
func (t *tlsEdge) setListener(ln net.Listener, addr string) net.Listener {
	old := t.ln.Swap(&tlsListener{ln, addr}).Listener
	select {
	case t.wake <- struct{}{}:
	default:
	}
	return old
}

// movedFrom reports whether the spec's address is another than the one
// the listener was opened for, or asks for one where there is none.
func (t *tlsEdge) movedFrom(addr string) bool { return addr != "" && addr != t.ln.Load().asked }

// moveTLS opens an environment's TLS listener on its spec's new address
// and puts it in force: serveTLS serves it from then on, and the old one,
// if any, is closed (its open connections finish). Listening may fail
// (the address is taken): the old one stays, and an event says so.
func (s *Server) moveTLS(ctx context.Context, p *parts, addr string) {
	ln, err := listen("environments."+p.name+".tls.address", addr)
	if err != nil {
		stays := "the environment stays without TLS: "
		if cur := p.tls.listener(); cur != nil {
			stays = "the TLS listener stays on " + cur.Addr().String() + ": "
		}
		s.tlsEvent(ctx, p, store.EventTLSConfigFailed, store.CertificateData{Error: err.Error()}, stays+err.Error())
		return
	}
	old := p.tls.setListener(ln, addr)
	if old == nil {
		s.cfg.Logger.Info("TLS listener opened", "env", p.name, "addr", ln.Addr().String())
		return
	}
	_ = old.Close() // ends serveTLS's Serve on it: it serves the new one
	s.cfg.Logger.Info("TLS listener moved", "env", p.name, "from", old.Addr().String(), "to", ln.Addr().String())
}

// followAddress opens, moves or closes a non-default environment's TLS
// listener as the applied spec's tls.address (addr) says, once per
// apply, and reports whether there is one to build an edge for. Before
// any apply it leaves the listener alone: one opened for the spec that
// creates the environment is that spec's, not yet stored.
func (s *Server) followAddress(ctx context.Context, p *parts, app store.App, addr string) bool {
	t := p.tls
	if app.Spec != "" && !t.addrSeen.Equal(app.AppliedAt) {
		t.addrSeen = app.AppliedAt
		switch {
		case t.movedFrom(addr):
			s.moveTLS(ctx, p, addr)
		case addr == "":
			s.closeTLS(p)
		}
	}
	return t.listener() != nil
}

// idleFor reports whether the environment has no TLS listener and app
// is the apply it already followed: nothing to do (every store change
// wakes followTLS, and most are not applies).
func (t *tlsEdge) idleFor(app store.App) bool {
	return t.listener() == nil && app.Spec != "" && t.addrSeen.Equal(app.AppliedAt)
}

// closeTLS closes an environment's TLS listener, its spec having lost
// tls.address: its open connections finish, and the edge in force goes
// (plain requests are no longer redirected).
func (s *Server) closeTLS(p *parts) {
	old := p.tls.setListener(nil, "")
	if cur := p.tls.cur.Swap(nil); cur != nil {
		cur.cancel()
		cur.e.Close()
	}
	if old != nil {
		_ = old.Close()
		s.cfg.Logger.Info("TLS listener closed", "env", p.name, "addr", old.Addr().String())
	}
}

// storedTLSAddr is the TLS address of the spec p's store last applied.
func storedTLSAddr(ctx context.Context, p *parts) string {
	var app store.App
	err := p.store.View(ctx, func(tx store.Tx) error {
		var err error
		app, err = tx.GetApp()
		return err
	})
	if err != nil || app.Spec == "" {
		return ""
	}
	parsed, err := spec.ParseWith(app.File, []byte(app.Spec), spec.Options{Environment: p.name, MaxInstancesPerService: -1})
	if err != nil {
		return ""
	}
	if t := parsed.TLSFor(p.name); t != nil {
		return t.Address
	}
	return ""
}

// serveTLS serves p's TLS listener until ctx ends, keeping its edge
// equal to the applied spec; when the listener moves (moveTLS) it serves
// the new one, and the old one's connections are shut down gently; while
// there is none it waits for one.
func (s *Server) serveTLS(ctx context.Context, p *parts) {
	t := p.tls
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { s.followTLS(ctx, p) })
	for {
		ln := t.listener()
		if ln == nil {
			select {
			case <-ctx.Done():
			case <-t.wake:
				continue
			}
			break
		}
		fr := s.tlsServer(p)
		if !s.serveTLSOn(ctx, p, fr, ln) || t.listener() == ln {
			break
		}
		wg.Go(func() { shutdown(fr) }) // moved or closed: its connections finish
	}
	if cur := t.cur.Swap(nil); cur != nil {
		cur.cancel()
		cur.e.Close()
	}
}

// shutdown shuts fr down, gently for up to 10s.
func shutdown(fr *front.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fr.Shutdown(ctx); err != nil {
		_ = fr.Close()
	}
}

// serveTLSOn serves ln with fr until ctx ends (false, fr shut down) or
// Serve returns (true: the listener closed, maybe moved).
func (s *Server) serveTLSOn(ctx context.Context, p *parts, fr *front.Server, ln net.Listener) bool {
	served := ln
	if s.conns != nil {
		served = s.conns.Listener(ln)
	}
	errc := make(chan error, 1)
	go func() { errc <- fr.ServeTLS(served, s.tlsConfig(p)) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) && p.tls.listener() == ln {
			s.cfg.Logger.Error("TLS router stopped", "env", p.name, "err", err)
		}
		return true
	case <-ctx.Done():
		shutdown(fr)
		return false
	}
}
