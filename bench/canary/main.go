package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

func main() { benchkit.Main("bench/canary", run) }

// config is what the flags set.
type config struct {
	runs       int           // bad canaries measured, each on a fresh server
	rate       int           // user requests per second through the router
	runTimeout time.Duration // bound on one run, from starting its server to stopping it
	worktree   bool          // build the working tree rather than HEAD
	judges     []judge       // the analyses measured, side by side
	good       bool          // measure a good canary's time to pass instead of a bad one's rollback
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := benchkit.NewFlagSet("canary", stderr, &c.worktree)
	fs.IntVar(&c.runs, "runs", 3, "bad canaries to measure, each on a fresh server")
	fs.IntVar(&c.rate, "rate", 50, "user requests per second sent through the router")
	fs.DurationVar(&c.runTimeout, "run-timeout", 60*time.Second, "bound on one run, server start to stop")
	canary := fs.String("canary", "bad", "the canary measured: bad (time to rollback) or good (time to pass an analysis step)")
	judges := fs.String("judges", "interval,sequential", "the analyses to measure: interval (a success condition every 5s), sequential (compare: baseline)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch *canary {
	case "bad":
	case "good":
		c.good = true
	default:
		return c, fmt.Errorf("-canary: unknown canary %q; valid: bad, good", *canary)
	}
	for _, name := range strings.Split(*judges, ",") {
		switch name {
		case "interval":
			c.judges = append(c.judges, interval)
		case "sequential":
			c.judges = append(c.judges, sequential)
		default:
			return c, fmt.Errorf("-judges: unknown judge %q; valid: interval, sequential", name)
		}
	}
	if err := benchkit.NoArgs(fs); err != nil {
		return c, err
	}
	switch {
	case c.runs < 1:
		return c, fmt.Errorf("-runs must be >= 1, got %d", c.runs)
	case c.rate < 1 || c.rate > 1000:
		return c, fmt.Errorf("-rate must be 1..1000, got %d", c.rate)
	case c.runTimeout < 20*time.Second:
		return c, fmt.Errorf("-run-timeout must be at least 20s (one run takes about 15s), got %s", c.runTimeout)
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ws, err := benchkit.NewWorkspace(ctx, benchkit.Build{
		TempPattern: "slipway-bench-canary-",
		Packages:    []string{"./cmd/slipway", "./examples/order"},
		Worktree:    cfg.worktree,
	}, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ws.Close()) }()
	err = benchkit.PrintMachine(ctx, stdout,
		benchkit.Fact{Label: "slipway", Value: ws.Source()},
		benchkit.Fact{Label: "canary", Value: describeScenario(cfg)})
	if err != nil {
		return err
	}
	if cfg.good {
		return runGood(ctx, cfg, ws, stdout, stderr)
	}
	all := map[judge][]sample{}
	for i := 1; i <= cfg.runs; i++ {
		for _, j := range cfg.judges { // alternating, so that both see the same machine
			fmt.Fprintf(stderr, "run %d/%d, %s judge ...\n", i, cfg.runs, j)
			s, err := measureRun(ctx, cfg, j, ws, ws.Path(fmt.Sprintf("run-%d-%s", i, j)))
			if err != nil {
				return fmt.Errorf("run %d, %s judge: %w", i, j, err)
			}
			fmt.Fprintf(stderr, "run %d/%d, %s judge: %s\n", i, cfg.runs, j, s)
			all[j] = append(all[j], s)
		}
	}
	for _, j := range cfg.judges {
		printTable(stdout, cfg, j, all[j])
	}
	printSideBySide(stdout, cfg, all)
	printBreakdown(stdout, all[sequential])
	return nil
}

// runGood measures cfg.runs good canaries per judge, alternating.
func runGood(ctx context.Context, cfg config, ws *benchkit.Workspace, stdout, stderr io.Writer) error {
	all := map[judge][]passSample{}
	for i := 1; i <= cfg.runs; i++ {
		for _, j := range cfg.judges {
			fmt.Fprintf(stderr, "run %d/%d, good canary, %s judge ...\n", i, cfg.runs, j)
			s, err := measureGood(ctx, cfg, j, ws, ws.Path(fmt.Sprintf("good-%d-%s", i, j)))
			if err != nil {
				return fmt.Errorf("run %d, good canary, %s judge: %w", i, j, err)
			}
			fmt.Fprintf(stderr, "run %d/%d, good canary, %s judge: step passed in %s; %d of %d requests failed\n", i, cfg.runs, j, secs(s.took), s.failed, s.sent)
			all[j] = append(all[j], s)
		}
	}
	printGood(stdout, cfg, all)
	return nil
}

// describeScenario is the scenario in one line, for the header.
func describeScenario(cfg config) string {
	if cfg.good {
		return fmt.Sprintf("good canary (fails nothing) at setWeight %d, then an analysis step, %d req/s of user traffic, default analysis (interval %s, 3 measurements; or compare: baseline, sequential, alpha 0.05, beta 0.2, floor 1%%), %d instances",
			weight, cfg.rate, analysisInterval, instances)
	}
	return fmt.Sprintf("bad canary (FAIL_RATE %.1f) at setWeight %d, %d req/s of user traffic, default analysis (interval %s, failureLimit 0; or compare: baseline, sequential, alpha 0.05), %d instances",
		failRate, weight, cfg.rate, analysisInterval, instances)
}
