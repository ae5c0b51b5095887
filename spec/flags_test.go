package spec

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// flagSpec is the example from issue 5; the flag starts on line 6.
const flagSpec = web + `flags:
  new-checkout:
    class: release            # release | experiment | permission | operational
    type: boolean             # boolean | string | integer | float | object
    variants: {on: true, off: false}
    default: off
    rules:
      - if: 'ctx.country == "NL" && ctx.plan in ["pro", "team"]'
        serve: on
      - segment: beta-testers
        serve: on
    rollout: {on: 25, off: 75}          # percentage split of everyone else
    stickiness: targetingKey            # or another context attribute
    owner: payments-team
segments:
  beta-testers: {if: 'ctx.email.endsWith("@shop.example")'}
`

func TestFlagExample(t *testing.T) {
	app := mustParse(t, flagSpec)
	want := &Flag{
		Key: "new-checkout", Class: ClassRelease, Type: TypeBoolean, Owner: "payments-team",
		Enabled:  ptr(true),
		Variants: map[string]FlagValue{"on": {true}, "off": {false}},
		Default:  "off",
		Off:      "off",
		Rules: []FlagRule{
			{If: `ctx.country == "NL" && ctx.plan in ["pro", "team"]`, Serve: "on"},
			{Segment: "beta-testers", Serve: "on"},
		},
		Rollout:    map[string]float64{"on": 25, "off": 75},
		Stickiness: "targetingKey",
		StaleAfter: Period{30 * Day},
	}
	if got := app.Flags["new-checkout"]; !reflect.DeepEqual(got, want) {
		t.Errorf("flag:\n%s\nwant:\n%s", mustJSON(t, got), mustJSON(t, want))
	}
	seg := &Segment{Name: "beta-testers", If: `ctx.email.endsWith("@shop.example")`}
	if got := app.Segments["beta-testers"]; !reflect.DeepEqual(got, seg) {
		t.Errorf("segment = %+v, want %+v", got, seg)
	}
	if l := app.Line("flags.new-checkout.rules[1].segment"); l != 14 {
		t.Errorf("line of rules[1].segment = %d, want 14", l)
	}
}

func TestFlagDefaults(t *testing.T) {
	tests := []struct {
		name string
		flag string
		want Flag
	}{
		{"boolean without variants", "{class: operational, type: boolean, default: off}",
			Flag{Key: "f", Class: ClassOperational, Type: TypeBoolean, Enabled: ptr(true), Default: "off", Off: "off",
				Variants: map[string]FlagValue{"on": {true}, "off": {false}}, Stickiness: "targetingKey", StaleAfter: Never()}},
		{"experiment, typed values", "{class: experiment, type: float, variants: {a: 1, b: 2.5}, default: a, enabled: false, stickiness: userId}",
			Flag{Key: "f", Class: ClassExperiment, Type: TypeFloat, Enabled: ptr(false), Default: "a",
				Variants: map[string]FlagValue{"a": {1.0}, "b": {2.5}}, Stickiness: "userId", StaleAfter: Period{90 * Day}}},
		{"permission never stale", "{class: permission, type: integer, variants: {a: 1}, default: a}",
			Flag{Key: "f", Class: ClassPermission, Type: TypeInteger, Enabled: ptr(true), Default: "a",
				Variants: map[string]FlagValue{"a": {int64(1)}}, Stickiness: "targetingKey", StaleAfter: Never()}},
		{"written staleAfter stays", "{class: release, type: string, variants: {a: x}, default: a, staleAfter: 1d12h}",
			Flag{Key: "f", Class: ClassRelease, Type: TypeString, Enabled: ptr(true), Default: "a",
				Variants: map[string]FlagValue{"a": {"x"}}, Stickiness: "targetingKey", StaleAfter: Period{36 * time.Hour}}},
		{"object", "{class: release, type: object, variants: {a: {size: 3, tags: [x]}}, default: a, staleAfter: never}",
			Flag{Key: "f", Class: ClassRelease, Type: TypeObject, Enabled: ptr(true), Default: "a",
				Variants:   map[string]FlagValue{"a": {map[string]any{"size": int64(3), "tags": []any{"x"}}}},
				Stickiness: "targetingKey", StaleAfter: Never()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := mustParse(t, web+"flags:\n  f: "+tc.flag+"\n")
			got := app.Flags["f"]
			if !reflect.DeepEqual(got, &tc.want) {
				t.Errorf("got:\n%#v\nwant:\n%#v", got, &tc.want)
			}
			again := got.Clone()
			again.ApplyDefaults()
			if !reflect.DeepEqual(again, got) {
				t.Errorf("ApplyDefaults is not idempotent:\n%#v", again)
			}
		})
	}
}

