package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// idleResult is what a server costs while nothing changes.
type idleResult struct {
	instances   int
	serverRSS   int64         // bytes
	instanceRSS int64         // bytes, one example-app instance
	cpu         float64       // server CPU time / wall time over window (1 = one core)
	window      time.Duration // wall time CPU was measured over
}

// measureIdle starts a fresh server over data, deploys cfg.idleInstances
// instances, waits until all are ready and then cfg.idleSettle more, and
// reads the server's RSS and its CPU use over cfg.idleCPU.
func measureIdle(ctx context.Context, bin, data string, cfg config) (r idleResult, err error) {
	r.instances = cfg.idleInstances
	srv, err := benchkit.StartServer(ctx, bin, data, benchkit.HealthyTimeout)
	if err != nil {
		return r, err
	}
	defer func() { err = errors.Join(err, srv.Close()) }()
	if err := apply(ctx, srv.Client, appSpec(bin, r.instances)); err != nil {
		return r, srv.Annotate(err)
	}
	_, pids, err := waitServiceReady(ctx, srv.Client, r.instances, cfg.readyTimeout)
	if err != nil {
		return r, srv.Annotate(err)
	}
	if err := benchkit.Sleep(ctx, cfg.idleSettle); err != nil {
		return r, err
	}
	if r.serverRSS, err = benchkit.VMRSS(srv.Proc.PID()); err != nil {
		return r, fmt.Errorf("server RSS: %w", err)
	}
	if r.instanceRSS, err = benchkit.VMRSS(pids[0]); err != nil {
		return r, fmt.Errorf("instance RSS: %w", err)
	}
	r.cpu, r.window, err = cpuShare(ctx, srv.Proc.PID(), cfg.idleCPU)
	return r, err
}

// cpuShare is the CPU time pid uses over window, as a share of one core.
func cpuShare(ctx context.Context, pid int, window time.Duration) (float64, time.Duration, error) {
	start := time.Now()
	t0, err := benchkit.CPUTime(pid)
	if err != nil {
		return 0, 0, fmt.Errorf("server CPU: %w", err)
	}
	if err := benchkit.Sleep(ctx, window); err != nil {
		return 0, 0, err
	}
	t1, err := benchkit.CPUTime(pid)
	if err != nil {
		return 0, 0, fmt.Errorf("server CPU: %w", err)
	}
	wall := time.Since(start)
	return (t1 - t0).Seconds() / wall.Seconds(), wall, nil
}
