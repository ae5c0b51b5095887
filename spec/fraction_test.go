package spec

import (
	"strings"
	"testing"
)

// TestFractionsRefused checks that every integer field of the spec refuses
// a fraction at its own line, instead of truncating it (1.5 -> 1).
func TestFractionsRefused(t *testing.T) {
	cases := []struct {
		name, body, path string
	}{
		{"instances", "    instances: 1.5\n", "services.web.instances"},
		{"pids", "    resources: {pids: 10.5}\n", "services.web.resources.pids"},
		{"failureThreshold", "    health: {readiness: {tcp: true, failureThreshold: 2.5}}\n", "services.web.health.readiness.failureThreshold"},
		{"successThreshold", "    health: {liveness: {tcp: true, successThreshold: 1.1}}\n", "services.web.health.liveness.successThreshold"},
		{"maxSurge", "    strategy: {rolling: {maxSurge: 1.5}}\n", "services.web.strategy.rolling.maxSurge"},
		{"maxUnavailable", "    strategy: {rolling: {maxUnavailable: 0.5}}\n", "services.web.strategy.rolling.maxUnavailable"},
		{"setWeight", "    strategy: {canary: {steps: [{setWeight: 50.5}]}}\n", "services.web.strategy.canary.steps[0].setWeight"},
		{"step analysis count", "    strategy: {canary: {steps: [{analysis: {count: 2.5}}]}}\n", "services.web.strategy.canary.steps[0].analysis.count"},
		{"failureLimit", "    strategy: {canary: {analysis: {failureLimit: 1.5}}}\n", "services.web.strategy.canary.analysis.failureLimit"},
		{"inconclusiveLimit", "    strategy: {canary: {analysis: {inconclusiveLimit: 1.5}}}\n", "services.web.strategy.canary.analysis.inconclusiveLimit"},
		{"consecutiveErrorLimit", "    strategy: {canary: {analysis: {consecutiveErrorLimit: 3.7}}}\n", "services.web.strategy.canary.analysis.consecutiveErrorLimit"},
		{"minSamples", "    strategy: {canary: {analysis: {metrics: [{name: m, provider: router, metric: successRate, compare: baseline, minSamples: 9.9}]}}}\n",
			"services.web.strategy.canary.analysis.metrics[0].minSamples"},
		{"mirrorPercent", "    strategy: {parallelRun: {mirrorPercent: 12.5}}\n", "services.web.strategy.parallelRun.mirrorPercent"},
		{"minRequests", "    strategy: {parallelRun: {minRequests: 100.5}}\n", "services.web.strategy.parallelRun.minRequests"},
		{"gate analysis count", "environments:\n  dev:\n    gates: [{analysis: {count: 2.5}}]\n", "environments.dev.gates[0].analysis.count"},
		{"override instances", "environments:\n  dev:\n    overrides: {services: {web: {instances: 2.5}}}\n", "environments.dev.overrides.services.web.instances"},
		{"exponent fraction", "    instances: 15e-1\n", "services.web.instances"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := problemsOf(t, web+c.body)
			for _, p := range ps {
				if p.Path == c.path && strings.Contains(p.Message, "whole number") {
					if p.Line < 5 {
						t.Errorf("problem at line %d, want the field's own line (>= 5)", p.Line)
					}
					return
				}
			}
			t.Errorf("no whole-number problem at %s; got:\n%v", c.path, &ps)
		})
	}
}

// TestWholeNumbersAccepted checks that integral values written as floats
// (2.0, 1e1) are still read as the integers they are.
func TestWholeNumbersAccepted(t *testing.T) {
	app, err := Parse("slipway.yaml", []byte(web+"    instances: 2.0\n    strategy: {canary: {steps: [{setWeight: 1e1}]}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := app.Services["web"]
	if s.Replicas() != 2 || *s.Strategy.Canary.Steps[0].SetWeight != 10 {
		t.Errorf("instances = %d, setWeight = %d; want 2, 10", s.Replicas(), *s.Strategy.Canary.Steps[0].SetWeight)
	}
}

// TestFlagRolloutKeepsFractions checks that flag rollout shares, which
// allow three decimals, are not refused as fractions.
func TestFlagRolloutKeepsFractions(t *testing.T) {
	if _, err := Parse("slipway.yaml", []byte(flagsFractionSpec)); err != nil {
		t.Fatal(err)
	}
}

// flagsFractionSpec has a flag whose rollout shares have decimals.
const flagsFractionSpec = web + `flags:
  checkout:
    class: release
    type: boolean
    default: off
    rollout: {on: 12.345, off: 87.655}
`