// badExpr is a stand-in for the CEL checker: it rejects "!!".
func badExpr(expr string) error {
	if strings.Contains(expr, "!!") {
		return errors.New("Syntax error: unexpected '!' (line 1, column 2)")
	}
	return nil
}

// flag0 writes flag f's body from line 6.
func flag0(body string) string { return web + "flags:\n  f:\n" + body }

// okFlag is a valid boolean flag body, lines 7-9.
const okFlag = "    class: release\n    type: boolean\n    default: off\n"

func TestFlagProblems(t *testing.T) {
	const f = "flags.f"
	cases := []struct {
		name, src string
		line      int
		path, msg string
	}{
		{"bad key", web + "flags:\n  new/checkout: {class: release, type: boolean, default: off}\n", 6, "flags.new/checkout", `invalid flag key "new/checkout": use letters, digits`},
		{"key case clash", web + "flags:\n  Beta: {class: release, type: boolean, default: off}\n  beta: {class: release, type: boolean, default: off}\n", 7, "flags.beta", `"beta" differs from "Beta" only in case`},
		{"empty flag", web + "flags:\n  f:\n", 6, f, "empty flag"},
		{"class missing", flag0("    type: boolean\n    default: off\n"), 6, f + ".class", "required: one of release, experiment, permission, operational"},
		{"class unknown", flag0("    class: releese\n    type: boolean\n    default: off\n"), 7, f + ".class", `unknown class "releese" (did you mean "release"?)`},
		{"type missing", flag0("    class: release\n    default: off\n"), 6, f + ".type", "required: one of boolean, string, integer, float, object"},
		{"type unknown", flag0("    class: release\n    type: bool\n    default: off\n"), 8, f + ".type", `unknown type "bool"`},
		{"unknown field", flag0(okFlag + "    rolout: {on: 100}\n"), 10, f + ".rolout", `unknown field "rolout" (did you mean "rollout"?)`},
		{"boolean variant type", flag0(okFlag + "    variants: {on: yes, off: false}\n"), 10, f + ".variants.on", `must be true or false (type boolean); got "yes" (a string)`},
		{"string variant type", flag0("    class: release\n    type: string\n    default: a\n    variants:\n      a: 1\n"), 11, f + ".variants.a", "must be a string (type string); got the number 1"},
		{"integer variant type", flag0("    class: release\n    type: integer\n    default: a\n    variants:\n      a: 1.5\n"), 11, f + ".variants.a", "must be a whole number (type integer); got the number 1.5"},
		{"float variant type", flag0("    class: release\n    type: float\n    default: a\n    variants:\n      a: x\n"), 11, f + ".variants.a", "must be a number (type float)"},
		{"object variant type", flag0("    class: release\n    type: object\n    default: a\n    variants:\n      a: [1]\n"), 11, f + ".variants.a", "must be a mapping"},
		{"null variant", flag0("    class: release\n    type: string\n    default: a\n    variants:\n      a:\n"), 11, f + ".variants.a", "got null"},
		{"no variants", flag0("    class: release\n    type: string\n    default: a\n"), 6, f + ".variants", "at least one variant is required"},
		{"bad variant name", flag0("    class: release\n    type: string\n    default: a\n    variants: {a: x, -b: y}\n"), 10, f + ".variants.-b", "invalid variant name"},
		{"default missing", flag0("    class: release\n    type: boolean\n"), 6, f + ".default", "required: the variant served when nothing else decides, one of off, on"},
		{"default not a variant", flag0("    class: release\n    type: boolean\n    default: of\n"), 9, f + ".default", `unknown variant "of" (did you mean "off"?); variants: off, on`},
		{"default is a value", flag0("    class: release\n    type: boolean\n    default: false\n"), 9, f + ".default", `unknown variant "false"; variants: off, on`},
		{"rule serves unknown", flag0(okFlag + "    rules:\n      - {if: 'ctx.a == 1', serve: no}\n"), 11, f + ".rules[0].serve", `unknown variant "no"`},
		{"rule without serve", flag0(okFlag + "    rules:\n      - {if: 'ctx.a == 1'}\n"), 11, f + ".rules[0].serve", "required: the variant served on a match"},
		{"rule without condition", flag0(okFlag + "    rules:\n      - {serve: on}\n"), 11, f + ".rules[0]", "set if"},
		{"rule empty if", flag0(okFlag + "    rules:\n      - {if: '', serve: on}\n"), 11, f + ".rules[0].if", "must not be empty"},
		{"rule does not compile", flag0(okFlag + "    rules:\n      - if: 'ctx.a !! 1'\n        serve: on\n"), 11, f + ".rules[0].if", "does not compile: Syntax error"},
		{"unknown segment", flag0(okFlag + "    rules:\n      - {segment: beta-tester, serve: on}\nsegments:\n  beta-testers: {if: ctx.beta}\n"), 11, f + ".rules[0].segment",
			`unknown segment "beta-tester" (did you mean "beta-testers"?); segments: beta-testers`},
		{"unknown segment none", flag0(okFlag + "    rules:\n      - {segment: beta, serve: on}\n"), 11, f + ".rules[0].segment", `segments: (none defined)`},
		{"rollout unknown variant", flag0(okFlag + "    rollout: {onn: 25, off: 75}\n"), 10, f + ".rollout.onn", `unknown variant "onn" (did you mean "on"?)`},
		{"rollout sum", flag0(okFlag + "    rollout: {on: 25, off: 65}\n"), 10, f + ".rollout", "percentages add up to 90, want 100"},
		{"rollout sum decimals", flag0(okFlag + "    rollout: {on: 0.5, off: 99}\n"), 10, f + ".rollout", "percentages add up to 99.5, want 100"},
		{"rollout negative", flag0(okFlag + "    rollout: {on: -5, off: 105}\n"), 10, f + ".rollout.off", "must be a percentage 0..100"},
		{"rollout negative on", flag0(okFlag + "    rollout: {on: -5, off: 105}\n"), 10, f + ".rollout.on", "got -5"},
		{"rollout four decimals", flag0(okFlag + "    rollout: {on: 0.0005, off: 99.9995}\n"), 10, f + ".rollout.on", "at most three decimals"},
		{"rollout not a number", flag0(okFlag + "    rollout: {on: half}\n"), 10, f + ".rollout.on", "must be a number"},
		{"stickiness empty", flag0(okFlag + "    stickiness: ''\n"), 10, f + ".stickiness", "must name a context attribute"},
		{"staleAfter", flag0(okFlag + "    staleAfter: 30\n"), 10, f + ".staleAfter", `invalid period "30"`},
		{"staleAfter zero", flag0(okFlag + "    staleAfter: 0d\n"), 10, f + ".staleAfter", "must be > 0"},
		{"unknown prerequisite", flag0(okFlag + "    prerequisites: [{flag: othr, variant: on}]\n  other: {class: release, type: boolean, default: off}\n"), 10, f + ".prerequisites[0].flag",
			`unknown flag "othr" (did you mean "other"?); flags: f, other`},
		{"prerequisite variant", flag0(okFlag + "    prerequisites: [{flag: g, variant: onn}]\n  g: {class: release, type: boolean, default: off}\n"), 10, f + ".prerequisites[0].variant",
			`unknown variant "onn" (did you mean "on"?)`},
		{"prerequisite self", flag0(okFlag + "    prerequisites: [{flag: f, variant: on}]\n"), 10, f + ".prerequisites[0].flag", "cannot be its own prerequisite"},
		{"prerequisite cycle", flag0(okFlag + "    prerequisites: [{flag: g, variant: on}]\n  g:\n    class: release\n    type: boolean\n    default: off\n    prerequisites: [{flag: f, variant: on}]\n"),
			10, f + ".prerequisites", "prerequisite cycle: f -> g -> f"},
		{"segment empty if", web + "segments:\n  s: {if: ' '}\n", 6, "segments.s.if", "must not be empty"},
		{"segment does not compile", web + "segments:\n  s:\n    if: 'a !! b'\n", 7, "segments.s.if", "does not compile"},
		{"segment null", web + "segments:\n  s:\n", 6, "segments.s", "empty segment"},
		{"segment name", web + "segments:\n  s/x: {if: ctx.a}\n", 6, "segments.s/x", "invalid segment name"},
		{"operational without off", flag0("    class: operational\n    type: string\n    variants: {fast: a, safe: b}\n    default: fast\n"), 6, f + ".off",
			"required for an operational flag of type string: the variant a kill or disable serves, one of fast, safe"},
		{"operational integer without off", flag0("    class: operational\n    type: integer\n    variants: {low: 1, high: 9}\n    default: high\n"), 6, f + ".off",
			"required for an operational flag of type integer"},
		{"operational boolean without a false variant", flag0("    class: operational\n    type: boolean\n    variants: {yes: true}\n    default: yes\n"), 6, f + ".off",
			"required for an operational flag of type boolean without a variant whose value is false: the variant a kill or disable serves, one of yes"},
		{"off not a variant", flag0(okFlag + "    off: of\n"), 10, f + ".off", `unknown variant "of" (did you mean "off"?); variants: off, on`},
		{"off empty", flag0(okFlag + "    off: ''\n"), 10, f + ".off", "required: the variant served when the flag is disabled or killed, one of off, on"},
		{"off unknown on an operational flag", flag0("    class: operational\n    type: string\n    variants: {fast: a, safe: b}\n    default: fast\n    off: saf\n"), 11, f + ".off",
			`unknown variant "saf" (did you mean "safe"?); variants: fast, safe`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseWith("slipway.yaml", []byte(c.src), Options{CheckFlagExpr: badExpr})
			var ps *Problems
			if !errors.As(err, &ps) {
				t.Fatalf("ParseWith error = %v, want *Problems", err)
			}
			for _, p := range *ps {
				if p.Line == c.line && p.Path == c.path && strings.Contains(p.Message, c.msg) {
					return
				}
			}
			t.Errorf("want line %d %s: ...%s...\ngot:\n%v", c.line, c.path, c.msg, ps)
		})
	}
}

