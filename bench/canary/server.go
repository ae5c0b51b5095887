package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/client"
)

// Bounds on the server's lifecycle and on the CLI.
const (
	healthyTimeout = 15 * time.Second // start -> /v1/health answers
	stopTimeout    = 10 * time.Second // SIGTERM -> gone, before SIGKILL
	applyTimeout   = 30 * time.Second // slipway apply, with --wait
)

// server is one `slipway server` child process, in its own process group,
// over its own data directory, with its API and router on free loopback
// ports. Close stops it and every instance it started.
type server struct {
	bin       string // the slipway binary, also the CLI
	data      string
	url       string // the API
	routerURL string // the router's root, "http://127.0.0.1:PORT/"
	client    *client.Client
	proc      *benchkit.Child
}

// startServer starts a server over data and waits until it answers
// /v1/health and its router accepts connections.
func startServer(ctx context.Context, bin, data string) (*server, error) {
	apiAddr, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	routerAddr, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "server", "--data", data, "--api", apiAddr, "--router", routerAddr, "--log-level", "warn")
	proc, err := benchkit.StartChild("slipway server", cmd)
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, data: data, url: "http://" + apiAddr, routerURL: "http://" + routerAddr + "/",
		client: client.New("http://" + apiAddr), proc: proc}
	err = s.waitHealthy(ctx)
	if err == nil {
		err = proc.WaitListening(ctx, routerAddr, healthyTimeout)
	}
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

func (s *server) waitHealthy(ctx context.Context) error {
	_, err := benchkit.Poll(ctx, "server healthy at "+s.url, healthyTimeout, 20*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		if s.proc.Exited() {
			return false, "", fmt.Errorf("server exited: %w\n%s", s.proc.Err(), s.proc.Tail(20))
		}
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := s.client.Health(ctx); err != nil {
			return false, err.Error(), nil
		}
		return true, "", nil
	})
	return err
}

// apply runs `slipway apply -f file`, with --wait when wait is set, and
// returns its output in the error when it fails.
func (s *server) apply(ctx context.Context, file string, wait bool) error {
	ctx, cancel := context.WithTimeout(ctx, applyTimeout+5*time.Second)
	defer cancel()
	args := []string{"--server", s.url, "apply", "-f", file}
	if wait {
		args = append(args, "--wait", "--timeout", applyTimeout.String())
	}
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = append(os.Environ(), "SLIPWAY_SERVER=", "SLIPWAY_TOKEN=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("slipway apply -f %s: %w\n%s", file, err, out)
	}
	return nil
}

// events lists the service's events after the sequence number after.
func (s *server) events(ctx context.Context, after int64) ([]api.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	evs, err := s.client.Events(ctx, after, service, 0)
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

// annotate adds the server's last log lines to a non-nil err.
func (s *server) annotate(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w\nserver log (last lines):\n%s", err, s.proc.Tail(20))
}

// Close stops the instances the server reports (SIGTERM to each process
// group), then the server, then sweeps any instance process still running
// under the data directory (one the server started in between): a server
// that stops leaves its instances running, for the next one to adopt.
func (s *server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var groups []int
	if svcs, err := s.client.Services(ctx); err == nil {
		for _, svc := range svcs {
			for _, in := range svc.Instances {
				groups = append(groups, in.PID)
			}
		}
	}
	benchkit.SignalGroups(groups, syscall.SIGTERM)
	err := s.proc.Stop(stopTimeout)
	return errors.Join(err, sweep(s.data))
}

// sweep stops every process whose working directory is under dir.
func sweep(dir string) error { return benchkit.Sweep(dir, stopTimeout) }
