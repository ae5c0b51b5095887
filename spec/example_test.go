package spec

import (
	"os"
	"testing"
	"time"
)

// shopSpec is the example from the README (examples/slipway.yaml); it
// must parse cleanly.
func shopSpec(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../examples/slipway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustParse(t *testing.T, src string) *App {
	t.Helper()
	app, err := Parse("slipway.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return app
}

func TestParseExample(t *testing.T) {
	app := mustParse(t, shopSpec(t))
	if app.Name != "shop" || len(app.Services) != 2 {
		t.Fatalf("app = %q with %d services", app.Name, len(app.Services))
	}
	inv, ord := app.Services["invoice"], app.Services["order"]
	checks := []struct {
		name      string
		got, want any
	}{
		{"invoice.Name", inv.Name, "invoice"},
		{"order.Name", ord.Name, "order"},
		{"invoice.instances", *inv.Instances, 3},
		{"invoice.cpu", inv.Resources.CPU, 0.5},
		{"invoice.memory", inv.Resources.Memory, Quantity(128 << 20)},
		{"invoice.pids", inv.Resources.PIDs, 64},
		{"invoice.env", inv.Env["GREETING"], "hello"},
		{"invoice.readiness.successThreshold", inv.Health.Readiness.SuccessThreshold, 1},
		{"invoice.liveness.interval", inv.Health.Liveness.Interval.Duration, 5 * time.Second},
		{"invoice.liveness.timeout", inv.Health.Liveness.Timeout.Duration, time.Second},
		{"invoice.liveness.failureThreshold", inv.Health.Liveness.FailureThreshold, 3},
		{"invoice.route.path", inv.Route.Path, "/invoice"},
		{"invoice.route.host", inv.Route.Host, ""},
		{"invoice.stopGrace", inv.StopGrace.Duration, 10 * time.Second},
		{"invoice.maxSurge", *inv.Strategy.Rolling.MaxSurge, 1},
		{"invoice.maxUnavailable", *inv.Strategy.Rolling.MaxUnavailable, 0},
		{"invoice.minReady", inv.Strategy.Rolling.MinReady.Duration, time.Duration(0)},
		{"invoice.progressDeadline", inv.Strategy.Rolling.ProgressDeadline.Duration, 2 * time.Minute},
		{"order.instances", *ord.Instances, 2},
		{"order.readiness.interval", ord.Health.Readiness.Interval.Duration, time.Second},
		{"order.readiness.timeout", ord.Health.Readiness.Timeout.Duration, time.Second},
		{"order.readiness.failureThreshold", ord.Health.Readiness.FailureThreshold, 3},
		{"order.readiness.successThreshold", ord.Health.Readiness.SuccessThreshold, 1},
		{"order.liveness", ord.Health.Liveness == nil, true},
		{"order.route.path", ord.Route.Path, "/"},
		{"order.artifact.version", ord.Artifact.Version, "v1.0.0"},
		{"order.run[2]", ord.Run[2], "${PORT}"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParseDefaultsInstances(t *testing.T) {
	app := mustParse(t, "app: a\nservices:\n  web:\n    run: [./web]\n")
	if got := *app.Services["web"].Instances; got != 1 {
		t.Errorf("instances = %d, want 1", got)
	}
}

func TestLine(t *testing.T) {
	app := mustParse(t, shopSpec(t))
	for path, want := range map[string]int{
		"app":                                  1,
		"services":                             2,
		"services.invoice":                     3,
		"services.invoice.run[3]":              4,
		"services.invoice.env.GREETING":        5,
		"services.invoice.health.liveness":     10,
		"services.order.artifact.path":         15,
		"services.order.health.readiness.http": 17,
		"services.order.nothing":               0,
	} {
		if got := app.Line(path); got != want {
			t.Errorf("Line(%q) = %d, want %d", path, got, want)
		}
	}
}
