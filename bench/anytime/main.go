package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/router/metrics"
	"github.com/slipway-dev/slipway/spec"
)

func main() { benchkit.Main("bench/anytime", run) }

// config is what the flags set.
type config struct {
	canaries int // A/A canaries for the false alarms
	runs     int // canaries per scenario for the times
	setup
	seed uint64
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	c := config{setup: setup{interval: 5 * time.Second, upper: metrics.New(metrics.Options{}).LatencyUpper()}}
	fs := benchkit.NewFlagSet("anytime", stderr, nil)
	fs.IntVar(&c.canaries, "canaries", 2000, "A/A canaries simulated for the false alarms")
	fs.IntVar(&c.runs, "runs", 400, "canaries simulated per scenario for the times to detect and to pass")
	fs.Float64Var(&c.rate, "rate", 50, "requests a second, both sides")
	fs.Float64Var(&c.weight, "weight", 0.1, "the canary's share of requests")
	fs.DurationVar(&c.deadline, "deadline", 5*time.Minute, "how long a canary is watched (the analysis deadline)")
	fs.Float64Var(&c.alpha, "alpha", spec.DefaultAlpha, "the sequential judge's alpha")
	fs.Float64Var(&c.beta, "beta", spec.DefaultBeta, "the sequential judge's beta (its pass side's level)")
	fs.Uint64Var(&c.seed, "seed", 19, "seed of the simulation")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := benchkit.NoArgs(fs); err != nil {
		return c, err
	}
	switch {
	case c.canaries < 1 || c.runs < 1:
		return c, fmt.Errorf("-canaries and -runs must be >= 1")
	case !(c.weight > 0 && c.weight < 1) || !(c.rate > 0) || !(c.alpha > 0 && c.alpha <= 0.5) || !(c.beta > 0 && c.beta <= 0.5) || c.deadline < c.interval:
		return c, fmt.Errorf("-weight must be in (0, 1), -rate > 0, -alpha and -beta in (0, 0.5], -deadline >= 5s")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Simulated canaries: %.0f req/s, %.0f%% to the canary, watched up to %s; sequential alpha %v, beta %v, minEffect %v, error floor %v.\n\n",
		cfg.rate, cfg.weight*100, cfg.deadline, cfg.alpha, cfg.beta, spec.DefaultMinEffect, spec.DefaultErrorFloor)
	start := time.Now()
	fa, err := falseAlarms(ctx, cfg)
	if err != nil {
		return err
	}
	printFalseAlarms(stdout, cfg, fa)
	fmt.Fprintf(stderr, "false alarms: %s\n", time.Since(start).Round(time.Second))
	det, err := times(ctx, cfg, detectScenarios)
	if err != nil {
		return err
	}
	printTimes(stdout, cfg, "Time to detect a bad canary (to the judge's decision)", detectScenarios, det, analysis.Fail)
	pass, err := times(ctx, cfg, passScenarios)
	if err != nil {
		return err
	}
	printTimes(stdout, cfg, "Time to pass a good canary's analysis step", passScenarios, pass, analysis.Pass)
	printCost(stdout)
	fmt.Fprintf(stderr, "total: %s\n", time.Since(start).Round(time.Second))
	return nil
}

// The scenarios: A/A canaries for the false alarms and the time to pass,
// bad ones for the time to detect.
var (
	aaScenarios = []scenario{
		{name: "errors 1% vs 1%", stableErr: 0.01, canaryErr: 0.01, latency: 1},
		{name: "p99 latency, same", stableErr: 0.01, canaryErr: 0.01, latency: 1, quantile: 0.99},
	}
	detectScenarios = []scenario{
		{name: "errors 20% vs 0%", stableErr: 0, canaryErr: 0.2, latency: 1},
		{name: "errors 20% vs 1%", stableErr: 0.01, canaryErr: 0.2, latency: 1},
		{name: "p99 latency doubled", stableErr: 0.01, canaryErr: 0.01, latency: 2, quantile: 0.99},
		{name: "errors 1.5% vs 1% (+0.5 point)", stableErr: 0.01, canaryErr: 0.015, latency: 1},
	}
	passScenarios = []scenario{
		{name: "errors 1% vs 1%", stableErr: 0.01, canaryErr: 0.01, latency: 1},
		{name: "errors 0.1% vs 0.1%", stableErr: 0.001, canaryErr: 0.001, latency: 1},
		{name: "errors 0% vs 0%", stableErr: 0, canaryErr: 0, latency: 1},
		{name: "p50 latency, same", stableErr: 0.01, canaryErr: 0.01, latency: 1, quantile: 0.5},
		{name: "p99 latency, same", stableErr: 0.01, canaryErr: 0.01, latency: 1, quantile: 0.99},
	}
)

// simulate runs n canaries of sc on every core, each with its own seed.
func simulate(ctx context.Context, cfg config, sc scenario, salt uint64, n int, watch bool) ([][numJudges]outcome, error) {
	out := make([][numJudges]outcome, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				c := canary{s: cfg.setup, sc: sc, rng: rand.New(rand.NewPCG(cfg.seed, salt<<32|uint64(i)))}
				out[i] = c.run(watch)
			}
		})
	}
	var err error
	for i := range n {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out, err
}

func falseAlarms(ctx context.Context, cfg config) ([][][numJudges]outcome, error) {
	var all [][][numJudges]outcome
	for i, sc := range aaScenarios {
		o, err := simulate(ctx, cfg, sc, uint64(100+i), cfg.canaries, true)
		if err != nil {
			return nil, err
		}
		all = append(all, o)
	}
	return all, nil
}

func times(ctx context.Context, cfg config, scs []scenario) ([][][numJudges]outcome, error) {
	var all [][][numJudges]outcome
	for i, sc := range scs {
		o, err := simulate(ctx, cfg, sc, uint64(200+i), cfg.runs, false)
		if err != nil {
			return nil, err
		}
		all = append(all, o)
	}
	return all, nil
}
