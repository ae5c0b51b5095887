package flags

import (
	"reflect"
	"testing"
)

// offSpec has a flag of each type whose default is not its off variant,
// each with a rule and a split that would serve something else.
const offSpec = `app: shop
services:
  web: {run: [./web]}
flags:
  payments:
    class: operational
    type: boolean
    default: on
    rollout: {on: 100}
  renamed:
    class: operational
    type: boolean
    variants: {enabled: true, disabled: false}
    default: enabled
  provider:
    class: operational
    type: string
    variants: {stripe: stripe, adyen: adyen, none: ""}
    default: stripe
    off: none
    rules: [{if: 'ctx.country == "NL"', serve: adyen}]
  rps:
    class: operational
    type: integer
    variants: {high: 1000, zero: 0}
    default: high
    off: zero
  ratio:
    class: operational
    type: float
    variants: {full: 1.0, none: 0.0}
    default: full
    off: none
    rollout: {full: 100}
  limits:
    class: operational
    type: object
    variants: {large: {rps: 1000}, closed: {rps: 0}}
    default: large
    off: closed
  theme:
    class: experiment
    type: string
    variants: {plain: plain, fancy: fancy}
    default: fancy
  gated:
    class: release
    type: boolean
    default: on
    prerequisites: [{flag: payments, variant: on}]
    rules: [{if: ctx.beta, serve: on}]
`

func TestKilledOrDisabledServesOff(t *testing.T) {
	tests := []struct {
		key     string
		variant string
		value   any
	}{
		{"payments", "off", false},
		{"renamed", "disabled", false},
		{"provider", "none", ""},
		{"rps", "zero", int64(0)},
		{"ratio", "none", 0.0},
		{"limits", "closed", map[string]any{"rps": int64(0)}},
		{"theme", "fancy", "fancy"}, // no off, not boolean: the default
	}
	ctx := Context{"user-1", attrs("country", "NL", "beta", true)}
	for _, tc := range tests {
		for name, o := range map[string]Override{"killed": {Killed: true}, "disabled": {Enabled: new(false)}} {
			t.Run(tc.key+" "+name, func(t *testing.T) {
				s := mustSet(t, offSpec, map[string]Override{tc.key: o})
				r := s.Evaluate(tc.key, ctx)
				if r.Variant != tc.variant || !reflect.DeepEqual(r.Value, tc.value) || r.Reason != ReasonDisabled {
					t.Errorf("got %+v, want variant %s value %#v reason DISABLED", r, tc.variant, tc.value)
				}
				if all := s.EvaluateAll(ctx); !reflect.DeepEqual(all[indexOf(s.Keys(), tc.key)], r) {
					t.Errorf("EvaluateAll disagrees with Evaluate on %s", tc.key)
				}
			})
		}
	}
}

// TestAKilledPrerequisiteServesOff: a flag that depends on a killed one
// sees its off variant.
func TestAKilledPrerequisiteServesOff(t *testing.T) {
	ctx := Context{"user-1", attrs("beta", true)}
	if r := mustSet(t, offSpec, nil).Evaluate("gated", ctx); r.Variant != "on" || r.Reason != ReasonTargetingMatch {
		t.Fatalf("payments on: gated = %+v, want on by its rule", r)
	}
	if r := mustSet(t, offSpec, map[string]Override{"payments": {Killed: true}}).Evaluate("gated", ctx); r.Variant != "on" || r.Reason != ReasonDefault {
		t.Errorf("payments killed: gated = %+v, want its default (prerequisite not met)", r)
	}
}

// TestADefaultOverrideDoesNotMoveOff: set changes the default, not what
// a kill serves; a flag without off follows its default.
func TestADefaultOverrideDoesNotMoveOff(t *testing.T) {
	s := mustSet(t, offSpec, map[string]Override{
		"provider": {Default: "adyen", Killed: true},
		"theme":    {Default: "plain", Killed: true},
	})
	if r := s.Evaluate("provider", Context{}); r.Variant != "none" {
		t.Errorf("provider = %+v, want none", r)
	}
	if r := s.Evaluate("theme", Context{}); r.Variant != "plain" {
		t.Errorf("theme = %+v, want plain (its default as set)", r)
	}
}

func indexOf(keys []string, key string) int {
	for i, k := range keys {
		if k == key {
			return i
		}
	}
	return -1
}
