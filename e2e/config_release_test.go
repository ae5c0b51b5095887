package e2e

// One release for code and config (issue 15): an apply that changes a
// service and the values of the config it reads ties the new version to
// the new revision. The canary's instance reads the new config at its
// start, the stable ones keep the old; the canary's verdict, promotion
// or rollback, is the config's.

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

// releaseSpec is web at code version code (an env var: a new revision)
// with the config's values.
func releaseSpec(code, values string) string {
	return `app: configured
services:
  web:
    run: ["python3", "app.py", "${PORT}"]
    artifact: {path: ./app.py, version: v1}
    env: {CODE: ` + code + `}
    instances: 4
    route: {host: web.localhost}
    health: {readiness: {http: /healthz, interval: 200ms}}
    strategy:
      canary:
        steps: [{setWeight: 25}, {pause: {}}]
        analysis:
          interval: 2s
          metrics: [{name: ok, provider: router, metric: successRate, successCondition: "result >= 0.95"}]
configs:
  settings:
    service: web
    values: ` + values + `
    signal: SIGHUP
`
}

// startRelease deploys v1 with config v1, then applies code v2 with
// values: it checks the plan names the tie, and waits until the canary's
// instance answers with config v2 while the four stable ones answer
// with v1.
func startRelease(t *testing.T, values string) (*server, string) {
	t.Helper()
	needPython(t)
	s := startServer(t, t.TempDir())
	dir := specDir(t)
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(configApp), 0o644); err != nil {
		t.Fatal(err)
	}
	s.mustCLI("apply", "-f", writeSpec(t, dir, "slipway.yaml", releaseSpec("v1", "{timeoutMs: 2000}")), "--wait", "--timeout", "60s")
	s.waitConverged(20*time.Second, map[string]int{"web": 4})
	s.waitDelivered(20*time.Second, 1, 2000, "Succeeded")

	file := writeSpec(t, dir, "slipway.yaml", releaseSpec("v2", values))
	if out := s.mustCLI("plan", "-f", file).stdout; !strings.Contains(out, "~ config settings (a new version, released with revision 2 of web") ||
		!strings.Contains(out, "the others keep v1") {
		t.Errorf("plan says:\n%s", out)
	}
	s.mustCLI("apply", "-f", file)
	waitFor(t, 30*time.Second, "the canary's instance on config v2, stable's on v1", func() (bool, string) {
		got := s.applied()
		byRev := map[int][]string{}
		for _, in := range s.service("web").Instances {
			if in.Ready && in.State == "Running" {
				byRev[in.Revision] = append(byRev[in.Revision], got[in.ID])
			}
		}
		ok := len(byRev[1]) == 4 && len(byRev[2]) == 1 && byRev[2][0] == "v2 3000"
		for _, a := range byRev[1] {
			ok = ok && a == "v1 2000"
		}
		return ok, fmt.Sprint(byRev)
	})
	c := s.configStatus()
	if c.Version != 2 || c.Current != 1 || c.Revision != 2 || c.Delivery == nil || c.Delivery.Revision != 2 || c.Delivery.Phase != "Progressing" {
		t.Fatalf("config in release: %+v %+v", c, c.Delivery)
	}
	if out := s.mustCLI("config", "status", "settings").stdout; !strings.Contains(out, "settings v2 Progressing (with revision 2 of web), from v1") {
		t.Errorf("config status:\n%s", out)
	}
	return s, file
}

func TestConfigAndCodeRolledBackAsOne(t *testing.T) {
	s, _ := startRelease(t, "{timeoutMs: 3000, failPercent: 30}")
	if r := s.cli("config", "set", "settings", "timeoutMs=4000"); r.code == 0 || !strings.Contains(r.stderr, "still in release") {
		t.Errorf("config set during the release: %d %s", r.code, r.stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		loadgen.Run(ctx, loadgen.Config{URL: "http://" + s.router + "/", Host: "web.localhost", Workers: 4, Interval: 5 * time.Millisecond})
	})
	defer func() { cancel(); wg.Wait() }()

	// The canary fails 30% of its requests: its analysis rolls back the
	// revision, and the config with it.
	waitFor(t, 30*time.Second, "the rollback", func() (bool, string) {
		c := s.configStatus()
		return c.Delivery != nil && c.Delivery.Phase == "RolledBack", fmt.Sprintf("%+v", c.Delivery)
	})
	c := s.configStatus()
	if c.Current != 1 || !strings.Contains(c.Delivery.Reason, "revision 2 of web rolled back: ") ||
		!strings.Contains(c.Delivery.Reason, "does not meet result >= 0.95") || !strings.HasSuffix(c.Delivery.Reason, "back to v1") {
		t.Errorf("rolled back: current v%d, %s", c.Current, c.Delivery.Reason)
	}
	if svc := s.service("web"); svc.Revision != 1 || svc.Canary == nil || svc.Canary.Outcome != "RolledBack" {
		t.Errorf("the service: revision %d canary %+v", svc.Revision, svc.Canary)
	}
	hist := s.mustCLI("config", "history", "settings").stdout
	if !strings.Contains(hist, "released with revision 2 of web [with revision 2: rolled back: ") || !strings.Contains(hist, "does not meet result >= 0.95") {
		t.Errorf("config history:\n%s", hist)
	}
	cancel()
	wg.Wait()
	s.waitDelivered(20*time.Second, 1, 2000, "RolledBack")
	var rolledBack bool
	for _, e := range s.events() {
		rolledBack = rolledBack || (e.Type == "config.delivery.rolled_back" && strings.Contains(e.Message, "revision 2 of web rolled back"))
	}
	if !rolledBack {
		t.Error("no config.delivery.rolled_back event naming the revision")
	}
	// The config is its own again: a change is delivered in steps.
	s.mustCLI("config", "set", "settings", "timeoutMs=2500")
	s.waitDelivered(20*time.Second, 3, 2500, "Succeeded")
}

func TestConfigAndCodePromotedAsOne(t *testing.T) {
	s, _ := startRelease(t, "{timeoutMs: 3000}")
	s.mustCLI("rollout", "promote", "web")
	s.waitDelivered(30*time.Second, 2, 3000, "Succeeded")
	waitFor(t, 30*time.Second, "revision 2 stable", func() (bool, string) {
		svc := s.service("web")
		return svc.Revision == 2 && svc.Phase == "Ready", describe(svc)
	})
	c := s.configStatus()
	if c.Current != 2 || !strings.Contains(c.Delivery.Reason, "revision 2 of web promoted: every instance reads v2") {
		t.Errorf("promoted: current v%d, %s", c.Current, c.Delivery.Reason)
	}
	for _, in := range s.service("web").Instances {
		if in.Revision != 2 {
			t.Errorf("instance %s of revision %d left", in.ID, in.Revision)
		}
	}
	if hist := s.mustCLI("config", "history", "settings").stdout; !strings.Contains(hist, "[with revision 2: promoted]") {
		t.Errorf("config history:\n%s", hist)
	}
}
