package flags

import (
	"testing"

	"github.com/slipway-dev/slipway/spec"
)

// TestEvaluationOrder checks that each step wins over the later ones:
// disabled -> prerequisites -> rules in order -> rollout -> default.
func TestEvaluationOrder(t *testing.T) {
	// gate serves on to subjects with gate == true; the flag under test,
	// f, has variants a..d: default a, rules serving b then c, a rollout
	// of d at 100%.
	gate := &spec.Flag{Class: spec.ClassRelease, Type: spec.TypeBoolean, Default: "off",
		Rules: []spec.FlagRule{{If: "ctx.gate == true", Serve: "on"}}}
	build := func(mod func(f *spec.Flag), o Override) *Set {
		f := &spec.Flag{Class: spec.ClassExperiment, Type: spec.TypeString, Default: "a",
			Variants: map[string]spec.FlagValue{"a": {Value: "A"}, "b": {Value: "B"}, "c": {Value: "C"}, "d": {Value: "D"}},
			Rules: []spec.FlagRule{
				{If: `ctx.tier == "gold"`, Serve: "b"},
				{If: `ctx.tier in ["gold", "silver"]`, Serve: "c"},
			},
			Rollout: map[string]float64{"d": 100},
		}
		if mod != nil {
			mod(f)
		}
		s, err := Compile(map[string]*spec.Flag{"f": f, "gate": gate}, nil, map[string]Override{"f": o})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	withPrereq := func(f *spec.Flag) { f.Prerequisites = []spec.Prerequisite{{Flag: "gate", Variant: "on"}} }
	tests := []struct {
		name    string
		mod     func(*spec.Flag)
		o       Override
		attrs   map[string]any
		variant string
		reason  Reason
	}{
		{"disabled beats everything", withPrereq, Override{Enabled: new(false)}, attrs("gate", true, "tier", "gold"), "a", ReasonDisabled},
		{"killed beats everything", nil, Override{Killed: true}, attrs("tier", "gold"), "a", ReasonDisabled},
		{"unmet prerequisite beats rules", withPrereq, Override{}, attrs("gate", false, "tier", "gold"), "a", ReasonDefault},
		{"missing prerequisite attribute", withPrereq, Override{}, attrs("tier", "gold"), "a", ReasonDefault},
		{"met prerequisite, first rule", withPrereq, Override{}, attrs("gate", true, "tier", "gold"), "b", ReasonTargetingMatch},
		{"first matching rule wins", nil, Override{}, attrs("tier", "gold"), "b", ReasonTargetingMatch},
		{"second rule", nil, Override{}, attrs("tier", "silver"), "c", ReasonTargetingMatch},
		{"rollout after rules", nil, Override{}, attrs("tier", "bronze"), "d", ReasonSplit},
		{"default after rollout", func(f *spec.Flag) { f.Rollout = nil }, Override{}, attrs("tier", "bronze"), "a", ReasonDefault},
		{"static without rules, rollout or prerequisites", func(f *spec.Flag) { f.Rollout, f.Rules = nil, nil }, Override{}, nil, "a", ReasonStatic},
		{"prerequisite alone is not static", func(f *spec.Flag) { f.Rollout, f.Rules = nil, nil; withPrereq(f) }, Override{}, attrs("gate", true), "a", ReasonDefault},
		{"disabled static flag", func(f *spec.Flag) { f.Rollout, f.Rules = nil, nil }, Override{Enabled: new(false)}, nil, "a", ReasonDisabled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := build(tc.mod, tc.o).Evaluate("f", Context{TargetingKey: "u", Attributes: tc.attrs})
			if r.Variant != tc.variant || r.Reason != tc.reason || r.Value != map[string]string{"a": "A", "b": "B", "c": "C", "d": "D"}[tc.variant] {
				t.Errorf("got %+v, want %s (%s)", r, tc.variant, tc.reason)
			}
		})
	}
}

// TestEvaluateDoesNotAllocate guards the hot path's promise: a flag with
// rules on the fast path and a split costs no allocation (see
// BenchmarkEvaluate for the time).
func TestEvaluateDoesNotAllocate(t *testing.T) {
	s := mustSet(t, benchSpec, nil)
	for _, c := range []Context{benchCtx, {TargetingKey: "u", Attributes: attrs("country", "NL", "plan", "team")}, {}} {
		if n := testing.AllocsPerRun(100, func() { s.Evaluate("new-checkout", c) }); n != 0 {
			t.Errorf("Evaluate(%v) allocates %.0f times", c, n)
		}
	}
}

// TestConcurrentEvaluate runs evaluations from several goroutines, for
// the race detector: a Set is shared by every request.
func TestConcurrentEvaluate(t *testing.T) {
	s := mustSet(t, example, nil)
	done := make(chan Result)
	for i := range 8 {
		go func() {
			var last Result
			for j := range 200 {
				c := Context{TargetingKey: "u" + string(rune('a'+i)) + string(rune('a'+j%26)),
					Attributes: attrs("country", "NL", "plan", "free", "email", "x@y.z", "beta", j%2 == 0)}
				for _, r := range s.EvaluateAll(c) {
					last = r
				}
				last = s.Evaluate("checkout-theme", c)
			}
			done <- last
		}()
	}
	for range 8 {
		if r := <-done; r.Key != "checkout-theme" {
			t.Errorf("got %+v", r)
		}
	}
}
