package e2e

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// TestDownStopsAnEnvironment takes staging down while dev runs: staging's
// processes are gone and its router sends nobody anywhere, dev's keep
// running and serving; an apply brings staging back.
func TestDownStopsAnEnvironment(t *testing.T) {
	p := newPipelineApp(t, fmt.Sprintf(pipelineSpec, ""))
	p.applyAll("dev", "staging")
	devPIDs, stagingPIDs := p.pids("dev"), p.pids("staging")
	if len(devPIDs) != 1 || len(stagingPIDs) != 1 {
		t.Fatalf("dev runs %v, staging %v; want one instance each", devPIDs, stagingPIDs)
	}

	r := p.srv.mustCLI("down", "--env", "staging")
	if !strings.Contains(r.stdout, "environment staging is down") {
		t.Errorf("down said:\n%s", r)
	}
	for id, pid := range stagingPIDs {
		if alive(pid) {
			t.Errorf("staging's instance %s (pid %d) still runs after down", id, pid)
		}
	}
	if pids := pidsUnder(filepath.Join(p.srv.data, "envs", "staging", "instances")); len(pids) > 0 {
		t.Errorf("processes still run in staging's instance directories: %v", pids)
	}
	if code, body, err := httpDo("GET", p.routerOf("staging")+"/healthz", "", nil); err == nil && code == 200 {
		t.Errorf("staging's router still answers 200 after down: %s", body)
	}
	if now := p.pids("dev"); !maps.Equal(now, devPIDs) {
		t.Errorf("dev's instances changed when staging went down: %v, then %v", devPIDs, now)
	}
	for id, pid := range devPIDs {
		if !alive(pid) {
			t.Errorf("dev's instance %s (pid %d) died when staging went down", id, pid)
		}
	}
	if body, err := fetchJSON(p.routerOf("dev") + "/"); err != nil || body["service"] != "order" {
		t.Errorf("dev's router after staging went down: %v %v", body, err)
	}
	envs := p.srv.environments()
	if e := findEnv(t, envs, "staging"); len(e.Services) != 0 || e.Down {
		t.Errorf("env list shows staging %+v; want it with no services", e)
	}
	if e := findEnv(t, envs, "dev"); !slices.Equal(e.Services, []string{"order"}) {
		t.Errorf("env list shows dev %+v; want it running order", e)
	}

	p.applyAll("staging")
	waitFor(t, 30*time.Second, "order converged in staging again", func() (bool, string) {
		return converged(p.srv.envServices("staging"), map[string]int{"order": 1})
	})
	if body, err := fetchJSON(p.routerOf("staging") + "/"); err != nil || body["service"] != "order" {
		t.Errorf("staging's router after it came back: %v %v", body, err)
	}
	if e := findEnv(t, p.srv.environments(), "staging"); !slices.Equal(e.Services, []string{"order"}) {
		t.Errorf("env list shows staging %+v after the apply; want it running order", e)
	}
}

// restartSpec is order in dev and prod, which a person must approve
// promotions into.
const restartSpec = `app: shop
services:
  order:
    run: ["./bin/order", "--port", "${PORT}"]
    artifact: {path: ./bin/order}
    env: {VERSION: pipeline}
    instances: 1
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {path: /}
    stopGrace: 2s
    strategy:
      rolling: {progressDeadline: 60s}
environments:
  dev: {}
  prod:
    production: true
    gates:
      - approval: {}
    overrides:
      services:
        order: {instances: 2}
`

// TestEnvironmentsSurviveARestart kills the server (kill -9) while a
// promotion into prod waits for approval, and starts it again on the
// same data: both environments come back on the same routers, adopt
// their instances, and the promotion still waits, then completes once
// approved.
func TestEnvironmentsSurviveARestart(t *testing.T) {
	p := newPipelineApp(t, restartSpec)
	p.applyAll("dev", "prod")
	v1 := p.binaryArtifact("v1")
	p.push(v1, "v1", pushedCommit{"aaaaaaa1", time.Now().Add(-time.Hour).UTC().Truncate(time.Second)})
	p.srv.mustCLI("deploy", "order", "--version", "v1", "--env", "dev", "--wait", "--timeout", "50s")
	id := promotionID(t, p.srv.mustCLI("promote", "order", "--from", "dev", "--to", "prod"))
	p.waitWaiting("prod", id, "waiting for approval")
	routers := routersOf(p.srv.environments())
	pids := map[string]map[string]int{"dev": p.pids("dev"), "prod": p.pids("prod")}

	p.srv.kill()
	for env, m := range pids {
		for id, pid := range m {
			if !alive(pid) {
				t.Fatalf("%s's instance %s (pid %d) died with the server", env, id, pid)
			}
		}
	}
	p.srv = startServer(t, p.srv.data)
	t.Cleanup(p.dumpOnFailure) // before the new server is killed

	if got := routersOf(p.srv.environments()); !maps.Equal(got, routers) {
		t.Errorf("environments after the restart: %v; before: %v", got, routers)
	}
	for env, want := range pids {
		waitFor(t, 30*time.Second, "order converged in "+env, func() (bool, string) {
			return converged(p.srv.envServices(env), map[string]int{"order": len(want)})
		})
		if got := p.pids(env); !maps.Equal(got, want) {
			t.Errorf("%s's instances after the restart: %v; before: %v (not adopted)", env, got, want)
		}
	}
	st := p.stage("prod")
	if st.Promotion == nil || st.Promotion.ID != id || st.Promotion.State != "Waiting" || !strings.Contains(st.Waiting, "waiting for approval") {
		t.Fatalf("after the restart, prod's latest promotion is %+v (waiting: %q); want promotion %d still waiting for approval", st.Promotion, st.Waiting, id)
	}
	p.srv.mustCLI("approve", "order", "--env", "prod", "--by", "ana")
	if done := p.waitPromotion("prod", id); done.State != "Succeeded" {
		t.Fatalf("promotion %d after the approval: %s: %s", id, done.State, done.Reason)
	}
	p.checkRuns("prod", "v1", v1, p.stage("prod").Revision, 2)
	for id, pid := range pids["dev"] {
		if !alive(pid) {
			t.Errorf("dev's instance %s (pid %d) died when prod took v1", id, pid)
		}
	}
}

// pids maps order's instances in env to their process ids, from
// `status --env E -o json`.
func (p *pipelineApp) pids(env string) map[string]int {
	p.t.Helper()
	var svcs []api.Service
	decodeCLI(p.t, p.srv.mustCLI("status", "--env", env, "-o", "json"), &svcs)
	svc, ok := find(svcs, "order")
	if !ok {
		p.t.Fatalf("no order in %s: %+v", env, svcs)
	}
	return instancePIDs(svc)
}

func findEnv(t *testing.T, envs []api.Environment, name string) api.Environment {
	t.Helper()
	i := slices.IndexFunc(envs, func(e api.Environment) bool { return e.Name == name })
	if i < 0 {
		t.Fatalf("env list has no %s: %+v", name, envs)
	}
	return envs[i]
}

// routersOf maps each environment but the default (whose router is the
// server's --router) to its router URL.
func routersOf(envs []api.Environment) map[string]string {
	out := map[string]string{}
	for _, e := range envs {
		if e.Name != "default" {
			out[e.Name] = e.Router
		}
	}
	return out
}
