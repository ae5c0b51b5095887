package main

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/router/metrics"
)

// TestShortForm runs a small version of the simulation in CI: A/A
// canaries looked at after every observation fail at most alpha of the
// time (within three standard errors), a canary failing 20% of its
// requests is caught by the sequential judge in every run, before the
// interval judge's first look in most, and good canaries pass: a
// latency, and no errors within a minute (the error floor at beta).
// Times are simulated, not measured.
func TestShortForm(t *testing.T) {
	cfg := config{canaries: 200, runs: 40, seed: 7, setup: setup{rate: 50, weight: 0.1, interval: 5 * time.Second,
		deadline: time.Minute, alpha: 0.05, beta: 0.2, upper: metrics.New(metrics.Options{}).LatencyUpper()}}
	ctx := context.Background()
	fa, err := simulate(ctx, cfg, aaScenarios[0], 1, cfg.canaries, true)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, o := range fa {
		if o[sequential].verdict == analysis.Fail {
			failed++
		}
	}
	slack := 3 * math.Sqrt(cfg.alpha*(1-cfg.alpha)/float64(cfg.canaries))
	if float64(failed)/float64(cfg.canaries) > cfg.alpha+slack {
		t.Errorf("%d of %d A/A canaries failed, more than alpha %v + %.3f", failed, cfg.canaries, cfg.alpha, slack)
	}
	bad, err := simulate(ctx, cfg, detectScenarios[0], 2, cfg.runs, false)
	if err != nil {
		t.Fatal(err)
	}
	early := 0
	for _, o := range bad {
		if o[sequential].verdict != analysis.Fail {
			t.Fatalf("a canary failing 20%% of requests: %+v", o[sequential])
		}
		if o[sequential].at < cfg.interval {
			early++
		}
	}
	if early < cfg.runs*3/4 {
		t.Errorf("only %d of %d bad canaries caught before the first interval", early, cfg.runs)
	}
	for i, sc := range []scenario{passScenarios[3], passScenarios[2]} { // p50 latency, same; errors 0% vs 0%
		good, err := simulate(ctx, cfg, sc, uint64(3+i), 10, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range good {
			if o[sequential].verdict != analysis.Pass {
				t.Errorf("a good canary, %s: %+v, want a pass within %s", sc.name, o[sequential], cfg.deadline)
			}
		}
	}
	t.Logf("A/A: %d of %d failed; bad: %d of %d caught before %s", failed, cfg.canaries, early, cfg.runs, cfg.interval)
}
