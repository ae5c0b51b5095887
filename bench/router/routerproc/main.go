package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/internal/gctune"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/router/edge"
	"github.com/slipway-dev/slipway/router/front"
)

func main() { benchkit.Main("routerproc", run) }

type config struct {
	listen  string
	backend string
	canary  string // "" means no split
	pprof   string // "" means no profiling endpoint
	// tlsListen, when set, also serves TLS there through router/edge,
	// with the certificate in cert and key for the host localhost.
	tlsListen, cert, key string
}

func run(ctx context.Context, args []string, _, stderr io.Writer) error {
	var c config
	fs := flag.NewFlagSet("routerproc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:7480", "address the router serves on")
	fs.StringVar(&c.backend, "backend", "", "host:port of the backend (revision 1)")
	fs.StringVar(&c.canary, "canary", "", "host:port of revision 2: split 90/10 between -backend and it")
	fs.StringVar(&c.pprof, "pprof", "", "address to serve net/http/pprof on (off when empty)")
	fs.StringVar(&c.tlsListen, "tls-listen", "", "also serve TLS (HTTP/1.1 and HTTP/2) on this address, as slipway server --router-tls does")
	fs.StringVar(&c.cert, "cert", "", "the TLS certificate (PEM) for localhost")
	fs.StringVar(&c.key, "key", "", "its key (PEM, mode 0600)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.backend == "" {
		return errors.New("-backend is required")
	}
	gctune.Apply() // as slipway server does
	rt := router.New(router.Config{})
	defer rt.Close()
	rt.Update([]router.Route{route(c)})
	srv := &http.Server{
		Handler:           rt,
		ReadHeaderTimeout: 10 * time.Second, // as server/router.go
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return err
	}
	if c.pprof != "" {
		go func() {
			_ = benchkit.Serve(ctx, &http.Server{Addr: c.pprof, Handler: profileMux(), ReadHeaderTimeout: 10 * time.Second})
		}()
	}
	if c.tlsListen != "" {
		tln, err := net.Listen("tcp", c.tlsListen)
		if err != nil {
			return err
		}
		e, err := edge.New(edge.Config{PlainAddr: c.listen, TLSAddr: c.tlsListen})
		if err != nil {
			return err
		}
		if err := e.Start(ctx); err != nil {
			return err
		}
		defer e.Close()
		// The edge picks the certificate by SNI (localhost); the router's
		// own route matches any host.
		if err := e.Update([]router.Route{{Service: "bench", Hosts: []string{"localhost"},
			TLS: &router.RouteTLS{CertFile: c.cert, KeyFile: c.key}}}); err != nil {
			return err
		}
		go func() { _ = e.Serve(ctx, tln, rt, 10*time.Second, 120*time.Second) }()
	}
	return serveFront(ctx, front.New(srv), ln)
}

// serveFront serves ln with the router's front, as server/router.go
// does, until ctx ends.
func serveFront(ctx context.Context, fr *front.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- fr.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := fr.Shutdown(shutdown); err != nil {
		return errors.Join(err, fr.Close())
	}
	return nil
}

// route is the one route under test.
func route(c config) router.Route {
	r := router.Route{Service: "bench", Path: "/", Backends: []router.Backend{{ID: "bench-1", Revision: 1, Addr: c.backend}}}
	if c.canary != "" {
		r.Backends = append(r.Backends, router.Backend{ID: "bench-2", Revision: 2, Addr: c.canary})
		r.Weights = map[int]int{1: 90, 2: 10}
	}
	return r
}

// profileMux serves net/http/pprof without touching http.DefaultServeMux.
func profileMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	return mux
}
