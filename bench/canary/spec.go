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

// appSpec is the shop service at version, its canary at default
// settings: setWeight 10, then wait for promote, judged by the router's
// success rate. failRate > 0 makes the version fail that share of
// requests.
func appSpec(version string, failRate float64) string {
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
        steps: [{setWeight: %d}, {pause: {}}]
        analysis:
          metrics:
            - {name: success-rate, provider: router, metric: successRate, successCondition: "result >= 0.99"}
`, service, env, instances, routeHost, weight)
}

// appDir is a directory holding bin/order and the spec file.
type appDir string

// newAppDir makes dir with a copy of the order binary in dir/bin.
func newAppDir(dir, order string) (appDir, error) {
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		return "", fmt.Errorf("make app directory: %w", err)
	}
	if err := copyFile(order, filepath.Join(dir, "bin", "order")); err != nil {
		return "", err
	}
	return appDir(dir), nil
}

// write writes the spec of version and returns the file's path.
func (d appDir) write(version string, failRate float64) (string, error) {
	path := filepath.Join(string(d), "slipway.yaml")
	if err := os.WriteFile(path, []byte(appSpec(version, failRate)), 0o644); err != nil {
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
