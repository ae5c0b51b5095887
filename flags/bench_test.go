package flags

import (
	"testing"
)

// benchSpec is the shape of the measure: two CEL rules and a
// percentage split (flagd publishes 7-11 µs for it).
const benchSpec = `app: shop
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
      - if: 'ctx.email.endsWith("@shop.example")'
        serve: on
    rollout: {on: 25, off: 75}
`

// benchCtx matches no rule, so both rules and the split run.
var benchCtx = Context{TargetingKey: "user-12345", Attributes: map[string]any{
	"country": "DE", "plan": "pro", "email": "ann@example.com",
}}

func BenchmarkEvaluate(b *testing.B) {
	s := mustSet(b, benchSpec, nil)
	b.ReportAllocs()
	for b.Loop() {
		if r := s.Evaluate("new-checkout", benchCtx); r.Reason != ReasonSplit {
			b.Fatal(r)
		}
	}
}

// BenchmarkEvaluateCEL is the same flag with the fast path turned off:
// every condition runs on CEL.
func BenchmarkEvaluateCEL(b *testing.B) {
	s := mustSet(b, benchSpec, nil)
	for _, f := range s.flags {
		for _, r := range f.rules {
			for _, k := range r.conds {
				k.fast = nil
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if r := s.Evaluate("new-checkout", benchCtx); r.Reason != ReasonSplit {
			b.Fatal(r)
		}
	}
}
