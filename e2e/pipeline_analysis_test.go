package e2e

// A promotion's analysis gate judges the version by the router's own
// metrics in the environment it comes from, under real traffic: a
// version that answers errors there never reaches prod.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/loadgen"
)

// analysisGateSpec is order in staging (with %s as its FAIL_RATE) and
// prod, which takes it only through an analysis gate measured in
// staging: the router's success rate, two passes one second apart.
const analysisGateSpec = `app: shop
services:
  order:
    run: ["./bin/order", "--port", "${PORT}"]
    artifact: {path: ./bin/order}
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {path: /}
    stopGrace: 2s
environments:
  staging:
    overrides: {services: {order: {env: {FAIL_RATE: "%s"}}}}
  prod:
    gates:
      - analysis:
          interval: 1s
          count: 2
          metrics:
            - {name: success-rate, provider: router, metric: successRate, successCondition: "result >= 0.95"}
`

func TestPipelineAnalysisGate(t *testing.T) {
	for _, c := range []struct {
		name, failRate, state, reason string
	}{
		{"healthy version promoted", "0", "Succeeded", "prod runs version v1"},
		{"failing version stopped", "0.5", "Failed", "gate 1 (analysis) failed: success-rate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newPipelineApp(t, fmt.Sprintf(analysisGateSpec, c.failRate))
			p.applyAll("staging", "prod")
			p.push(p.binaryArtifact("v1"), "v1", pushedCommit{id: "1111111", when: time.Now().Add(-time.Hour).UTC().Truncate(time.Second)})
			p.srv.mustCLI("deploy", "order", "--version", "v1", "--env", "staging", "--wait", "--timeout", "50s")
			prodBefore := p.currentRevision("prod")

			// Users of staging, for the router to measure.
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			var load loadgen.Result
			wg.Go(func() {
				load = loadgen.Run(ctx, loadgen.Config{URL: p.routerOf("staging") + "/", Workers: 4, Interval: 5 * time.Millisecond})
			})
			r := p.srv.mustCLI("promote", "order", "--from", "staging", "--to", "prod")
			done := p.waitPromotion("prod", promotionID(t, r))
			cancel()
			wg.Wait()
			t.Logf("staging's users: %s; promotion: %s: %s", load, done.State, done.Reason)

			if done.State != c.state || !strings.Contains(done.Reason, c.reason) {
				t.Fatalf("promotion %s %q; want %s with %q", done.State, done.Reason, c.state, c.reason)
			}
			if g := done.Gates[0]; g.Kind != "analysis" || (c.state == "Succeeded") != (g.State == "Passed") {
				t.Errorf("gate %+v", g)
			}
			now := p.currentRevision("prod")
			if c.state == "Failed" && now.Number != prodBefore.Number {
				t.Errorf("prod moved from revision %d to %d though the gate failed", prodBefore.Number, now.Number)
			}
			if c.state == "Succeeded" && now.Digest != "sha256:"+sha256File(t, filepath.Join(p.dir, "order-v1")) {
				t.Errorf("prod runs %s, not v1's artifact", now.Digest)
			}
		})
	}
}