func TestFlagProblemsAllAtOnce(t *testing.T) {
	src := web + `flags:
  new-checkout:
    class: releese
    type: boolean
    variants: {on: true, off: "no"}
    default: of
    rules:
      - if: 'ctx.a !! 1'
        serve: onn
      - segment: beta
        serve: on
    rollout: {on: 25, off: 70}
    prerequisites: [{flag: old-checkout, variant: on}]
  old-checkout:
    class: release
    type: boolean
    default: off
    prerequisites: [{flag: new-checkout, variant: on}]
`
	_, err := ParseWith("slipway.yaml", []byte(src), Options{CheckFlagExpr: badExpr})
	want := `slipway.yaml:7: flags.new-checkout.class: unknown class "releese" (did you mean "release"?); valid: release, experiment, permission, operational
slipway.yaml:9: flags.new-checkout.variants.off: must be true or false (type boolean); got "no" (a string)
slipway.yaml:10: flags.new-checkout.default: unknown variant "of" (did you mean "off"?); variants: off, on
slipway.yaml:12: flags.new-checkout.rules[0].if: does not compile: Syntax error: unexpected '!' (line 1, column 2)
slipway.yaml:13: flags.new-checkout.rules[0].serve: unknown variant "onn" (did you mean "on"?); variants: off, on
slipway.yaml:14: flags.new-checkout.rules[1].segment: unknown segment "beta"; segments: (none defined)
slipway.yaml:16: flags.new-checkout.rollout: percentages add up to 95, want 100
slipway.yaml:17: flags.new-checkout.prerequisites: prerequisite cycle: new-checkout -> old-checkout -> new-checkout`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestValidateFlags(t *testing.T) {
	flags := map[string]*Flag{
		"a": {Class: ClassRelease, Type: TypeBoolean, Default: "on", Rollout: map[string]float64{"on": 50}},
		"b": {Class: ClassRelease, Type: TypeString, Variants: map[string]FlagValue{"x": {"1"}}, Default: "x",
			Rules: []FlagRule{{Segment: "s", Serve: "x"}}},
	}
	err := ValidateFlags(flags, map[string]*Segment{"s": {If: "ctx.a"}}, Options{})
	want := "flags.a.rollout: percentages add up to 50, want 100"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	flags["a"].Rollout["off"] = 50
	if err := ValidateFlags(flags, map[string]*Segment{"s": {If: "ctx.a"}}, Options{}); err != nil {
		t.Errorf("valid flags: %v", err)
	}
}

func TestIsFlagKey(t *testing.T) {
	for key, want := range map[string]bool{
		"new-checkout": true, "newCheckout": true, "checkout.v2": true, "new_checkout": true, "a": true, "A1": true,
		"": false, "-a": false, "a-": false, "a/b": false, "a b": false, ".a": false, "ä": false,
		strings.Repeat("a", 128): true, strings.Repeat("a", 129): false,
	} {
		if got := IsFlagKey(key); got != want {
			t.Errorf("IsFlagKey(%q) = %v, want %v", key, got, want)
		}
	}
}
