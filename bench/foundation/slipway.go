package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/client"
)

// serviceName is the one service every spec deploys.
const serviceName = "fast"

// sample is one measured deploy: wall time from apply (or exec) to every
// instance ready, and ready minus the start of the last instance process.
type sample struct {
	wall time.Duration
	lag  time.Duration
}

// appSpec is a one-service spec running n instances of the example app
// served by bin, ready when /healthz answers.
func appSpec(bin string, n int) string {
	return fmt.Sprintf(`app: bench
services:
  %s:
    run: [%q, "example-app", "--name", "fast", "--port", "${PORT}"]
    instances: %d
    health:
      readiness: {http: /healthz, interval: %s}
`, serviceName, bin, n, readinessInterval)
}

// deployFresh starts a fresh server over data, applies n instances, and
// measures the time until GET /v1/services shows all of them ready.
func deployFresh(ctx context.Context, bin, data string, n int, timeout time.Duration) (s sample, err error) {
	srv, err := benchkit.StartServer(ctx, bin, data, benchkit.HealthyTimeout)
	if err != nil {
		return s, err
	}
	defer func() { err = joinClose(err, srv.Close) }()
	start := time.Now()
	if err := apply(ctx, srv.Client, appSpec(bin, n)); err != nil {
		return s, srv.Annotate(err)
	}
	readyAt, pids, err := waitServiceReady(ctx, srv.Client, n, timeout)
	if err != nil {
		return s, srv.Annotate(err)
	}
	return newSample(start, readyAt, pids)
}

// newSample measures from start to readyAt, and from the latest start of
// pids (still running) to readyAt.
func newSample(start, readyAt time.Time, pids []int) (sample, error) {
	last, err := benchkit.LatestStart(pids)
	if err != nil {
		return sample{}, err
	}
	return sample{wall: readyAt.Sub(start), lag: readyAt.Sub(last)}, nil
}

// apply sends spec to the server and checks that it started an operation.
func apply(ctx context.Context, c *client.Client, spec string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := c.Apply(ctx, api.ApplyRequest{File: "bench.yaml", Spec: spec})
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if resp.Operation == nil {
		return fmt.Errorf("apply: the plan was empty, nothing to deploy")
	}
	return nil
}

// waitServiceReady polls GET /v1/services every pollInterval until the
// service has n ready instances of its target revision, and returns when
// that was seen and their pids.
func waitServiceReady(ctx context.Context, c *client.Client, n int, timeout time.Duration) (time.Time, []int, error) {
	var pids []int
	at, err := benchkit.Poll(ctx, fmt.Sprintf("%d/%d instances ready", n, n), timeout, pollInterval, func(ctx context.Context) (bool, string, error) {
		svc, err := fetchService(ctx, c)
		if err != nil {
			return false, err.Error(), nil
		}
		pids = readyPIDs(svc)
		if svc.Phase == "Failed" {
			return false, "", fmt.Errorf("service %s failed: %s", svc.Name, svc.Message)
		}
		return len(pids) >= n, describe(svc), nil
	})
	return at, pids, err
}

// fetchService returns the bench service from GET /v1/services.
func fetchService(ctx context.Context, c *client.Client) (api.Service, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	svcs, err := c.Services(ctx)
	if err != nil {
		return api.Service{}, fmt.Errorf("list services: %w", err)
	}
	for _, svc := range svcs {
		if svc.Name == serviceName {
			return svc, nil
		}
	}
	return api.Service{}, fmt.Errorf("no service %q yet", serviceName)
}

// readyPIDs are the pids of the ready instances of the target revision.
func readyPIDs(svc api.Service) []int {
	var pids []int
	for _, in := range svc.Instances {
		if in.Ready && in.Revision == svc.Revision {
			pids = append(pids, in.PID)
		}
	}
	return pids
}

// describe summarizes a service for a timeout message.
func describe(svc api.Service) string {
	states := map[string]int{}
	for _, in := range svc.Instances {
		states[in.State]++
	}
	parts := []string{"phase " + svc.Phase, "ready " + strconv.Itoa(svc.Ready) + "/" + strconv.Itoa(svc.Desired)}
	for st, k := range states {
		parts = append(parts, fmt.Sprintf("%d %s", k, st))
	}
	if svc.Message != "" {
		parts = append(parts, svc.Message)
	}
	return strings.Join(parts, ", ")
}

// joinClose runs close and joins its error to err.
func joinClose(err error, close func() error) error {
	return errors.Join(err, close())
}
