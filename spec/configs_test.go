package spec

import (
	"fmt"
	"testing"

	"github.com/slipway-dev/slipway/analysis"
)

// configBase starts a configs section after web; a case's lines start
// at 6.
const configBase = web + "configs:\n"

// badConfigSpecs is the catalogue's part for configs: what a user gets
// wrong in a configs: section.
var badConfigSpecs = []badSpec{
	{"config for an unknown service", configBase + "  s: {service: webb, values: {a: 1}}\n", 6, "configs.s.service", `unknown service "webb" (did you mean "web"?)`},
	{"config without service", configBase + "  s: {values: {a: 1}}\n", 6, "configs.s.service", "required: the service that reads the config"},
	{"config without values", configBase + "  s: {service: web}\n", 6, "configs.s.values", "required: the config's values"},
	{"config values a list", configBase + "  s: {service: web, values: [1, 2]}\n", 6, "configs.s.values", "must be a mapping of values"},
	{"config rule empty", configBase + "  s: {service: web, values: {a: 1}, rules: ['']}\n", 6, "configs.s.rules[0]", "must not be empty"},
	{"config rule does not compile", configBase + "  s:\n    service: web\n    values: {a: 1}\n    rules: ['config.a <=']\n", 9, "configs.s.rules[0]", "does not compile: Syntax error"},
	{"config validate empty", configBase + "  s: {service: web, values: {a: 1}, validate: []}\n", 6, "configs.s.validate", "must name a command"},
	{"config validate timeout zero", configBase + "  s: {service: web, values: {a: 1}, validateTimeout: 0s}\n", 6, "configs.s.validateTimeout", "must be > 0"},
	{"config unknown signal", configBase + "  s: {service: web, values: {a: 1}, signal: SIGKILL}\n", 6, "configs.s.signal", `unknown signal "SIGKILL"`},
	{"config two strategies", configBase + "  s: {service: web, values: {a: 1}, delivery: {strategy: {linear: {steps: 2}, allAtOnce: {}}}}\n", 6, "configs.s.delivery.strategy", "choose one of linear, exponential and allAtOnce"},
	{"config linear zero steps", configBase + "  s: {service: web, values: {a: 1}, delivery: {strategy: {linear: {steps: 0}}}}\n", 6, "configs.s.delivery.strategy.linear.steps", "must be 1..100"},
	{"config exponential factor one", configBase + "  s: {service: web, values: {a: 1}, delivery: {strategy: {exponential: {factor: 1}}}}\n", 6, "configs.s.delivery.strategy.exponential.factor", "must be above 1"},
	{"config bake negative", configBase + "  s: {service: web, values: {a: 1}, delivery: {bake: -1m}}\n", 6, "configs.s.delivery.bake", "must be >= 0"},
	{"config analysis without metrics", configBase + "  s: {service: web, values: {a: 1}, delivery: {analysis: {metrics: []}}}\n", 6, "configs.s.delivery.analysis.metrics", "at least one metric"},
	{"config analysis sequential judge", configBase + "  s:\n    service: web\n    values: {a: 1}\n    delivery:\n      analysis:\n        metrics: [{name: ok, provider: router, metric: successRate, compare: baseline, judge: sequential}]\n", 11, "configs.s.delivery.analysis.metrics[0].judge", "compares instances by interval"},
	{"config override of an unknown config", configEnvBase + "        t: {values: {a: 2}}\n", 12, "environments.prod.overrides.configs.t", `unknown config "t"`},
	{"config override values a list", configEnvBase + "        s: {values: [1]}\n", 12, "environments.prod.overrides.configs.s.values", "must be a mapping of values"},
	{"config override without values", configEnvBase + "        s: {}\n", 12, "environments.prod.overrides.configs.s.values", "required: the values to change"},
	{"config bad name", configBase + "  'a b': {service: web, values: {a: 1}}\n", 6, "configs.a b", "invalid config name"},
	{"config unknown field", configBase + "  s: {service: web, values: {a: 1}, valuez: {}}\n", 6, "configs.s.valuez", `unknown field "valuez"`},
}

