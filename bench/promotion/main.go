package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

func main() { benchkit.Main("bench/promotion", run) }

// config is what the flags set.
type config struct {
	runs     int           // measured rounds: one promotion and one direct apply each
	warmup   int           // rounds before them that are not counted
	quiet    time.Duration // pause with prod converged before each measured request
	timeout  time.Duration // bound on the whole run, build excluded
	worktree bool          // build the working tree rather than HEAD
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := benchkit.NewFlagSet("promotion", stderr, &c.worktree)
	fs.IntVar(&c.runs, "runs", 10, "measured rounds, each one promotion into prod and one direct apply to prod")
	fs.IntVar(&c.warmup, "warmup", 1, "rounds before the measured ones, not counted")
	fs.DurationVar(&c.quiet, "quiet", 300*time.Millisecond, "pause with everything converged before each measured request")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "bound on the whole run (the build excluded)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := benchkit.NoArgs(fs); err != nil {
		return c, err
	}
	switch {
	case c.runs < 1 || c.runs > 200:
		return c, fmt.Errorf("-runs must be 1..200, got %d", c.runs)
	case c.warmup < 0:
		return c, fmt.Errorf("-warmup must be >= 0, got %d", c.warmup)
	case c.quiet < 0 || c.timeout <= 0:
		return c, fmt.Errorf("-quiet must be >= 0 and -timeout positive")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ws, err := benchkit.NewWorkspace(ctx, benchkit.Build{
		TempPattern: "slipway-bench-promotion-",
		Packages:    []string{"./cmd/slipway", "./examples/order"},
		Worktree:    cfg.worktree,
	}, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ws.Close()) }()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	loadBefore := benchkit.LoadAverage()
	res, err := measureAll(ctx, cfg, ws, stderr)
	if err != nil {
		return err
	}
	err = benchkit.PrintMachine(ctx, stdout,
		benchkit.Fact{Label: "slipway", Value: ws.Source()},
		benchkit.Fact{Label: "setup", Value: describeScenario(cfg)},
		benchkit.LoadFact(loadBefore))
	if err != nil {
		return err
	}
	printTable(stdout, res)
	return nil
}

// measureAll starts the server, creates staging and prod, and measures
// cfg.warmup + cfg.runs rounds; the server and its instances are stopped
// before it returns.
func measureAll(ctx context.Context, cfg config, ws *benchkit.Workspace, progress io.Writer) (res results, err error) {
	b, err := newBench(ctx, ws, progress)
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, b.Close()) }()
	if err := b.setUp(ctx); err != nil {
		return res, b.srv.Annotate(err)
	}
	for r := range cfg.warmup + cfg.runs {
		name := fmt.Sprintf("round %d/%d", r+1-cfg.warmup, cfg.runs)
		if r < cfg.warmup {
			name = fmt.Sprintf("warm-up %d/%d", r+1, cfg.warmup)
		}
		p, a, err := b.round(ctx, r, cfg.quiet)
		if err != nil {
			return res, b.srv.Annotate(fmt.Errorf("%s: %w", name, err))
		}
		fmt.Fprintf(progress, "%s: promotion %s\n%s: direct apply %s\n", name, p, name, a)
		if r >= cfg.warmup {
			res.promotions, res.applies = append(res.promotions, p), append(res.applies, a)
		}
	}
	return res, nil
}

// round makes one promotion and one direct apply to prod, the promotion
// first in even rounds and second in odd ones, so that neither always
// follows the other.
func (b *bench) round(ctx context.Context, r int, quiet time.Duration) (p, a timeline, err error) {
	if r%2 == 1 {
		if a, err = b.directApply(ctx, r, quiet); err != nil {
			return p, a, err
		}
		p, err = b.promotion(ctx, r, quiet)
		return p, a, err
	}
	if p, err = b.promotion(ctx, r, quiet); err != nil {
		return p, a, err
	}
	a, err = b.directApply(ctx, r, quiet)
	return p, a, err
}

// describeScenario is the scenario in one line, for the header.
func describeScenario(cfg config) string {
	return fmt.Sprintf("service %s, %d instance (./examples/order), environments staging and prod (from staging, gate approval) on one server; "+
		"%d rounds after %d warm-up, each one promotion and one direct apply to prod (alternating order), %s quiet before each request",
		service, 1, cfg.runs, cfg.warmup, cfg.quiet)
}
