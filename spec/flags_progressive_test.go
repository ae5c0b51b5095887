package spec

import (
	"strings"
	"testing"
)

const progressiveApp = `app: shop
services:
  order:
    run: [./order]
flags:
  new-checkout:
    class: release
    type: boolean
    default: off
    progressive:
      service: order
      steps: [{percent: 10, bake: 1m}, {percent: 50, bake: 2m}, {percent: 100}]
      analysis:
        metrics:
          - {name: ok, provider: router, metric: successRate, successCondition: result >= 0.99}
`

func TestProgressiveFlagParses(t *testing.T) {
	app, err := Parse("slipway.yaml", []byte(progressiveApp))
	if err != nil {
		t.Fatal(err)
	}
	f := app.Flags["new-checkout"]
	p := f.Progressive
	if f.ReleasedVariant() != "on" || len(p.Steps) != 3 || p.Steps[1].Bake.Duration.Minutes() != 2 || p.Analysis.Interval.Duration == 0 {
		t.Fatalf("progressive %+v (variant %q)", p, f.ReleasedVariant())
	}
}

func TestProgressiveFlagBadInput(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{"service: order", "service: ordr", `slipway.yaml:11: flags.new-checkout.progressive.service: unknown service "ordr" (did you mean "order"?)`},
		{"{percent: 50, bake: 2m}", "{percent: 5, bake: 2m}", "progressive.steps[1].percent: must not go down (5 after 10)"},
		{"{percent: 100}", "{percent: 120}", "progressive.steps[2].percent: must be a percentage 0..100"},
		{"{percent: 10, bake: 1m}", "{percent: 10, bake: -1m}", "progressive.steps[0].bake"},
		{"successCondition: result >= 0.99", "compare: baseline", "progressive.analysis.metrics[0].compare: a flag release has no baseline"},
		{"      service: order\n", "      service: order\n      variant: maybe\n", `progressive.variant: unknown variant "maybe"`},
		{"      service: order\n", "      service: order\n      variant: off\n", `progressive.variant: "off" is the flag's default`},
	}
	for _, tc := range tests {
		_, err := Parse("slipway.yaml", []byte(strings.Replace(progressiveApp, tc.from, tc.to, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s -> %s: %v\nwant %q", tc.from, tc.to, err, tc.want)
		}
	}
}
