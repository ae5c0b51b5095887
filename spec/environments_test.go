package spec

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// envSpec is the environments example: invoice runs 2 instances, 4 in
// prod (line 25), which also sets LOG and switches it to a canary.
const envSpec = `app: shop
services:
  invoice:
    run: [./invoice]
    instances: 2
    env: {GREETING: hello}
    route: {path: /invoice}
  order:
    run: [./order]
environments:
  dev: {}
  staging:
    router: 127.0.0.1:7481
    gates: [{tests: "./scripts/acceptance.sh"}]
  prod:
    from: staging
    production: true
    router: 127.0.0.1:7482
    gates: [{approval: {}}, {bake: 10m}, {analysis: {}}]
    overrides:
      services:
        invoice:
          instances: 4
          env: {LOG: warn}
          strategy: {canary: {steps: [{setWeight: 20}, {pause: 1m}]}}
`

func parseEnv(t *testing.T, src, env string) *App {
	t.Helper()
	app, err := ParseWith("slipway.yaml", []byte(src), Options{Environment: env})
	if err != nil {
		t.Fatalf("ParseWith(%q): %v", env, err)
	}
	return app
}

// envProblemsOf parses src for env and returns its problems, failing if
// there are none.
func envProblemsOf(t *testing.T, src, env string) Problems {
	t.Helper()
	_, err := ParseWith("slipway.yaml", []byte(src), Options{Environment: env})
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("ParseWith error = %v, want *Problems", err)
	}
	return *ps
}

