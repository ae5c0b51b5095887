package e2e

// Environments on one server are kept apart: the same spec applied to
// dev and prod makes two sets of instances, each behind its own router,
// with its own flags (served over OFREP under /envs/NAME) and its own
// event log.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

const isolatedApp = `app: shop
services:
  web:
    run: ["./bin/order", "--name", "web", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    health: {readiness: {http: /healthz, interval: 200ms}}
    route: {path: /}
flags:
  new-checkout: {class: release, type: boolean, default: on}
environments:
  dev: {}
  prod:
    overrides: {services: {web: {instances: 2, env: {STAGE: prod}}}}
`

func TestEnvironmentsAreKeptApart(t *testing.T) {
	s := startServer(t, t.TempDir())
	file := writeSpec(t, specDir(t), "slipway.yaml", isolatedApp)
	if r := s.cli("apply", "-f", file, "--wait"); r.code == 0 || !strings.Contains(r.stderr, "has environments (dev, prod): choose one with --env") {
		t.Fatalf("apply without --env of a spec with environments: %s", r)
	}
	for _, env := range []string{"dev", "prod"} {
		s.mustCLI("apply", "-f", file, "--env", env, "--wait", "--timeout", "60s")
	}

	var envs []api.Environment
	if err := json.Unmarshal([]byte(s.mustCLI("env", "list", "-o", "json").stdout), &envs); err != nil {
		t.Fatal(err)
	}
	routers := map[string]string{}
	for _, e := range envs {
		routers[e.Name] = e.Router
	}
	if routers["dev"] == "" || routers["prod"] == "" || routers["dev"] == routers["prod"] || !envNamed(envs, "prod").Production {
		t.Fatalf("environments: %+v", envs)
	}

	// Instances: one in dev, two in prod, each with its environment.
	var dev, prod []api.Service
	json.Unmarshal([]byte(s.mustCLI("status", "--env", "dev", "-o", "json").stdout), &dev)
	json.Unmarshal([]byte(s.mustCLI("status", "--env", "prod", "-o", "json").stdout), &prod)
	if len(dev) != 1 || len(dev[0].Instances) != 1 || len(prod) != 1 || len(prod[0].Instances) != 2 {
		t.Fatalf("dev %+v\nprod %+v", dev, prod)
	}
	for _, env := range []string{"dev", "prod"} {
		code, body, err := httpDo("GET", routers[env]+"/healthz", "", nil)
		if err != nil || code != http.StatusOK {
			t.Errorf("%s's router: %d %s %v", env, code, body, err)
		}
	}

	// Flags: a kill in prod leaves dev's flag on.
	s.mustCLI("flags", "kill", "new-checkout", "--env", "prod")
	eval := func(env string) string {
		_, body, _ := httpDo("POST", s.url+"/envs/"+env+"/ofrep/v1/evaluate/flags/new-checkout", s.token, []byte(`{"context":{"targetingKey":"u1"}}`))
		return body
	}
	waitFor(t, 10*time.Second, "prod's flag killed", func() (bool, string) {
		b := eval("prod")
		return strings.Contains(b, `"value":false`) || strings.Contains(b, `"DISABLED"`), b
	})
	if b := eval("dev"); !strings.Contains(b, `"value":true`) {
		t.Errorf("dev's flag after prod's kill: %s", b)
	}

	// Events: prod's log has the kill, dev's does not.
	has := func(env string) bool {
		return strings.Contains(s.mustCLI("events", "--env", env).stdout, "new-checkout")
	}
	if !has("prod") {
		t.Error("prod's event log does not mention the kill")
	}
	if strings.Contains(s.mustCLI("events", "--env", "dev").stdout, "killed") {
		t.Error("dev's event log shows prod's kill")
	}

	// Without --env, status shows the default environment, empty here,
	// and says where services run.
	if out := s.mustCLI("status").stdout; !strings.Contains(out, "Services run in environments dev, prod: slipway status --env dev") {
		t.Errorf("status without --env:\n%s", out)
	}

	// An environment the server does not host is an error, not the default.
	if r := s.cli("status", "--env", "qa"); r.code == 0 || !strings.Contains(r.stderr, `environment "qa" does not exist on this server`) {
		t.Errorf("status --env qa: %s", r)
	}
}

func envNamed(envs []api.Environment, name string) api.Environment {
	for _, e := range envs {
		if e.Name == name {
			return e
		}
	}
	return api.Environment{}
}
