package benchkit

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Main runs a benchmark program's run with a context that SIGINT and
// SIGTERM cancel, and exits: 2 for -help, 1 with "name: error" on stderr
// for any other error, 0 otherwise.
func Main(name string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// Serve runs every server until ctx ends or one fails, then shuts them all
// down, closing any that does not finish within 5s. It returns the failure,
// or nil when ctx ended.
func Serve(ctx context.Context, servers ...*http.Server) error {
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
