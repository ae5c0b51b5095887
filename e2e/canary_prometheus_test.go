package e2e

// Canary analysis by a real Prometheus (Debian's, started by the test)
// scraping the server's own /metrics, and by a Prometheus that is down:
// its errors count against the consecutive-error limit and are never a
// pass, so the canary is rolled back with the reason.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/promtest"
)

// promErrorRatio is the canary's share of 5xx answers over 10s, by the
// router's own counters as Prometheus scraped them.
const promErrorRatio = `(sum(rate(slipway_router_requests_total{service=\"shop\",revision=\"{{canary}}\",code_class=\"5xx\"}[10s])) or vector(0)) / sum(rate(slipway_router_requests_total{service=\"shop\",revision=\"{{canary}}\"}[10s]))`

// promStrategy is a canary judged only by a Prometheus query.
func promStrategy(steps, limits string) string {
	return fmt.Sprintf(`canary: {steps: %s, progressDeadline: 20s, analysis: {interval: 1s, deadline: 40s%s, metrics: [`+
		`{name: error-ratio, provider: prometheus, query: "%s", successCondition: "result < 0.05"}]}}`, steps, limits, promErrorRatio)
}

// startServerWith starts a server on a chosen API address (Prometheus
// scrapes it) with extra flags.
func startServerWith(t *testing.T, addr string, extra ...string) *server {
	t.Helper()
	s := spawnServer(t, t.TempDir(), append([]string{"--api", addr}, extra...)...)
	s.addr, s.url = addr, "http://"+addr
	s.waitHealthy(addr)
	return s
}

func (a *zdApp) deploy(spec string) {
	a.file = writeSpec(a.srv.t, a.dir, "slipway.yaml", spec)
	a.srv.mustCLI("apply", "-f", a.file, "--wait", "--timeout", "30s")
	a.srv.waitConverged(10*time.Second, map[string]int{"shop": 3})
	a.waitServes("v1", 5*time.Second)
}

func TestBadCanaryIsRolledBackByPrometheus(t *testing.T) {
	addr := freeAddr(t)
	const token = "prometheus-scrapes-with-this"
	prom := promtest.StartWithToken(t, token, addr)
	a := &zdApp{srv: startServerWith(t, addr, "--prometheus", prom.URL, "--token", token), dir: specDir(t)}
	const steps = "[{setWeight: 30}, {pause: {}}]"
	a.deploy(shopSpec("prom", "VERSION: v1", promStrategy(steps, "")))
	l := a.startLoad(loadLimit)
	defer l.stop()
	prom.WaitForSeries(t, `slipway_router_requests_total{service="shop"}`, 30*time.Second)
	spec := shopSpec("prom", `VERSION: v2, FAIL_RATE: "0.2"`, promStrategy(steps, ""))
	r := a.srv.cli("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", spec), "--wait", "--timeout", "60s")
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "error-ratio") {
		t.Fatalf("apply of a bad canary judged by Prometheus: want a failure naming error-ratio; got %s", r)
	}
	svc := a.srv.service("shop")
	c := svc.Canary
	if svc.Revision != 1 || c == nil || c.Outcome != "RolledBack" || !strings.Contains(c.Reason, "does not meet result < 0.05") {
		t.Fatalf("after the canary: %s canary %+v", describe(svc), c)
	}
	m := c.Analysis.Metrics[0]
	last := m.Measurements[len(m.Measurements)-1]
	if last.Verdict != "fail" || last.Value < 0.05 || last.Value > 0.6 {
		t.Errorf("last measurement %+v: want Prometheus's error ratio near 0.2, failed", last)
	}
	t.Logf("rolled back: %s", c.Reason)
}

func TestPrometheusDownIsNeverAPass(t *testing.T) {
	dead := freeAddr(t) // nobody listens there
	a := &zdApp{srv: startServerWith(t, freeAddr(t), "--prometheus", "http://"+dead), dir: specDir(t)}
	const steps = "[{setWeight: 30}, {pause: {}}]"
	a.deploy(shopSpec("prom", "VERSION: v1", promStrategy(steps, ", consecutiveErrorLimit: 2")))
	spec := shopSpec("prom", "VERSION: v2", promStrategy(steps, ", consecutiveErrorLimit: 2"))
	r := a.srv.cli("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", spec), "--wait", "--timeout", "60s")
	if r.code == 0 {
		t.Fatalf("a canary whose only metric cannot be measured was not rolled back: %s", r)
	}
	c := a.srv.service("shop").Canary
	if c == nil || c.Outcome != "RolledBack" || !strings.Contains(c.Reason, "3 errors in a row") || !strings.Contains(c.Reason, "could not be measured") {
		t.Fatalf("canary %+v: want rolled back after 3 errors in a row, saying why", c)
	}
	a.checkServes("v1", 30)
}
