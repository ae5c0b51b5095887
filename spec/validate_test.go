package spec

import (
	"errors"
	"strings"
	"testing"
)

// problemsOf parses src and returns its problems, failing if there are none.
func problemsOf(t *testing.T, src string) Problems {
	t.Helper()
	_, err := Parse("slipway.yaml", []byte(src))
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Parse error = %v, want *Problems", err)
	}
	return *ps
}

// web prefixes a spec body with an app and one valid service at lines
// 1-4, so a case's own lines start at 5.
const web = "app: shop\nservices:\n  web:\n    run: [./web]\n"

func TestParseProblems(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		path, msg string
	}{
		{"malformed yaml", "app: shop\nservices: [a,\n", 2, "", "invalid YAML: did not find expected node content"},
		{"empty file", "# nothing\n", 1, "", "file is empty"},
		{"top level list", "- a\n- b\n", 1, "", "top level must be a mapping with app and services; got a list"},
		{"two documents", web + "---\napp: b\n", 5, "", "only one YAML document"},
		{"unknown top field", web + "servics: {}\n", 5, "servics", `unknown field "servics" (did you mean "services"?); valid: app, services`},
		{"unknown service field", web + "    instance: 2\n", 5, "services.web.instance",
			`unknown field "instance" (did you mean "instances"?); valid: run, image, command, env, instances, scale, resources`},
		{"unknown deep field", web + "    strategy: {rolling: {maxSurg: 1}}\n", 5, "services.web.strategy.rolling.maxSurg", `did you mean "maxSurge"?`},
		{"duplicate key", web + "    run: [./b]\n", 5, "services.web.run", `"run" is set twice (first on line 4)`},
		{"string for int", web + "    instances: three\n", 5, "services.web.instances", `must be an integer; got the string "three"`},
		{"scalar for list", web + "    dependsOn: db\n", 5, "services.web.dependsOn", `must be a list, like [a, b]; got the string "db"`},
		{"list for struct", web + "    route: [/a]\n", 5, "services.web.route", "must be a mapping with fields host, hosts, certificate, clientCA, path, timeout, maxBody, drainTimeout, maxConcurrency, protocol; got a list"},
		{"bool wrong", web + "    health: {readiness: {tcp: maybe}}\n", 5, "services.web.health.readiness.tcp", "must be true or false"},
		{"missing app", "services:\n  web: {run: [./web]}\n", 1, "app", "required"},
		{"bad app name", "app: Shop_1\nservices:\n  web: {run: [./web]}\n", 1, "app", `invalid name "Shop_1": use a DNS label`},
		{"no services", "app: shop\n", 1, "services", "at least one service is required"},
		{"empty services", "app: shop\nservices: {}\n", 2, "services", "at least one service is required"},
		{"nothing to apply", "app: shop\n", 1, "services", "a file of feature flags only has flags: (and segments:) instead"},
		{"empty services beside flags", "app: shop\nservices: {}\nflags: {}\n", 2, "services", "a file without services: leaves the app's services as they are"},
		{"environments without services", "app: shop\nflags: {}\nenvironments:\n  dev: {}\n", 3, "environments", "environments promote services"},
		{"bad service name", "app: shop\nservices:\n  Web:\n    run: [./web]\n", 3, "services.Web", "use a DNS label"},
		{"long service name", "app: shop\nservices:\n  " + strings.Repeat("a", 64) + ": {run: [x]}\n", 3, "services." + strings.Repeat("a", 64), "at most 63"},
		{"null service", web + "  db:\n", 5, "services.db", "empty service: run (a command) or image (an OCI image) is required"},
		{"negative instances", web + "    instances: -1\n", 5, "services.web.instances", "must be >= 0, got -1"},
		{"missing run", "app: shop\nservices:\n  web:\n    instances: 1\n", 3, "services.web.run", "required: the command"},
		{"empty run", "app: shop\nservices:\n  web:\n    run: []\n", 4, "services.web.run", "required: the command"},
		{"empty command", "app: shop\nservices:\n  web:\n    run: [\"\", x]\n", 4, "services.web.run[0]", "must not be empty"},
		{"cycle", web + "    dependsOn: [db]\n  db:\n    run: [./db]\n    dependsOn: [web]\n",
			8, "services.db.dependsOn", "dependency cycle: db -> web -> db"},
		{"unknown dependency", web + "    dependsOn: [wbe]\n", 5, "services.web.dependsOn[0]", `unknown service "wbe" (did you mean "web"?); services: web`},
		{"self dependency", web + "    dependsOn: [web]\n", 5, "services.web.dependsOn[0]", "cannot depend on itself"},
		{"duplicate route", web + "    route: {host: a.test}\n  api:\n    run: [./api]\n    route: {host: a.test, path: /}\n",
			5, "services.web.route", "same route as service api (host a.test, path /)"},
		{"duplicate path route", web + "    route: {path: /x}\n  api:\n    run: [./api]\n    route: {path: /x}\n",
			5, "services.web.route", "same route as service api (host any, path /x)"},
		{"route path slash", web + "    route: {path: invoice}\n", 5, "services.web.route.path", "must start with /, like /invoice"},
		{"probe none", web + "    health: {readiness: {interval: 2s}}\n", 5, "services.web.health.readiness", "set exactly one of http"},
		{"probe two", web + "    health:\n      liveness: {http: /, tcp: true}\n", 6, "services.web.health.liveness", "set exactly one of http"},
		{"probe http path", web + "    health: {readiness: {http: healthz}}\n", 5, "services.web.health.readiness.http", "must be a path starting with /"},
		{"probe interval zero", web + "    health:\n      readiness:\n        tcp: true\n        interval: 0s\n", 8, "services.web.health.readiness.interval", "must be > 0"},
		{"probe timeout negative", web + "    health:\n      readiness:\n        tcp: true\n        timeout: -1s\n", 8, "services.web.health.readiness.timeout", "must be > 0"},
		{"probe threshold", web + "    health:\n      readiness:\n        tcp: true\n        failureThreshold: 0\n", 8, "services.web.health.readiness.failureThreshold", "must be >= 1, got 0"},
		{"bad duration", web + "    stopGrace: 10\n", 5, "services.web.stopGrace", `invalid duration "10": use a number with a unit`},
		{"negative cpu", web + "    resources:\n      cpu: -1\n", 6, "services.web.resources.cpu", "must be >= 0 cores"},
		{"negative memory", web + "    resources:\n      memory: -1Mi\n", 6, "services.web.resources.memory", "must be >= 0, got -1Mi"},
		{"negative pids", web + "    resources:\n      pids: -3\n", 6, "services.web.resources.pids", "must be >= 0, got -3"},
		{"memory unit", web + "    resources:\n      memory: 128MB\n", 6, "services.web.resources.memory", `unknown unit "MB"`},
		{"env name", web + "    env:\n      1BAD: x\n", 6, "services.web.env.1BAD", "invalid variable name"},
		{"env PORT", web + "    env:\n      PORT: \"80\"\n", 6, "services.web.env.PORT", "PORT is reserved"},
		{"env SLIPWAY_", web + "    env:\n      SLIPWAY_X: y\n", 6, "services.web.env.SLIPWAY_X", "SLIPWAY_X is reserved"},
		{"maxSurge negative", web + "    strategy:\n      rolling:\n        maxSurge: -1\n", 7, "services.web.strategy.rolling.maxSurge", "must be >= 0, got -1"},
		{"maxUnavailable negative", web + "    strategy:\n      rolling:\n        maxUnavailable: -2\n", 7, "services.web.strategy.rolling.maxUnavailable", "must be >= 0, got -2"},
		{"rolling both zero", web + "    strategy:\n      rolling: {maxSurge: 0, maxUnavailable: 0}\n", 6, "services.web.strategy.rolling", "both 0"},
		{"rolling duration", web + "    strategy:\n      rolling:\n        minReady: -5s\n", 7, "services.web.strategy.rolling.minReady", "must be >= 0"},
		{"stopGrace negative", web + "    stopGrace: -1s\n", 5, "services.web.stopGrace", "must be >= 0"},
		{"artifact path missing", web + "    artifact:\n      version: v1\n", 5, "services.web.artifact.path", "required: the artifact file"},
		{"artifact absolute", web + "    artifact:\n      path: /bin/web\n", 6, "services.web.artifact.path", "must be relative"},
		{"artifact dotdot", web + "    artifact:\n      path: ../web\n", 6, "services.web.artifact.path", "contains .."},
		{"artifact digest", web + "    artifact:\n      path: web\n      digest: md5:abc\n", 7, "services.web.artifact.digest", "must be sha256: followed by 64"},
		{"undefined var", web + "    env: {GREETING: hi}\n  api:\n    run: [./api, \"${GRETING}\"]\n", 7, "services.api.run[1]",
			"${GRETING} is not set, so it would expand to empty; set it in env"},
		{"undefined var typo", web + "    env: {GREETING: hi}\n    health: {liveness: {exec: [check, \"${GRETING}\"]}}\n", 6, "services.web.health.liveness.exec[1]", `(did you mean "GREETING"?)`},
		{"unterminated var", web + "  api:\n    run: [\"./api\", \"${PORT\"]\n", 6, "services.api.run[1]", "unterminated ${"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := problemsOf(t, c.src)
			for _, p := range ps {
				if p.Line == c.line && p.Path == c.path && strings.Contains(p.Message, c.msg) {
					return
				}
			}
			t.Errorf("want line %d %s: ...%s...\ngot:\n%v", c.line, c.path, c.msg, &ps)
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := `app: Shop
services:
  invoice:
    run: ["./invoice"]
    instances: -2
    dependsOn: [ordr]
    strategy:
      rolling:
        maxSurge: -1
  order:
    run: []
    instanse: 2
`
	_, err := Parse("slipway.yaml", []byte(src))
	want := `slipway.yaml:1: app: invalid name "Shop": ` + dnsLabelRule + `
slipway.yaml:5: services.invoice.instances: must be >= 0, got -2
slipway.yaml:6: services.invoice.dependsOn[0]: unknown service "ordr" (did you mean "order"?); services: invoice, order
slipway.yaml:9: services.invoice.strategy.rolling.maxSurge: must be >= 0, got -1
slipway.yaml:11: services.order.run: required: the command and its arguments, like ["./server", "--port", "${PORT}"], or image: an OCI image to run
slipway.yaml:12: services.order.instanse: unknown field "instanse" (did you mean "instances"?); valid: run, image, command, env, instances, scale, resources, health, route, dependsOn, artifact, strategy, stopGrace, user, jobs, mounts`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestTypeErrorIsReportedOnce(t *testing.T) {
	ps := problemsOf(t, web+"    health:\n      readiness: {tcp: true, interval: soon}\n")
	if len(ps) != 1 {
		t.Errorf("got %d problems, want 1:\n%v", len(ps), &ps)
	}
}

func TestMergeKeys(t *testing.T) {
	app := mustParse(t, `app: shop
x-base: &base
  run: [./web]
  instances: 2
  env: {A: a}
services:
  web:
    <<: *base
    instances: 3
  api:
    <<: [*base]
    run: [./api]
`)
	web, api := app.Services["web"], app.Services["api"]
	if *web.Instances != 3 || web.Run[0] != "./web" || web.Env["A"] != "a" {
		t.Errorf("web = %+v", web)
	}
	if *api.Instances != 2 || api.Run[0] != "./api" {
		t.Errorf("api = %+v", api)
	}
}
