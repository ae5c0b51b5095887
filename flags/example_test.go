package flags_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/spec"
)

const shop = `app: shop
services:
  web: {run: [./web]}
flags:
  new-checkout:
    class: release
    type: boolean
    variants: {on: true, off: false}
    default: off
    rules:
      - if: 'ctx.country == "NL" && ctx.plan in ["pro", "team"]'
        serve: on
    rollout: {on: 25, off: 75}
`

func Example() {
	app, err := spec.ParseWith("slipway.yaml", []byte(shop), spec.Options{CheckFlagExpr: flags.CheckExpr})
	if err != nil {
		panic(err)
	}
	set, err := flags.CompileApp(app, map[string]flags.Override{
		"new-checkout": {Rollout: map[string]float64{"on": 50, "off": 50}}, // slipway flags rollout new-checkout 50%
	})
	if err != nil {
		panic(err)
	}
	for _, c := range []flags.Context{
		{TargetingKey: "user-1", Attributes: map[string]any{"country": "NL", "plan": "pro"}},
		{TargetingKey: "user-42", Attributes: map[string]any{"country": "DE"}}, // bucket 43218 of 100000
		{TargetingKey: "user-2"}, // bucket 87620
		{},
	} {
		r := set.Evaluate("new-checkout", c)
		fmt.Println(strings.TrimSpace(fmt.Sprint(r.Variant, " ", r.Value, " ", r.Reason, " ", r.ErrorCode)))
	}
	// Output:
	// on true TARGETING_MATCH
	// off false SPLIT
	// on true SPLIT
	// <nil> ERROR TARGETING_KEY_MISSING
}

// A condition that does not compile is reported with the spec's file and
// line when the spec is parsed with flags.CheckExpr.
func Example_badCondition() {
	src := shop[:len(shop)-len("    rollout: {on: 25, off: 75}\n")] + "      - if: 'ctx.plan in [\"pro\"'\n        serve: on\n"
	_, err := spec.ParseWith("slipway.yaml", []byte(src), spec.Options{CheckFlagExpr: flags.CheckExpr})
	var ps *spec.Problems
	if errors.As(err, &ps) {
		fmt.Println((*ps)[0].Line, (*ps)[0].Path)
	}
	// Output:
	// 13 flags.new-checkout.rules[1].if
}
