package e2e

// Canary releases end to end: real processes, the real router splitting
// traffic by weight, the router's own metrics judged every interval, and
// a load generator. A good candidate is promoted by its analysis with no
// request failing; a candidate that fails 20% of requests is rolled back
// on its own, all traffic back on stable at once; a server killed with
// -9 mid-canary picks the canary up where it was.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// canaryStrategy is a canary in YAML flow style: steps, then an analysis
// of the router's success rate and p99 latency against the baseline
// (judged sequentially, the default). The floor is 0.2s: under the
// load generator a lone fresh canary instance answers its p99 two or
// three times slower than the stable's three (the judge proves that
// within a second), which is not the regression these tests are about.
func canaryStrategy(steps, interval string) string {
	return fmt.Sprintf(`canary: {steps: %s, progressDeadline: 20s, analysis: {interval: %s, metrics: [`+
		`{name: success-rate, provider: router, metric: successRate, successCondition: "result >= 0.99"}, `+
		`{name: latency, provider: router, metric: latencyP99, compare: baseline, floor: 0.2, minSamples: 5}]}}`, steps, interval)
}

// startCanaryApp starts a server, deploys v1 of the shop service (a first
// deploy is not a canary) and waits until the router serves it.
func startCanaryApp(t *testing.T, steps, interval string) *zdApp {
	t.Helper()
	a := &zdApp{srv: startServer(t, t.TempDir()), dir: specDir(t)}
	a.file = a.writeCanary("v1", "", steps, interval)
	a.srv.mustCLI("apply", "-f", a.file, "--wait", "--timeout", "30s")
	a.srv.waitConverged(10*time.Second, map[string]int{"shop": 3})
	a.waitServes("v1", 5*time.Second)
	return a
}

func (a *zdApp) writeCanary(version, env, steps, interval string) string {
	spec := shopSpec("canary", "VERSION: "+version+env, canaryStrategy(steps, interval))
	return writeSpec(a.srv.t, a.dir, "slipway.yaml", a.routed(spec))
}

func TestCanaryPromotedByAnalysisUnderLoad(t *testing.T) {
	const steps = "[{setWeight: 30}, {analysis: {count: 2}}, {setWeight: 60}, {pause: 1s}]"
	a := startCanaryApp(t, steps, "1s")
	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	r := a.srv.cli("apply", "-f", a.writeCanary("v2", "", steps, "1s"), "--wait", "--timeout", "90s")
	res, took := l.stop()
	if r.code != 0 {
		t.Fatalf("apply v2 --wait: %s\n%s", r, describe(a.srv.service("shop")))
	}
	checkNoFailures(t, "canary promoted by analysis", res, took, l.probe)
	svc := a.srv.service("shop")
	c := svc.Canary
	if c == nil || c.Outcome != "Promoted" || svc.Stable != 2 {
		t.Fatalf("after the canary: %s canary %+v", describe(svc), c)
	}
	if seen := l.probe.seen(); seen["v1"] == 0 || seen["v2"] == 0 {
		t.Errorf("the prober saw %v: want both versions answer during the canary", seen)
	}
	checkAnalysisPassed(t, c)
	a.checkServes("v2", 30)
	// The promotion stops v1's instances; each drains before it ends.
	waitFor(t, 15*time.Second, "no instance of v1 after the promotion", func() (bool, string) {
		left := revisionPIDs(a.srv.service("shop"), 1)
		return len(left) == 0, fmt.Sprint(left)
	})
}

// checkAnalysisPassed checks the stored analysis explains the promotion:
// both metrics measured and passed, with their numbers.
func checkAnalysisPassed(t *testing.T, c *api.Canary) {
	t.Helper()
	if c.Analysis == nil || c.StepAnalysis == nil || c.StepAnalysis.Phase != "successful" {
		t.Fatalf("analysis %+v step analysis %+v: want the analysis step successful", c.Analysis, c.StepAnalysis)
	}
	for _, m := range c.StepAnalysis.Metrics {
		// The latency comparison is judged sequentially (the default):
		// one pass decides, where a condition needs the step's count.
		want := 2
		if m.Judge == "compare: baseline, sequential" {
			want = 1
		}
		if m.Passes < want || m.Failures != 0 || len(m.Measurements) == 0 {
			t.Errorf("metric %s: %d passes, %d failures, %d measurements kept", m.Name, m.Passes, m.Failures, len(m.Measurements))
			continue
		}
		last := m.Measurements[len(m.Measurements)-1]
		if last.Verdict != "pass" || last.Reason == "" || last.Samples == 0 {
			t.Errorf("metric %s: last measurement %+v", m.Name, last)
		}
		if m.Name == "latency" && (m.Judge != "compare: baseline, sequential" || last.Stats["upper"] == 0 || last.Stats["crossedAt"] == 0) {
			t.Errorf("the latency comparison (judge %q) kept no confidence sequence: %+v", m.Judge, last)
		}
	}
}

