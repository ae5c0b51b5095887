package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// applyTimeout bounds slipway apply, with --wait.
const applyTimeout = 30 * time.Second

// server is one `slipway server` child process over its own data
// directory (benchkit.Server), and the binary that is also the CLI.
// Close stops it and every instance it started.
type server struct {
	*benchkit.Server
	bin       string
	routerURL string // the router's root, "http://127.0.0.1:PORT/"
}

// startServer starts a server over data and waits until it answers
// /v1/health and its router accepts connections.
func startServer(ctx context.Context, bin, data string) (*server, error) {
	bs, err := benchkit.StartServer(ctx, bin, data, benchkit.HealthyTimeout)
	if err != nil {
		return nil, err
	}
	s := &server{Server: bs, bin: bin, routerURL: "http://" + bs.RouterAddr + "/"}
	if err := bs.Proc.WaitListening(ctx, bs.RouterAddr, benchkit.HealthyTimeout); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// apply runs `slipway apply -f file`, with --wait when wait is set, and
// returns its output in the error when it fails.
func (s *server) apply(ctx context.Context, file string, wait bool) error {
	ctx, cancel := context.WithTimeout(ctx, applyTimeout+5*time.Second)
	defer cancel()
	args := []string{"apply", "-f", file}
	if wait {
		args = append(args, "--wait", "--timeout", applyTimeout.String())
	}
	if out, err := s.Command(ctx, s.bin, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("slipway apply -f %s: %w\n%s", file, err, out)
	}
	return nil
}

// events lists the service's events after the sequence number after.
func (s *server) events(ctx context.Context, after int64) ([]api.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	evs, err := s.Client.Events(ctx, after, service, 0)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return evs, nil
}

// lastSeq is the sequence number of the service's last event, 0 if none.
func (s *server) lastSeq(ctx context.Context) (int64, error) {
	evs, err := s.events(ctx, 0)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	return evs[len(evs)-1].Seq, nil
}