// configEnvBase is a config s and an environment prod whose config
// overrides start at line 12.
const configEnvBase = configBase + "  s: {service: web, values: {a: 1, nested: {x: 1, y: 2}}}\n" +
	"environments:\n  dev: {}\n  prod:\n    overrides:\n      configs:\n"

// TestConfigEnvironmentOverrides: an environment's config values are
// the base's with its override merged in, nested mappings key by key;
// another environment and the base keep the base's.
func TestConfigEnvironmentOverrides(t *testing.T) {
	src := []byte(configEnvBase + "        s: {values: {b: 3, nested: {y: 20}}}\n")
	for env, want := range map[string]string{
		"prod": "map[a:1 b:3 nested:map[x:1 y:20]]",
		"dev":  "map[a:1 nested:map[x:1 y:2]]",
		"":     "map[a:1 nested:map[x:1 y:2]]",
	} {
		app, err := ParseWith("slipway.yaml", src, Options{Environment: env})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(app.Configs["s"].Values); got != want {
			t.Errorf("%q: values %s, want %s", env, got, want)
		}
		if _, ok := app.ConfigOverride("s"); ok != (env == "prod") {
			t.Errorf("%q: ConfigOverride found %v", env, ok)
		}
	}
	base, _ := Parse("slipway.yaml", src)
	if base.Environments["prod"].Overrides.Configs["s"].Values["b"] != 3.0 || base.Configs["s"].Values["b"] != nil {
		t.Errorf("the base spec changed: %+v", base.Configs["s"].Values)
	}
}

// TestBadInputCatalogueConfigs parses every bad configs document: each
// reports its problem at its line and path, with its words.
func TestBadInputCatalogueConfigs(t *testing.T) {
	opts := Options{CheckExpr: analysis.CheckExpr, CheckFlagExpr: analysis.CheckExpr, CheckConfigExpr: analysis.CheckExpr}
	runCatalogue(t, "configs", badConfigSpecs, opts)
}

// TestConfigParseDefaults: values read as JSON would read them, the
// defaults filled in, the environment variable named as the issue says.
func TestConfigParseDefaults(t *testing.T) {
	app, err := Parse("slipway.yaml", []byte(configBase+"  invoice-settings:\n    service: web\n"+
		"    values: {timeoutMs: 2000, nested: {on: true, list: [1, x]}}\n"+
		"    delivery: {strategy: {exponential: {}}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := app.Configs["invoice-settings"]
	if c.Values["timeoutMs"] != 2000.0 || c.Values["nested"].(map[string]any)["list"].([]any)[1] != "x" {
		t.Errorf("values: %#v", c.Values)
	}
	if e := c.Delivery.Strategy.Exponential; e == nil || e.Factor != 2 || e.Interval.Duration != DefaultConfigInterval ||
		c.ValidateTimeout.Duration != DefaultConfigValidateTimeout {
		t.Errorf("defaults: %+v %+v", c.Delivery.Strategy, c.ValidateTimeout)
	}
	clone := app.Clone().Configs["invoice-settings"]
	clone.Values["nested"].(map[string]any)["on"] = false
	if c.Values["nested"].(map[string]any)["on"] != true {
		t.Error("Clone shares nested values")
	}
	if got := ConfigEnvVar("invoice-settings"); got != "SLIPWAY_CONFIG_INVOICE_SETTINGS" {
		t.Errorf("ConfigEnvVar: %s", got)
	}
	only, err := Parse("configs.yaml", []byte("app: shop\nconfigs:\n  s: {service: web, values: {a: 1}}\n"))
	if err != nil || !only.HasConfigs() || only.HasServices() {
		t.Errorf("a file of configs only: %v", err)
	}
}
