package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// deployBare is the floor: it starts the same n example-app processes with
// exec alone and polls each one's /healthz every pollInterval until all
// answer 200.
func deployBare(ctx context.Context, bin string, n int, timeout time.Duration) (s sample, err error) {
	ports, err := freePorts(n)
	if err != nil {
		return s, err
	}
	start := time.Now()
	procs, err := startBare(bin, ports)
	defer func() { err = errors.Join(err, stopAll(procs)) }()
	if err != nil {
		return s, err
	}
	readyAt, err := waitHealthz(ctx, procs, ports, timeout)
	if err != nil {
		return s, err
	}
	pids := make([]int, len(procs))
	for i, p := range procs {
		pids[i] = p.PID()
	}
	return newSample(start, readyAt, pids)
}

// startBare starts one example app per port, each in its own process
// group with the environment Slipway would give it minus its own
// variables. It returns the ones it started, also on error.
func startBare(bin string, ports []int) ([]*benchkit.Child, error) {
	var procs []*benchkit.Child
	for _, port := range ports {
		cmd := exec.Command(bin, "example-app", "--name", "fast", "--port", strconv.Itoa(port))
		cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
		c, err := benchkit.StartChild("example-app", cmd)
		if err != nil {
			return procs, err
		}
		procs = append(procs, c)
	}
	return procs, nil
}

// waitHealthz polls /healthz of every port not yet ready until all are.
func waitHealthz(ctx context.Context, procs []*benchkit.Child, ports []int, timeout time.Duration) (time.Time, error) {
	hc := &http.Client{Timeout: time.Second}
	defer hc.CloseIdleConnections()
	ready := make([]bool, len(ports))
	left := len(ports)
	return benchkit.Poll(ctx, fmt.Sprintf("%d bare processes healthy", len(ports)), timeout, pollInterval, func(ctx context.Context) (bool, string, error) {
		seen := ""
		for i, port := range ports {
			if ready[i] {
				continue
			}
			if procs[i].Exited() {
				return false, "", fmt.Errorf("example app on port %d exited: %w\n%s", port, procs[i].Err(), procs[i].Tail(10))
			}
			ok, s := httpOK(ctx, hc, "http://127.0.0.1:"+strconv.Itoa(port)+"/healthz")
			if ready[i] = ok; ok {
				left--
			} else {
				seen = s
			}
		}
		return left == 0, fmt.Sprintf("%d not ready, e.g. %s", left, seen), nil
	})
}

// stopAll stops every process, all at once.
func stopAll(procs []*benchkit.Child) error {
	errs := make(chan error, len(procs))
	for _, p := range procs {
		go func() { errs <- p.Stop(benchkit.StopGrace) }()
	}
	var all []error
	for range procs {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// freePorts returns n distinct loopback ports nobody listens on now.
func freePorts(n int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