func TestParseEnvironments(t *testing.T) {
	app := parseEnv(t, envSpec, "")
	if got, want := app.EnvironmentNames(), []string{"dev", "staging", "prod"}; !slices.Equal(got, want) {
		t.Fatalf("EnvironmentNames = %v, want %v", got, want)
	}
	dev, staging, prod := app.Environments["dev"], app.Environments["staging"], app.Environments["prod"]
	gateText := func(e *Environment) string {
		var s []string
		for _, g := range e.Gates {
			s = append(s, g.Kind()+"="+g.String())
		}
		return strings.Join(s, "; ")
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Environment", app.Environment, ""},
		{"dev.Name", dev.Name, "dev"},
		{"dev.Source", dev.Source(), ""},
		{"staging.Source", staging.Source(), "dev"},
		{"staging.From", staging.From, "dev"},
		{"prod.Source", prod.Source(), "staging"},
		{"staging.Router", staging.Router, "127.0.0.1:7481"},
		{"prod.Production", prod.Production, true},
		{"staging gates", gateText(staging), "tests=tests ./scripts/acceptance.sh"},
		{"prod gates", gateText(prod), "approval=approval; bake=bake 10m; analysis=analysis"},
		{"tests timeout", staging.Gates[0].Tests.Timeout.Duration, DefaultTestsTimeout},
		{"analysis count", prod.Gates[2].Analysis.Count, 3},
		{"analysis interval", prod.Gates[2].Analysis.Interval.Duration, 5 * time.Second},
		{"analysis metrics", len(prod.Gates[2].Analysis.Metrics), 0},
		{"Production", app.Production(), "prod"},
		{"base instances", app.Services["invoice"].Replicas(), 2},
		{"tests line", app.Line("environments.staging.gates[0].tests.run"), 14},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if e, ok := app.Env("prod"); !ok || e != prod {
		t.Errorf("Env(prod) = %v, %v", e, ok)
	}
	if _, ok := app.Env("qa"); ok {
		t.Error("Env(qa) found")
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	cases := []struct {
		env       string
		instances int
		log       string
		strategy  string
	}{
		{"", 2, "", "rolling"},
		{"dev", 2, "", "rolling"},
		{"staging", 2, "", "rolling"},
		{"prod", 4, "warn", "canary"},
	}
	for _, c := range cases {
		t.Run(c.env, func(t *testing.T) {
			app := parseEnv(t, envSpec, c.env)
			inv := app.Services["invoice"]
			strategy := "rolling"
			if inv.Strategy.Canary != nil {
				strategy = "canary"
			}
			if app.Environment != c.env || inv.Replicas() != c.instances || inv.Env["LOG"] != c.log ||
				inv.Env["GREETING"] != "hello" || strategy != c.strategy || inv.Route.Path != "/invoice" {
				t.Errorf("env %q: Environment %q, instances %d, env %v, strategy %s, route %s",
					c.env, app.Environment, inv.Replicas(), inv.Env, strategy, inv.Route.Path)
			}
			if inv.Strategy.Rolling != nil && inv.Strategy.Canary != nil {
				t.Error("both rolling and canary are set")
			}
			if app.Services["order"].Name != "order" {
				t.Error("order is missing")
			}
		})
	}
	prod := parseEnv(t, envSpec, "prod")
	if got := prod.Line("services.invoice.instances"); got != 23 {
		t.Errorf("Line(services.invoice.instances) in prod = %d, want the override's 23", got)
	}
}

func TestOverrideMergesDeeply(t *testing.T) {
	src := `app: shop
x-base: &base
  run: [./web]
  env: {A: a, B: b}
  health: {readiness: {http: /healthz, interval: 2s}}
  strategy: {rolling: {maxSurge: 2}}
services:
  web:
    <<: *base
environments:
  prod:
    overrides:
      services:
        web:
          env: {B: prod}
          health: {readiness: {tcp: true}}
          strategy: {rolling: {maxUnavailable: 1}}
          run: [./web, --prod]
`
	web := parseEnv(t, src, "prod").Services["web"]
	r := web.Health.Readiness
	checks := []struct {
		name      string
		got, want any
	}{
		{"env.A", web.Env["A"], "a"},
		{"env.B", web.Env["B"], "prod"},
		{"run", strings.Join(web.Run, " "), "./web --prod"},
		{"readiness.tcp", r.TCP, true},
		{"readiness.http", r.HTTP, ""},
		{"readiness.interval", r.Interval.Duration, 2 * time.Second},
		{"maxSurge", *web.Strategy.Rolling.MaxSurge, 2},
		{"maxUnavailable", *web.Strategy.Rolling.MaxUnavailable, 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// envBase is an app with services web and api (lines 1-7); a case's
// environments: block starts at line 8.
const envBase = `app: shop
services:
  web:
    run: [./web]
    route: {path: /web}
  api:
    run: [./api]
environments:
`

func TestEnvironmentProblems(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		path, msg string
	}{
		{"bad name", "  Prod: {}\n", 9, "environments.Prod", `invalid environment name "Prod": use a DNS label`},
		{"unknown from", "  staging: {}\n  prod: {from: stagng}\n", 10, "environments.prod.from",
			`unknown environment "stagng" (did you mean "staging"?); environments: staging`},
		{"from itself", "  prod: {from: prod}\n", 9, "environments.prod.from", "cannot be promoted from itself"},
		{"cycle", "  dev: {}\n  staging: {from: prod}\n  prod: {}\n", 10, "environments.staging.from",
			"promotion cycle: prod -> staging -> prod"},
		{"cycle through default from", "  prod: {from: staging}\n  dev: {}\n  staging: {}\n", 9, "environments.prod.from",
			"promotion cycle: dev -> staging -> prod -> dev; an environment without from is promoted from the one written before it"},
		{"two production", "  staging: {production: true}\n  prod: {production: true}\n", 10, "environments.prod.production",
			"only one environment can be production; staging already is"},
		{"router not host:port", "  prod: {router: 7482}\n", 9, "environments.prod.router",
			`must be host:port with a port 1..65535, like 127.0.0.1:7481; got "7482"`},
		{"router url", "  prod: {router: \"http://127.0.0.1:7482\"}\n", 9, "environments.prod.router", "like 127.0.0.1:7481"},
		{"router port range", "  prod: {router: \"127.0.0.1:70000\"}\n", 9, "environments.prod.router", "port 1..65535"},
		{"same router", "  staging: {router: \"127.0.0.1:7481\"}\n  prod: {router: \"127.0.0.1:7481\"}\n", 10, "environments.prod.router",
			"same address as environment staging's router (127.0.0.1:7481)"},
		{"router on every interface", "  staging: {router: \":7481\"}\n  prod: {router: \"127.0.0.1:7481\"}\n", 10, "environments.prod.router",
			"same address as environment staging's router"},
		{"empty gate", "  prod:\n    gates: [{}]\n", 10, "environments.prod.gates[0]",
			"want one of tests, approval, bake, analysis, like {tests: ./scripts/acceptance.sh}"},
		{"two kinds", "  prod:\n    gates:\n      - {approval: {}, bake: 10m}\n", 11, "environments.prod.gates[0]",
			"want one of tests, approval, bake, analysis, like {tests: ./scripts/acceptance.sh}, {approval: {}}, {bake: 10m} or {analysis: {}}; got approval and bake: write one gate for each"},
		{"unknown gate key", "  prod:\n    gates:\n      - aproval: {}\n", 11, "environments.prod.gates[0].aproval",
			`unknown field "aproval" (did you mean "approval"?); valid: tests, approval, bake, analysis`},
		{"gate not a mapping", "  prod:\n    gates: [approval]\n", 10, "environments.prod.gates[0]",
			"must be a mapping with fields tests, approval, bake, analysis"},
		{"empty tests", "  prod:\n    gates: [{tests: \"\"}]\n", 10, "environments.prod.gates[0].tests.run", "required: the command to run"},
		{"null tests", "  prod:\n    gates:\n      - tests:\n", 11, "environments.prod.gates[0].tests.run", "required: the command to run"},
		{"tests without run", "  prod:\n    gates:\n      - tests:\n          timeout: 5m\n", 11, "environments.prod.gates[0].tests.run", "required"},
		{"tests timeout zero", "  prod:\n    gates:\n      - tests:\n          run: ./t\n          timeout: 0s\n", 13,
			"environments.prod.gates[0].tests.timeout", "must be > 0, like 1s; got 0s"},
		{"tests unknown field", "  prod:\n    gates:\n      - tests: {command: ./t}\n", 11, "environments.prod.gates[0].tests.command",
			`unknown field "command"; valid: run, timeout`},
		{"bake zero", "  prod:\n    gates: [{bake: 0s}]\n", 10, "environments.prod.gates[0].bake", "must be a duration > 0, like 10m; got 0s"},
		{"bake negative", "  prod:\n    gates: [{bake: -1m}]\n", 10, "environments.prod.gates[0].bake", "got -1m"},
		{"bake null", "  prod:\n    gates:\n      - bake:\n", 11, "environments.prod.gates[0].bake", "got nothing"},
		{"bake where nothing comes from", "  dev:\n    gates: [{approval: {}}, {analysis: {}}]\n  prod: {}\n", 10, "environments.dev.gates[1]",
			"an analysis gate measures the version in the environment it comes from, and dev takes deploys from no other environment"},
		{"bake no unit", "  prod:\n    gates: [{bake: 10}]\n", 10, "environments.prod.gates[0].bake", "use a number with a unit"},
		{"analysis interval", "  prod:\n    gates: [{analysis: {interval: 0s}}]\n", 10, "environments.prod.gates[0].analysis.interval", "must be > 0"},
		{"analysis count", "  prod:\n    gates: [{analysis: {count: 0}}]\n", 10, "environments.prod.gates[0].analysis.count", "must be at least 1"},
		{"analysis metric invalid", "  prod:\n    gates:\n      - analysis:\n          metrics:\n            - {name: ok, provider: router, metric: sucessRate, successCondition: result > 0.9}\n",
			13, "environments.prod.gates[0].analysis.metrics[0].metric", `unknown router metric "sucessRate" (did you mean "successRate"?)`},
		{"analysis metric no judge", "  prod:\n    gates:\n      - analysis:\n          metrics:\n            - {name: ok, provider: router, metric: successRate}\n",
			13, "environments.prod.gates[0].analysis.metrics[0]", "set successCondition"},
		{"analysis compare", "  prod:\n    gates:\n      - analysis:\n          metrics:\n            - {name: p99, provider: router, metric: latencyP99, compare: baseline}\n",
			13, "environments.prod.gates[0].analysis.metrics[0].compare", "not allowed in a gate: there is no baseline to compare with; judge by successCondition"},
		{"analysis duplicate metric", "  prod:\n    gates:\n      - analysis:\n          metrics:\n            - {name: ok, provider: router, metric: successRate, successCondition: result > 0.9}\n            - {name: ok, provider: router, metric: requestRate, successCondition: result > 1}\n",
			14, "environments.prod.gates[0].analysis.metrics[1].name", `metric "ok" is defined twice`},
		{"override unknown service", "  prod:\n    overrides:\n      services:\n        wbe: {instances: 2}\n", 12,
			"environments.prod.overrides.services.wbe", `unknown service "wbe" (did you mean "web"?)`},
		{"override other key", "  prod:\n    overrides:\n      flags: {}\n", 11, "environments.prod.overrides.flags",
			`unknown field "flags"; valid: services`},
		{"override not a mapping", "  prod:\n    overrides:\n      services:\n        web: 3\n", 12, "environments.prod.overrides.services.web",
			"must be a mapping of service fields to change, like {instances: 4}; got the number 3"},
		{"unknown environment field", "  prod: {form: dev}\n", 9, "environments.prod.form", `unknown field "form" (did you mean "from"?)`},
		{"override bad value", "  prod:\n    overrides:\n      services:\n        web:\n          instances: -1\n", 13,
			"environments.prod.overrides.services.web.instances", "must be >= 0, got -1"},
		{"override wrong type", "  prod:\n    overrides:\n      services:\n        web: {instances: many}\n", 12,
			"environments.prod.overrides.services.web.instances", `must be an integer; got the string "many"`},
		{"override unknown field", "  prod:\n    overrides:\n      services:\n        web:\n          instance: 2\n", 13,
			"environments.prod.overrides.services.web.instance", `did you mean "instances"?`},
		{"override deep", "  prod:\n    overrides:\n      services:\n        web:\n          strategy:\n            canary:\n              steps: [{setWeight: 120}]\n", 15,
			"environments.prod.overrides.services.web.strategy.canary.steps[0].setWeight", "must be 0..100"},
		{"override undefined var", "  prod:\n    overrides:\n      services:\n        web: {run: [./web, \"${LOG}\"]}\n", 12,
			"environments.prod.overrides.services.web.run[1]", "${LOG} is not set"},
		{"override dependency", "  prod:\n    overrides:\n      services:\n        web: {dependsOn: [apj]}\n", 12,
			"environments.prod.overrides.services.web.dependsOn[0]", `unknown service "apj" (did you mean "api"?)`},
		{"override makes a clash", "  prod:\n    overrides:\n      services:\n        web: {route: {path: /x}}\n        api: {route: {path: /x}}\n", 12,
			"environments.prod.overrides.services.web.route", "same route as service api (host any, path /x)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, env := range []string{"", "prod"} {
				src := envBase + c.src
				if env == "prod" && !strings.Contains(c.src, "  prod") {
					continue
				}
				ps := envProblemsOf(t, src, env)
				if !slices.ContainsFunc(ps, func(p Problem) bool {
					return p.Line == c.line && p.Path == c.path && strings.Contains(p.Message, c.msg)
				}) {
					t.Errorf("environment %q: want line %d %s: ...%s...\ngot:\n%v", env, c.line, c.path, c.msg, &ps)
				}
			}
		})
	}
}

func TestEnvironmentProblemsAreReportedOnce(t *testing.T) {
	src := envBase + `  dev: {}
  prod:
    overrides:
      services:
        web: {instances: 3}
        api: {instances: -1}
`
	// A base problem (instances: -2 on line 5) is not reported again for
	// each environment that merges into the same service.
	src = strings.Replace(src, "    route: {path: /web}\n", "    instances: -2\n", 1)
	_, err := ParseWith("slipway.yaml", []byte(src), Options{})
	want := `slipway.yaml:5: services.web.instances: must be >= 0, got -2
slipway.yaml:14: environments.prod.overrides.services.api.instances: must be >= 0, got -1`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestProblemInEnvironmentAtBaseLine(t *testing.T) {
	// prod's override moves api onto web's route. The clash is found at
	// web's route (line 5), which is written in the base: the problem
	// says which environment it arises in.
	src := envBase + "  prod:\n    overrides: {services: {api: {route: {path: /web}}}}\n"
	ps := envProblemsOf(t, src, "")
	want := "slipway.yaml:5: services.web.route: in environment prod: same route as service api (host any, path /web): each route goes to one service"
	if len(ps) != 1 || ps[0].String() != want {
		t.Errorf("got:\n%v\nwant:\n%s", &ps, want)
	}
}

func TestUnknownEnvironment(t *testing.T) {
	cases := []struct {
		name, src, env, want string
	}{
		{"not in spec", envSpec, "qa", `slipway.yaml: environment "qa" is not in the spec (it has dev, staging, prod)`},
		{"typo", envSpec, "prdo", `slipway.yaml: environment "prdo" is not in the spec (it has dev, staging, prod); did you mean "prod"?`},
		{"default with environments", envSpec, "default", `environment "default" is not in the spec (it has dev, staging, prod)`},
		{"no environments", web, "prod", `slipway.yaml: environment "prod" is not in the spec (it has no environments: only default)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseWith("slipway.yaml", []byte(c.src), Options{Environment: c.env})
			var ps *Problems
			if !errors.As(err, &ps) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %s", err, c.want)
			}
		})
	}
}

func TestSpecWithoutEnvironments(t *testing.T) {
	for _, env := range []string{"", DefaultEnvironment} {
		app := parseEnv(t, web, env)
		if app.Environment != DefaultEnvironment {
			t.Errorf("ParseWith(%q).Environment = %q, want %q", env, app.Environment, DefaultEnvironment)
		}
		if got := app.EnvironmentNames(); !slices.Equal(got, []string{DefaultEnvironment}) {
			t.Errorf("EnvironmentNames = %v", got)
		}
		if got := app.Production(); got != DefaultEnvironment {
			t.Errorf("Production = %q", got)
		}
		if e, ok := app.Env(DefaultEnvironment); !ok || e.Name != DefaultEnvironment || e.Source() != "" || len(e.Gates) != 0 {
			t.Errorf("Env(default) = %+v, %v", e, ok)
		}
	}
}

func TestFromDefaults(t *testing.T) {
	cases := []struct {
		name, envs string
		want       map[string]string // environment -> Source
	}{
		{"chain", "  dev: {}\n  staging: {}\n  prod: {}\n", map[string]string{"dev": "", "staging": "dev", "prod": "staging"}},
		{"explicit", "  dev: {}\n  staging: {}\n  prod: {from: dev}\n", map[string]string{"dev": "", "staging": "dev", "prod": "dev"}},
		{"null body", "  dev:\n  prod:\n", map[string]string{"dev": "", "prod": "dev"}},
		{"file order, not names", "  zeta: {}\n  alpha: {}\n", map[string]string{"zeta": "", "alpha": "zeta"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := parseEnv(t, envBase+c.envs, "")
			for env, want := range c.want {
				if got := app.Environments[env].Source(); got != want {
					t.Errorf("%s.Source() = %q, want %q", env, got, want)
				}
				if got := app.Environments[env].Name; got != env {
					t.Errorf("%s.Name = %q", env, got)
				}
			}
		})
	}
}

func TestProduction(t *testing.T) {
	cases := []struct {
		name, envs, want string
	}{
		{"marked", "  dev: {}\n  prod: {production: true}\n  sandbox: {from: dev}\n", "prod"},
		{"end of chain", "  dev: {}\n  staging: {}\n  live: {}\n", "live"},
		{"last of several ends", "  dev: {}\n  qa: {from: dev}\n  prod: {from: dev}\n", "prod"},
		{"end written before its source", "  dev: {}\n  prod: {from: staging}\n  staging: {from: dev}\n", "prod"},
		{"one", "  prod: {}\n", "prod"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := parseEnv(t, envBase+c.envs, "")
			if got := app.Production(); got != c.want {
				t.Errorf("Production() = %q, want %q", got, c.want)
			}
		})
	}
}

func TestGateString(t *testing.T) {
	bake := Duration{10 * time.Minute}
	cases := []struct {
		gate       Gate
		kind, text string
	}{
		{Gate{Tests: &TestsGate{Run: "./scripts/acceptance.sh"}}, "tests", "tests ./scripts/acceptance.sh"},
		{Gate{Approval: &ApprovalGate{}}, "approval", "approval"},
		{Gate{Bake: &bake}, "bake", "bake 10m"},
		{Gate{Analysis: &AnalysisGate{}}, "analysis", "analysis"},
		{Gate{Analysis: &AnalysisGate{Metrics: []Metric{{Name: "ok"}, {Name: "p99"}}}}, "analysis", "analysis ok, p99"},
		{Gate{}, "", ""},
	}
	for _, c := range cases {
		if c.gate.Kind() != c.kind || c.gate.String() != c.text {
			t.Errorf("Kind, String = %q, %q; want %q, %q", c.gate.Kind(), c.gate.String(), c.kind, c.text)
		}
	}
}

func TestEnvironmentsCloneAndRevalidate(t *testing.T) {
	app := parseEnv(t, envSpec, "prod")
	if err := app.Validate(); err != nil {
		t.Fatalf("defaulted app no longer validates: %v", err)
	}
	c := app.Clone()
	c.Environments["prod"].Gates[1].Bake.Duration = time.Second
	c.Environments["staging"].Router = "changed"
	if app.Environments["prod"].Gates[1].Bake.Duration != 10*time.Minute || app.Environments["staging"].Router != "127.0.0.1:7481" {
		t.Error("changing the clone changed the original")
	}
	if !slices.Equal(c.EnvironmentNames(), app.EnvironmentNames()) {
		t.Errorf("clone's order = %v", c.EnvironmentNames())
	}
}
