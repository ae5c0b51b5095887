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
	"time"

	"github.com/slipway-dev/slipway/bench/flags/flagspec"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// applyTimeout bounds one slipway apply, 10,000 flags included.
const applyTimeout = 2 * time.Minute

// flagKey is the evaluation key every server takes (--flag-key) and
// every OFREP request sends, as a client in production would.
const flagKey = "bench-flags-eval-key"

// server is one `slipway server` child process over dir/data
// (benchkit.Server), with the evaluation key flagKey. It runs one small
// service (`slipway example-app`), since a slipway.yaml needs one. Close
// stops it and that service's instance.
type server struct {
	*benchkit.Server
	bin, dir string // the slipway binary, also the CLI; the run's directory
}

// startServer starts a server over dir/data and waits until it answers
// /v1/health.
func startServer(ctx context.Context, bin, dir string) (*server, error) {
	bs, err := benchkit.StartServer(ctx, bin, filepath.Join(dir, "data"), benchkit.HealthyTimeout, "--flag-key", flagKey)
	if err != nil {
		return nil, err
	}
	return &server{Server: bs, bin: bin, dir: dir}, nil
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
	args := []string{"apply", "-f", file}
	if wait {
		args = append(args, "--wait", "--timeout", applyTimeout.String())
	}
	cmd := s.Command(ctx, s.bin, args...)
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
		status, text, err := post(ctx, hc, s.URL+pathFlag+key, body, nil)
		if err != nil {
			return false, err.Error(), nil
		}
		return status == http.StatusOK, fmt.Sprintf("%d %s", status, text), nil
	})
}

// RSS is the server's VmRSS now.
func (s *server) RSS() (int64, error) { return benchkit.VMRSS(s.Proc.PID()) }
