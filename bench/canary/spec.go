package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// The scenario of issue 4: a bad canary at default settings.
const (
	service   = "shop"           // the one service
	routeHost = "shop.localhost" // the Host its route answers
	instances = 3                // instances of the service
	weight    = 10               // the canary's first (and only) weight, percent
	failRate  = 0.2              // share of requests the bad version answers 500
	// analysisInterval is the default analysis interval
	// (spec.DefaultAnalysisInterval; the spec leaves it out): the
	// least time the judge needs to see the canary's errors.
	analysisInterval = 5 * time.Second
)

// judge is how the canary's analysis judges v2: the analysis below is
// all that differs between the two.
type judge int

const (
	// interval is issue 4's setup: a success condition on the canary's
	// success rate over each interval (5s).
	interval judge = iota
	// sequential is issue 19's default for compare: baseline: the
	// canary's errors against stable's, judged on every 100ms tick and
	// at once after an error.
	sequential
)

func (j judge) String() string { return [...]string{"interval", "sequential"}[j] }

// metric is the analysis metric of each judge, as a user writes it.
func (j judge) metric() string {
	if j == sequential {
		return "{name: errors, provider: router, metric: successRate, compare: baseline}"
	}
	return `{name: success-rate, provider: router, metric: successRate, successCondition: "result >= 0.99"}`
}

// The canaries' steps: the bad one's (issue 4) waits for promote after
// its weight, while its analysis runs in the background; the good one's
// has an analysis step (3 passing measurements for the interval judge,
// one decision for the sequential one) between its weight and the wait.
const (
	badSteps  = "[{setWeight: %d}, {pause: {}}]"
	goodSteps = "[{setWeight: %d}, {analysis: {}}, {pause: {}}]"
)

// appSpec is the shop service at version, its canary at default
// settings: steps (badSteps or goodSteps), judged by the router's
// success rate with j. failRate > 0 makes the version fail that share of
// requests.
func appSpec(version string, failRate float64, j judge, steps string) string {
	env := "VERSION: " + version
	if failRate > 0 {
		env += fmt.Sprintf(", FAIL_RATE: %q", fmt.Sprint(failRate))
	}
	return fmt.Sprintf(`app: bench
services:
  %s:
    run: ["./bin/order", "--name", "shop", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {%s}
    instances: %d
    health:
      readiness: {http: /healthz}
    route: {host: %s}
    strategy:
      canary:
        steps: %s
        analysis:
          metrics:
            - %s
`, service, env, instances, routeHost, fmt.Sprintf(steps, weight), j.metric())
}

// appDir is a directory holding bin/order and the spec file, whose
// canary is judged by judge with steps.
type appDir struct {
	dir   string
	judge judge
	steps string
}

// newAppDir makes dir with a copy of the order binary in dir/bin.
func newAppDir(dir, order string, j judge) (appDir, error) {
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		return appDir{}, fmt.Errorf("make app directory: %w", err)
	}
	if err := copyFile(order, filepath.Join(dir, "bin", "order")); err != nil {
		return appDir{}, err
	}
	return appDir{dir, j, badSteps}, nil
}

// write writes the spec of version and returns the file's path.
func (d appDir) write(version string, failRate float64) (string, error) {
	path := filepath.Join(d.dir, "slipway.yaml")
	if err := os.WriteFile(path, []byte(appSpec(version, failRate, d.judge, d.steps)), 0o644); err != nil {
		return "", fmt.Errorf("write spec: %w", err)
	}
	return path, nil
}

// copyFile copies an executable.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}
