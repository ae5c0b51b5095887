// Command routerproc serves Slipway's router, and nothing else, for
// bench/router: one route ("/", any host) to one backend, or split 90/10
// between revision 1 and revision 2 when -canary is given. The HTTP server
// has the settings of server/router.go, so what is measured is the router
// as `slipway server --router` runs it, without the control plane around it.
//
//	routerproc -listen 127.0.0.1:P -backend 127.0.0.1:B [-canary 127.0.0.1:C] [-pprof 127.0.0.1:Q]
//
// With -pprof it serves net/http/pprof on that (separate) address, so the
// benchmark can take a CPU profile during a run. It stops on SIGTERM or
// SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/router"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "routerproc:", err)
		os.Exit(1)
	}
}

type config struct {
	listen  string
	backend string
	canary  string // "" means no split
	pprof   string // "" means no profiling endpoint
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	var c config
	fs := flag.NewFlagSet("routerproc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:7480", "address the router serves on")
	fs.StringVar(&c.backend, "backend", "", "host:port of the backend (revision 1)")
	fs.StringVar(&c.canary, "canary", "", "host:port of revision 2: split 90/10 between -backend and it")
	fs.StringVar(&c.pprof, "pprof", "", "address to serve net/http/pprof on (off when empty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.backend == "" {
		return errors.New("-backend is required")
	}
	rt := router.New(router.Config{})
	defer rt.Close()
	rt.Update([]router.Route{route(c)})
	servers := []*http.Server{{
		Addr:              c.listen,
		Handler:           rt,
		ReadHeaderTimeout: 10 * time.Second, // as server/router.go
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}}
	if c.pprof != "" {
		servers = append(servers, &http.Server{Addr: c.pprof, Handler: profileMux(), ReadHeaderTimeout: 10 * time.Second})
	}
	return serve(ctx, servers)
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

// serve runs every server until ctx ends or one fails, then shuts them
// all down (bounded).
func serve(ctx context.Context, servers []*http.Server) error {
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		go func() { errc <- fmt.Errorf("serve %s: %w", srv.Addr, srv.ListenAndServe()) }()
	}
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		if serr := srv.Shutdown(shutdown); serr != nil {
			err = errors.Join(err, srv.Close())
		}
	}
	return err
}