func TestBadCanaryIsRolledBackAutomatically(t *testing.T) {
	const steps = "[{setWeight: 10}, {pause: {}}]"
	a := startCanaryApp(t, steps, "2s")
	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	r := a.srv.cli("apply", "-f", a.writeCanary("v3", ", FAIL_RATE: \"0.2\"", steps, "2s"), "--wait", "--timeout", "60s")
	back := time.Since(start)
	res, _ := l.stop()
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "success-rate") {
		t.Fatalf("apply of a bad canary: want a failure naming the metric; got %s", r)
	}
	svc := a.srv.service("shop")
	if svc.Revision != 1 || svc.Canary == nil || svc.Canary.Outcome != "RolledBack" || !strings.Contains(svc.Canary.Reason, "does not meet result >= 0.99") {
		t.Fatalf("after the bad canary: %s canary %+v", describe(svc), svc.Canary)
	}
	if svc.Traffic == nil || svc.Traffic.Active != 1 || svc.Traffic.Weight != 0 {
		t.Errorf("traffic %+v: want all on revision 1", svc.Traffic)
	}
	var revs []api.Revision
	if err := a.srv.getJSON("/v1/services/shop/revisions", &revs); err != nil || len(revs) < 2 || revs[1].State != "RolledBack" {
		t.Errorf("revisions %+v (%v): want revision 2 RolledBack", revs, err)
	}
	a.checkServes("v1", 50)
	waitFor(t, 10*time.Second, "no v3 instance left", func() (bool, string) {
		s := a.srv.service("shop")
		return len(revisionPIDs(s, 2)) == 0, describe(s)
	})
	// Users saw the canary's errors only while it had its 10%: report
	// them against the least the analysis could allow (one interval's).
	t.Logf("bad canary rolled back %s after the apply; %d of %d requests failed (%.2f%%)",
		back.Round(100*time.Millisecond), res.Failed, res.Sent, 100*float64(res.Failed)/float64(max(res.Sent, 1)))
	if !hasEvent(a.srv.events(), "shop", "service.canary.rolled_back") {
		t.Errorf("no service.canary.rolled_back event: %v", eventTypes(a.srv.events()))
	}
}

func TestCanarySurvivesAServerKillAndIsPromotedByHand(t *testing.T) {
	const steps = "[{setWeight: 20}, {pause: {}}]"
	a := startCanaryApp(t, steps, "1s")
	a.srv.mustCLI("apply", "-f", a.writeCanary("v2", "", steps, "1s"))
	waitFor(t, 20*time.Second, "canary at 20%, paused until promoted", func() (bool, string) {
		svc := a.srv.service("shop")
		c := svc.Canary
		return c != nil && c.Weight == 20 && c.Step == 1 && !c.StepStarted.IsZero(), describe(svc)
	})
	if got := a.versions(200); got["v2"] < 15 || got["v2"] > 70 || got["v1"]+got["v2"] != 200 {
		t.Errorf("200 requests at 20%%: %v", got)
	}
	a.srv.kill()
	router := a.srv.router
	a.srv = startServer(t, a.srv.data, "--router", router)
	a.srv.router = router
	if r := a.srv.cli("rollout", "promote", "shop"); r.code != 0 {
		t.Fatalf("promote after the restart: %s", r)
	}
	waitFor(t, 30*time.Second, "the canary promoted after the restart", func() (bool, string) {
		svc := a.srv.service("shop")
		return svc.Stable == 2 && svc.Phase == "Ready", describe(svc)
	})
	a.checkServes("v2", 30)
}
