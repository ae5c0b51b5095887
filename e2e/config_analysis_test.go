package e2e

// A config delivery judged by its analysis (issue 15): the router's
// per-instance metrics of the instances on the new version, under real
// traffic. A good version passes each step's judgement; a version that
// makes the instances fail 30% of requests is rolled back by the
// analysis, with the reason and the event.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/loadgen"
)

const judgedConfigSpec = `app: configured
services:
  web:
    run: ["python3", "app.py", "${PORT}"]
    artifact: {path: ./app.py, version: v1}
    instances: 4
    route: {host: web.localhost}
    health: {readiness: {http: /healthz, interval: 200ms}}
configs:
  settings:
    service: web
    values: {timeoutMs: 2000}
    signal: SIGHUP
    delivery:
      strategy: {linear: {steps: 2, interval: 1s}}
      analysis:
        interval: 1s
        metrics: [{name: ok, provider: router, metric: successRate, successCondition: "result >= 0.95"}]
`

func TestConfigAnalysisRollsBackAFailingVersion(t *testing.T) {
	needPython(t)
	s := startServer(t, t.TempDir())
	dir := specDir(t)
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(configApp), 0o644); err != nil {
		t.Fatal(err)
	}
	s.mustCLI("apply", "-f", writeSpec(t, dir, "slipway.yaml", judgedConfigSpec), "--wait", "--timeout", "60s")
	s.waitConverged(20*time.Second, map[string]int{"web": 4})
	s.waitDelivered(20*time.Second, 1, 2000, "Succeeded")

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var load loadgen.Result
	wg.Go(func() {
		load = loadgen.Run(ctx, loadgen.Config{URL: "http://" + s.router + "/", Host: "web.localhost", Workers: 4, Interval: 5 * time.Millisecond})
	})
	defer func() { cancel(); wg.Wait() }()

	// A good version: each step waits for the analysis to judge it.
	s.mustCLI("config", "set", "settings", "timeoutMs=3000")
	s.waitDelivered(30*time.Second, 2, 3000, "Succeeded")
	c := s.configStatus()
	if c.Delivery.Step != 2 || c.Delivery.Analysis == nil || len(c.Delivery.Analysis.Metrics) != 1 ||
		len(c.Delivery.Analysis.Metrics[0].Measurements) == 0 {
		t.Fatalf("a good version's delivery: %+v", c.Delivery)
	}

	// A bad one: half the instances get it, fail 30% of requests, and
	// the analysis sends them back to v2.
	s.mustCLI("config", "set", "settings", "failPercent=30", "--reason", "chaos")
	waitFor(t, 30*time.Second, "the rollback", func() (bool, string) {
		c := s.configStatus()
		return c.Delivery != nil && c.Delivery.Version == 3 && c.Delivery.Phase == "RolledBack", fmt.Sprintf("%+v", c.Delivery)
	})
	c = s.configStatus()
	if !strings.HasPrefix(c.Delivery.Reason, "analysis failed: ok: ") || !strings.HasSuffix(c.Delivery.Reason, "back to v2") || c.Delivery.Step != 1 {
		t.Errorf("rolled back: %s (step %d)", c.Delivery.Reason, c.Delivery.Step)
	}
	ms := c.Delivery.Analysis.Metrics[0].Measurements
	if last := ms[len(ms)-1]; last.Verdict != "fail" || last.Value >= 0.95 {
		t.Errorf("the last measurement: %+v", last)
	}
	if out := s.mustCLI("config", "status", "settings").stdout; !strings.Contains(out, "analysis failed\n") ||
		!strings.Contains(out, "ok (router, result >= 0.95): failed") || !strings.Contains(out, "does not meet result >= 0.95") {
		t.Errorf("config status:\n%s", out)
	}
	s.waitDelivered(20*time.Second, 2, 3000, "RolledBack")
	var rolledBack bool
	for _, e := range s.events() {
		rolledBack = rolledBack || (e.Type == "config.delivery.rolled_back" && strings.Contains(e.Message, "analysis failed"))
	}
	if !rolledBack {
		t.Error("no config.delivery.rolled_back event naming the analysis")
	}
	cancel()
	wg.Wait()
	t.Logf("load: %s", load)
}
