package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/client"
)

// Bounds on the server's lifecycle.
const (
	healthyTimeout = 15 * time.Second // start -> /v1/health answers
	stopTimeout    = 10 * time.Second // SIGTERM -> gone, before SIGKILL
)

// server is one `slipway server` child process, in its own process group,
// over its own data directory. Close stops it and every instance it started.
type server struct {
	data   string
	url    string
	client *client.Client
	proc   *benchkit.Child
}

// startServer starts a server over data on a free loopback port and waits
// until it answers /v1/health.
func startServer(ctx context.Context, bin, data string) (*server, error) {
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "server", "--data", data, "--api", addr, "--router", "127.0.0.1:0", "--log-level", "warn")
	proc, err := benchkit.StartChild("slipway server", cmd)
	if err != nil {
		return nil, err
	}
	s := &server{data: data, url: "http://" + addr, client: client.New("http://" + addr), proc: proc}
	if err := s.waitHealthy(ctx); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// annotate adds the server's last log lines to a non-nil err.
func (s *server) annotate(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w\nserver log (last lines):\n%s", err, s.proc.Tail(20))
}

// pid is the server process's id.
func (s *server) pid() int { return s.proc.PID() }

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

// Close stops the instances the server reports (SIGTERM to each process
// group), then the server, then sweeps any instance process still running
// under the data directory (one the server started in between).
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
	return errors.Join(err, sweep(filepath.Join(s.data, "instances")))
}

// sweep stops every process whose working directory is under dir.
func sweep(dir string) error { return benchkit.Sweep(dir, stopTimeout) }

// httpOK reports whether GET url answers 200.
func httpOK(ctx context.Context, hc *http.Client, url string) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false, strings.TrimPrefix(err.Error(), "Get ")
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, resp.Status
}
