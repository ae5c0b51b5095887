package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/slipway-dev/slipway/bench/chaos/monkey"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

func main() { benchkit.Main("bench/chaos", run) }

// config is what the flags set.
type config struct {
	rollouts int
	stops    int
	maxDelay time.Duration
	seed     uint64
	disk     bool
	worktree bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := benchkit.NewFlagSet("chaos", stderr, &c.worktree)
	fs.IntVar(&c.rollouts, "rollouts", 20, "rollouts per strategy (6 strategies), each cut by one or two kill -9")
	fs.IntVar(&c.stops, "stops", 3, "instances stopped with SIGSTOP")
	fs.DurationVar(&c.maxDelay, "max-delay", 3*time.Second, "longest random delay before a kill")
	fs.Uint64Var(&c.seed, "seed", uint64(time.Now().UnixNano()), "random seed (printed, to replay a run)")
	fs.BoolVar(&c.disk, "disk", true, "run the full-disk scenario (mounts a tmpfs: needs root)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 || c.rollouts < 1 || c.maxDelay <= 0 {
		return c, fmt.Errorf("want -rollouts >= 1, -max-delay > 0 and no arguments")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ws, err := benchkit.NewWorkspace(ctx, benchkit.Build{TempPattern: "slipway-bench-chaos-",
		Packages: []string{"./cmd/slipway", "./examples/order"}, Worktree: cfg.worktree}, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ws.Close()) }()
	err = benchkit.PrintMachine(ctx, stdout, benchkit.Fact{Label: "slipway", Value: ws.Source()},
		benchkit.Fact{Label: "chaos", Value: fmt.Sprintf("%d rollouts x %d strategies, kill -9 within %s, seed %d",
			cfg.rollouts, len(monkey.Strategies), cfg.maxDelay, cfg.seed)})
	if err != nil {
		return err
	}
	mc := monkey.Config{Slipway: ws.Path("slipway"), Order: ws.Path("order"), Dir: ws.Path("runs"),
		Strategies: monkey.Strategies, Rollouts: cfg.rollouts, MaxDelay: cfg.maxDelay, Stops: cfg.stops,
		Rand: rand.New(rand.NewPCG(cfg.seed, 1)), Log: stderr}
	start := time.Now()
	counts, err := monkey.Run(ctx, mc)
	if err == nil && cfg.disk {
		err = monkey.DiskFull(ctx, mc, &counts)
	}
	printTable(stdout, counts, time.Since(start))
	return err
}
