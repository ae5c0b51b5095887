package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

func main() { benchkit.Main("bench/foundation", run) }

// config is what the flags set.
type config struct {
	runs          int           // fresh deploys measured, each side by side with the floor
	instances     int           // instances per measured deploy
	idleInstances int           // instances running during the idle measure (0 skips it)
	idleSettle    time.Duration // wait after all are ready before measuring idle
	idleCPU       time.Duration // window over which idle CPU is measured
	readyTimeout  time.Duration // bound on every wait for instances to be ready
	worktree      bool          // build the working tree rather than HEAD
}

// readinessInterval is the spec's readiness interval; the target for
// "ready - slowest start" is two of them.
const readinessInterval = time.Second

func parseFlags(args []string, stderr io.Writer) (config, error) {
	c := config{idleSettle: 5 * time.Second}
	fs := benchkit.NewFlagSet("foundation", stderr, &c.worktree)
	fs.IntVar(&c.runs, "runs", 5, "fresh deploys to measure (each next to a bare-exec run)")
	fs.IntVar(&c.instances, "instances", 10, "instances per measured deploy")
	fs.IntVar(&c.idleInstances, "idle", 30, "instances running during the idle memory/CPU measure (0 skips it)")
	fs.DurationVar(&c.idleCPU, "idle-cpu", 10*time.Second, "window over which the server's idle CPU is measured")
	fs.DurationVar(&c.readyTimeout, "ready-timeout", 2*time.Minute, "bound on each wait for all instances to be ready")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := benchkit.NoArgs(fs); err != nil {
		return c, err
	}
	switch {
	case c.runs < 1:
		return c, fmt.Errorf("-runs must be >= 1, got %d", c.runs)
	case c.instances < 1:
		return c, fmt.Errorf("-instances must be >= 1, got %d", c.instances)
	case c.idleInstances < 0:
		return c, fmt.Errorf("-idle must be >= 0, got %d", c.idleInstances)
	case c.idleCPU <= 0 || c.readyTimeout <= 0:
		return c, fmt.Errorf("-idle-cpu and -ready-timeout must be positive")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ws, err := benchkit.NewWorkspace(ctx, benchkit.Build{
		TempPattern: "slipway-bench-",
		Packages:    []string{"./cmd/slipway"},
		Worktree:    cfg.worktree,
	}, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ws.Close()) }()
	if err := benchkit.PrintMachine(ctx, stdout, benchkit.Fact{Label: "slipway", Value: ws.Source()}); err != nil {
		return err
	}
	res, err := measureAll(ctx, cfg, ws, stderr)
	if err != nil {
		return err
	}
	printTable(stdout, cfg, res)
	return nil
}
