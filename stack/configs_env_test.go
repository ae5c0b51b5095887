package stack

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/config"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// TestConfigOverridesCheckedPerEnvironment: an environment's merged
// values are checked by the config's own rules; a problem is named at
// that environment's override, and the base environment is not
// affected.
func TestConfigOverridesCheckedPerEnvironment(t *testing.T) {
	src := []byte(`app: shop
services:
  web: {run: [./web]}
configs:
  s:
    service: web
    rules: ['config.timeoutMs <= 30000']
    values: {timeoutMs: 2000, retries: 2}
environments:
  dev: {}
  prod:
    overrides:
      configs:
        s: {values: {timeoutMs: 40000}}
`)
	var schemas map[string]string
	plan := func(env string) error {
		app, err := spec.ParseWith("slipway.yaml", src, spec.Options{Environment: env, CheckConfigExpr: config.CheckExpr})
		if err != nil {
			t.Fatal(err)
		}
		var p ConfigPlan
		err = store.NewMemory().View(context.Background(), func(tx store.Tx) (err error) {
			p, err = PlanConfigs(tx, app, schemas, Source{File: "slipway.yaml"}, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return CheckConfigPlan(context.Background(), app, "slipway.yaml", p)
	}
	if err := plan("dev"); err != nil {
		t.Errorf("dev: %v", err)
	}
	err := plan("prod")
	var ps *spec.Problems
	if !errors.As(err, &ps) || len(*ps) != 1 {
		t.Fatalf("prod: %v", err)
	}
	if p := (*ps)[0]; p.Line != 8 || p.Path != "configs.s.rules" ||
		!strings.Contains(p.Message, "in environment prod: ") || !strings.Contains(p.Message, "config.timeoutMs <= 30000 is false") {
		t.Errorf("prod: %+v", p)
	}
	// A schema's problem at a value the override wrote is named there.
	schemas = map[string]string{"s": `{"properties": {"timeoutMs": {"maximum": 30000}}}`}
	src = []byte(strings.Replace(string(src), "    rules: ['config.timeoutMs <= 30000']\n", "    schema: ./s.json\n", 1))
	err = plan("prod")
	if !errors.As(err, &ps) || len(*ps) != 1 {
		t.Fatalf("prod, by the schema: %v", err)
	}
	if p := (*ps)[0]; p.Line != 14 || p.Path != "environments.prod.overrides.configs.s.values.timeoutMs" {
		t.Errorf("prod, by the schema: %+v", p)
	}
}

// TestOverrideWrote: a problem's value is the override's where the
// override holds it, or holds a list or scalar on its way; where it only
// merges into a mapping on the way, the value is the base's.
func TestOverrideWrote(t *testing.T) {
	over := map[string]any{
		"timeoutMs": 40000.0,
		"db":        map[string]any{"host": "db-prod", "pool": map[string]any{"max": 50.0}},
		"limits":    []any{map[string]any{"max": 5.0}},
	}
	for path, want := range map[string]bool{
		"timeoutMs":     true,
		"retries":       false,
		"db":            true,
		"db.host":       true,
		"db.port":       false, // the base's, merged beside the override's host
		"db.pool.max":   true,
		"db.pool.min":   false,
		"limits[0].max": true, // the list replaced the base's
		"limits[1]":     true,
	} {
		if got := wrote(over, path); got != want {
			t.Errorf("wrote(%s) = %v, want %v", path, got, want)
		}
	}
}
