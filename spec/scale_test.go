package spec

import (
	"testing"
	"time"
)

// TestScaleDefaults: a scale section gets its idle time and scale-down
// window, and the count a new revision starts with (at least one, so a
// new revision proves it starts even when min is 0).
func TestScaleDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, body     string
		instances      int
		idle, up, down time.Duration
	}{
		{"min 0 starts one", "    scale: {min: 0, max: 20, target: {concurrency: 10}}\n", 1, 5 * time.Minute, 0, 2 * time.Minute},
		{"min 3 starts three", "    scale: {min: 3, max: 20, target: {rps: 200}}\n", 3, 5 * time.Minute, 0, 2 * time.Minute},
		{"written windows kept", "    scale:\n      min: 0\n      max: 2\n      target: {cpu: \"70%\"}\n      idleAfter: 30s\n      stabilization: {up: 5s, down: 1m}\n",
			1, 30 * time.Second, 5 * time.Second, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Parse("slipway.yaml", []byte(routed+tc.body))
			if err != nil {
				t.Fatal(err)
			}
			s := a.Services["web"]
			if s.Replicas() != tc.instances {
				t.Errorf("instances %d, want %d", s.Replicas(), tc.instances)
			}
			sc := s.Scale
			if sc.IdleAfter.Duration != tc.idle || sc.Stabilization.Up.Duration != tc.up || sc.Stabilization.Down.Duration != tc.down {
				t.Errorf("scale %+v", sc)
			}
			c := s.Clone()
			c.Scale.Max = 99
			if s.Scale.Max == 99 {
				t.Error("Clone shares Scale")
			}
		})
	}
}

func TestScaleTargetCPUPercent(t *testing.T) {
	for in, want := range map[string]float64{"70%": 70, " 150 %": 150, "0.5%": 0.5} {
		if got, ok := (ScaleTarget{CPU: in}).CPUPercent(); !ok || got != want {
			t.Errorf("%q: %g %v, want %g", in, got, ok, want)
		}
	}
	for _, in := range []string{"70", "0%", "-5%", "x%", "", "2000%"} {
		if _, ok := (ScaleTarget{CPU: in}).CPUPercent(); ok {
			t.Errorf("%q accepted", in)
		}
	}
}

// TestScaleWindowsAndConcurrencyParse: the windows, the panic threshold
// and the route's concurrency limit are read as written, at their
// bounds too; absent, they stay zero (the autoscaler's and router's
// defaults).
func TestScaleWindowsAndConcurrencyParse(t *testing.T) {
	body := web + "    route: {path: /, maxConcurrency: 1}\n" +
		"    scale: {max: 3, target: {rps: 5}, stableWindow: 1h, panicWindow: 1s, panicThreshold: 10}\n"
	a, err := Parse("slipway.yaml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	s := a.Services["web"]
	if sc := s.Scale; sc.StableWindow.Duration != time.Hour || sc.PanicWindow.Duration != time.Second || sc.PanicThreshold != 10 ||
		s.Route.MaxConcurrency != 1 {
		t.Errorf("scale %+v, route %+v", sc, s.Route)
	}
	a, err = Parse("slipway.yaml", []byte(routed+"    scale: {max: 3, target: {rps: 5}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s := a.Services["web"]; s.Scale.StableWindow.Duration != 0 || s.Scale.PanicWindow.Duration != 0 || s.Scale.PanicThreshold != 0 || s.Route.MaxConcurrency != 0 {
		t.Errorf("absent: scale %+v, route %+v", s.Scale, s.Route)
	}
}
