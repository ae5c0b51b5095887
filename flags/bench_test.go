package flags

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/slipway-dev/slipway/spec"
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

// manyFlags is n flags of the benchmark's shape, each with its own
// conditions (so that nothing is shared by deduplication).
func manyFlags(n int) map[string]*spec.Flag {
	flags := make(map[string]*spec.Flag, n)
	for i := range n {
		c := strconv.Itoa(i)
		flags["flag-"+c] = &spec.Flag{Class: spec.ClassRelease, Type: spec.TypeBoolean, Default: "off",
			Rules: []spec.FlagRule{
				{If: `ctx.country == "NL` + c + `" && ctx.plan in ["pro", "team"]`, Serve: "on"},
				{If: `ctx.email.endsWith("@shop` + c + `.example")`, Serve: "on"},
			},
			Rollout: map[string]float64{"on": 25, "off": 75}}
	}
	return flags
}

// BenchmarkEvaluateAll is a bulk evaluation of 100 flags (OFREP's bulk
// endpoint without the HTTP).
func BenchmarkEvaluateAll(b *testing.B) {
	s, err := Compile(manyFlags(100), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if rs := s.EvaluateAll(benchCtx); len(rs) != 100 {
			b.Fatal(len(rs))
		}
	}
}

// BenchmarkCompile compiles 10,000 flags; heap-bytes/flag is what the
// Set keeps per flag once built.
func BenchmarkCompile(b *testing.B) {
	flags := manyFlags(10_000)
	b.ReportAllocs()
	var s *Set
	for b.Loop() {
		var err error
		if s, err = Compile(flags, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s = nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, _ = Compile(flags, nil, nil)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(len(flags)), "heap-bytes/flag")
	runtime.KeepAlive(s)
}

// BenchmarkUpdate recompiles 10,000 flags after one changed.
func BenchmarkUpdate(b *testing.B) {
	flags := manyFlags(10_000)
	s, err := Compile(flags, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	flags["flag-1"].Rules[0].If = `ctx.country == "BE"`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Update(flags, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}
