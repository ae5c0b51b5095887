package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/bench/flags/flagspec"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/client"
)

// Bounds on a server's lifecycle and on the CLI.
const (
	healthyTimeout = 15 * time.Second // start -> /v1/health answers
	stopTimeout    = 10 * time.Second // SIGTERM -> gone, before SIGKILL
	applyTimeout   = 2 * time.Minute  // one slipway apply, 10,000 flags included
)

// flagKey is the evaluation key every server takes (--flag-key) and
// every OFREP request sends, as a client in production would.
const flagKey = "bench-flags-eval-key"

// server is one `slipway server` child process, in its own process
// group, over its own data directory, API and router on free loopback
// ports. It runs one small service (`slipway example-app`), since a
// slipway.yaml needs one. Close stops it and that service's instance.
type server struct {
	bin, dir string // the slipway binary, also the CLI; the run's directory
	addr     string // the API's host:port, which also serves OFREP
	url      string
	client   *client.Client
	proc     *benchkit.Child
}

// startServer starts a server over dir/data and waits until it answers
// /v1/health.
func startServer(ctx context.Context, bin, dir string) (*server, error) {
	apiAddr, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	routerAddr, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	cmd := exec.Command(bin, "server", "--data", data, "--api", apiAddr, "--router", routerAddr,
		"--flag-key", flagKey, "--log-level", "warn")
	proc, err := benchkit.StartChild("slipway server", cmd)
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, dir: dir, addr: apiAddr, url: "http://" + apiAddr, client: client.New("http://" + apiAddr), proc: proc}
	if err := s.waitHealthy(ctx); err != nil {
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

// services is the one service of every spec the bench applies.
func (s *server) services() string {
	return fmt.Sprintf("  web:\n    run: [%q, \"example-app\", \"--name\", \"web\", \"--port\", \"${PORT}\"]\n    health: {readiness: {http: /healthz}}\n", s.bin)
}

// apply writes the spec with the service and lines as name in the run's
// directory and runs `slipway apply -f` on it (with --wait when wait is
// set). It returns the CLI's wall time; a *refusedError when the CLI
// ran and said no.
func (s *server) apply(ctx context.Context, name string, lines []string, wait bool) (time.Duration, error) {
	file := filepath.Join(s.dir, name)
	if err := os.WriteFile(file, []byte(flagspec.App(s.services(), lines)), 0o644); err != nil {
		return 0, fmt.Errorf("write spec: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, applyTimeout)
	defer cancel()
	args := []string{"--server", s.url, "apply", "-f", file}
	if wait {
		args = append(args, "--wait", "--timeout", applyTimeout.String())
	}
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = append(os.Environ(), "SLIPWAY_SERVER=", "SLIPWAY_TOKEN=")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	var exit *exec.ExitError
	if errors.As(err, &exit) && ctx.Err() == nil {
		return took, &refusedError{file: name, output: string(bytes.TrimSpace(out))}
	}
	if err != nil {
		return took, fmt.Errorf("slipway apply -f %s: %w\n%s", name, err, bytes.TrimSpace(out))
	}
	return took, nil
}

// refusedError is an apply the CLI refused, with what it said.
type refusedError struct{ file, output string }

func (e *refusedError) Error() string {
	return fmt.Sprintf("slipway apply -f %s refused:\n%s", e.file, e.output)
}

// waitServed polls OFREP for key (every 5ms) until it answers 200, and
// returns when it did.
func (s *server) waitServed(ctx context.Context, key string, timeout time.Duration) (time.Time, error) {
	hc := &http.Client{Timeout: 5 * time.Second}
	defer hc.CloseIdleConnections()
	body := []byte(`{"context":{"targetingKey":"user-1"}}`)
	return benchkit.Poll(ctx, "OFREP to serve "+key, timeout, 5*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		status, text, err := post(ctx, hc, s.url+pathFlag+key, body, nil)
		if err != nil {
			return false, err.Error(), nil
		}
		return status == http.StatusOK, fmt.Sprintf("%d %s", status, text), nil
	})
}

// RSS is the server's VmRSS now.
func (s *server) RSS() (int64, error) { return benchkit.VMRSS(s.proc.PID()) }

// annotate adds the server's last log lines to a non-nil err.
func (s *server) annotate(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w\nserver log (last lines):\n%s", err, s.proc.Tail(20))
}

// Close stops the service's instances (SIGTERM to each process group),
// then the server, then any instance still running under the data
// directory (a server that stops leaves its instances running, for the
// next one to adopt).
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
	return errors.Join(err, sweep(filepath.Join(s.dir, "data")))
}

// sweep stops every process whose working directory is under dir.
func sweep(dir string) error { return benchkit.Sweep(dir, stopTimeout) }
