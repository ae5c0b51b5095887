package flags

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/spec"
)

// example is the spec of issue 5, with a few more flags.
const example = `app: shop
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
      - segment: beta-testers
        serve: on
    rollout: {on: 25, off: 75}
    stickiness: targetingKey
    owner: payments-team
  static-color:
    class: permission
    type: string
    variants: {blue: "#00f", red: "#f00"}
    default: red
  off-flag:
    class: release
    type: boolean
    enabled: false
    default: on
    rollout: {on: 50, off: 50}
  checkout-theme:
    class: experiment
    type: string
    variants: {plain: plain, fancy: fancy}
    default: plain
    prerequisites: [{flag: new-checkout, variant: on}]
    rules:
      - if: ctx.beta
        serve: fancy
  limits:
    class: operational
    type: object
    variants: {small: {rps: 10}, large: {rps: 1000}}
    default: small
    off: small
    rules:
      - {if: 'ctx.plan == "team"', segment: beta-testers, serve: large}
  by-user:
    class: experiment
    type: integer
    variants: {a: 1, b: 2}
    default: a
    rollout: {a: 50, b: 50}
    stickiness: userId
  all-b:
    class: experiment
    type: float
    variants: {a: 1, b: 2.5}
    default: a
    rollout: {a: 0, b: 100}
segments:
  beta-testers: {if: 'ctx.email.endsWith("@shop.example")'}
`

func mustSet(t testing.TB, src string, overrides map[string]Override) *Set {
	t.Helper()
	app, err := spec.ParseWith("slipway.yaml", []byte(src), spec.Options{CheckFlagExpr: CheckExpr})
	if err != nil {
		t.Fatal(err)
	}
	s, err := CompileApp(app, overrides)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func attrs(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// firstKeyIn returns a targeting key whose bucket for flag key is in
// [lo, hi), so that split tests do not depend on luck.
func firstKeyIn(key string, lo, hi int) string {
	for i := 0; ; i++ {
		k := "user-" + strconv.Itoa(i)
		if b := Bucket(key, k); b >= lo && b < hi {
			return k
		}
	}
}

func TestEvaluate(t *testing.T) {
	s := mustSet(t, example, nil)
	// "off" sorts before "on": off takes buckets [0, 75000), on [75000, 100000).
	onUser, offUser := firstKeyIn("new-checkout", 75_000, Buckets), firstKeyIn("new-checkout", 0, 75_000)
	tests := []struct {
		name    string
		key     string
		ctx     Context
		variant string
		value   any
		reason  Reason
		code    ErrorCode
	}{
		{"first rule", "new-checkout", Context{offUser, attrs("country", "NL", "plan", "pro")}, "on", true, ReasonTargetingMatch, ""},
		{"first rule half", "new-checkout", Context{offUser, attrs("country", "NL", "plan", "free")}, "off", false, ReasonSplit, ""},
		{"segment rule", "new-checkout", Context{offUser, attrs("email", "ann@shop.example")}, "on", true, ReasonTargetingMatch, ""},
		{"split on", "new-checkout", Context{onUser, nil}, "on", true, ReasonSplit, ""},
		{"split off", "new-checkout", Context{offUser, attrs("email", "bob@else.example")}, "off", false, ReasonSplit, ""},
		{"missing attributes do not match", "new-checkout", Context{offUser, attrs("plan", "pro")}, "off", false, ReasonSplit, ""},
		{"wrong attribute type does not match", "new-checkout", Context{offUser, attrs("country", 31.0, "email", 7.0)}, "off", false, ReasonSplit, ""},
		{"no targeting key", "new-checkout", Context{"", attrs("plan", "pro")}, "", nil, ReasonError, ErrTargetingKeyMissing},
		{"no targeting key, rule matches", "new-checkout", Context{"", attrs("country", "NL", "plan", "team")}, "on", true, ReasonTargetingMatch, ""},
		{"static", "static-color", Context{}, "red", "#f00", ReasonStatic, ""},
		{"disabled: off, not the default", "off-flag", Context{onUser, nil}, "off", false, ReasonDisabled, ""},
		{"prerequisite met, rule", "checkout-theme", Context{onUser, attrs("beta", true)}, "fancy", "fancy", ReasonTargetingMatch, ""},
		{"prerequisite met, no rule", "checkout-theme", Context{onUser, attrs("beta", false)}, "plain", "plain", ReasonDefault, ""},
		{"prerequisite not met", "checkout-theme", Context{offUser, attrs("beta", true)}, "plain", "plain", ReasonDefault, ""},
		{"prerequisite errs", "checkout-theme", Context{"", attrs("beta", true)}, "plain", "plain", ReasonDefault, ""},
		{"rule with if and segment", "limits", Context{"", attrs("plan", "team", "email", "a@shop.example")}, "large", map[string]any{"rps": int64(1000)}, ReasonTargetingMatch, ""},
		{"rule with if, not segment", "limits", Context{"", attrs("plan", "team", "email", "a@b.example")}, "small", map[string]any{"rps": int64(10)}, ReasonDefault, ""},
		{"stickiness attribute", "by-user", Context{"ignored", attrs("userId", firstKeyIn("by-user", 50_000, Buckets))}, "b", int64(2), ReasonSplit, ""},
		{"stickiness attribute missing", "by-user", Context{"someone", nil}, "", nil, ReasonError, ErrTargetingKeyMissing},
		{"one variant at 100% needs no key", "all-b", Context{}, "b", 2.5, ReasonSplit, ""},
		{"not found", "nope", Context{}, "", nil, ReasonError, ErrFlagNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Evaluate(tc.key, tc.ctx)
			if r.Key != tc.key || r.Variant != tc.variant || !reflect.DeepEqual(r.Value, tc.value) || r.Reason != tc.reason || r.ErrorCode != tc.code {
				t.Errorf("Evaluate = %+v\nwant variant %q value %#v reason %s code %q", r, tc.variant, tc.value, tc.reason, tc.code)
			}
			if (r.ErrorCode != "") != (r.ErrorDetails != "") {
				t.Errorf("error code %q with details %q", r.ErrorCode, r.ErrorDetails)
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	s := mustSet(t, example, map[string]Override{"limits": {Killed: true}})
	want := map[string]any{"class": "release", "type": "boolean", "owner": "payments-team"}
	if r := s.Evaluate("new-checkout", Context{}); !reflect.DeepEqual(r.Metadata, want) {
		t.Errorf("metadata = %v, want %v", r.Metadata, want)
	}
	want = map[string]any{"class": "operational", "type": "object", "killed": true}
	if r := s.Evaluate("limits", Context{}); !reflect.DeepEqual(r.Metadata, want) || r.Reason != ReasonDisabled {
		t.Errorf("killed: %+v, want metadata %v", r, want)
	}
}

func TestEvaluateAll(t *testing.T) {
	s := mustSet(t, example, nil)
	rs := s.EvaluateAll(Context{"u1", attrs("country", "NL", "plan", "pro", "userId", 7.0)})
	var keys []string
	for _, r := range rs {
		keys = append(keys, r.Key)
		if one := s.Evaluate(r.Key, Context{"u1", attrs("country", "NL", "plan", "pro", "userId", 7.0)}); !reflect.DeepEqual(one, r) {
			t.Errorf("EvaluateAll %+v != Evaluate %+v", r, one)
		}
	}
	want := []string{"all-b", "by-user", "checkout-theme", "limits", "new-checkout", "off-flag", "static-color"}
	if !reflect.DeepEqual(keys, want) || !reflect.DeepEqual(s.Keys(), want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}

func TestOverrides(t *testing.T) {
	user := firstKeyIn("new-checkout", 50_000, 75_000) // off at 25% on, on at 50%
	ctx := Context{user, nil}
	tests := []struct {
		name     string
		key      string
		o        Override
		variant  string
		reason   Reason
		killedMD bool
	}{
		{"none", "new-checkout", Override{}, "off", ReasonSplit, false},
		{"rollout raised", "new-checkout", Override{Rollout: map[string]float64{"on": 50, "off": 50}}, "on", ReasonSplit, false},
		{"disabled", "new-checkout", Override{Enabled: new(false)}, "off", ReasonDisabled, false},
		{"killed wins over enabled", "new-checkout", Override{Enabled: new(true), Killed: true}, "off", ReasonDisabled, true},
		{"default changed", "static-color", Override{Default: "blue"}, "blue", ReasonStatic, false},
		{"enabled", "off-flag", Override{Enabled: new(true), Rollout: map[string]float64{"on": 100}}, "on", ReasonSplit, false},
		{"rollout added", "static-color", Override{Rollout: map[string]float64{"blue": 100}}, "blue", ReasonSplit, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSet(t, example, map[string]Override{tc.key: tc.o, "gone": {Killed: true}})
			r := s.Evaluate(tc.key, ctx)
			if r.Variant != tc.variant || r.Reason != tc.reason || (r.Metadata["killed"] == true) != tc.killedMD {
				t.Errorf("got %+v, want %s %s", r, tc.variant, tc.reason)
			}
		})
	}
}

func TestBadOverrides(t *testing.T) {
	app, err := spec.Parse("slipway.yaml", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	_, err = CompileApp(app, map[string]Override{
		"new-checkout": {Default: "of", Rollout: map[string]float64{"on": 30, "off": 60}},
		"static-color": {Rollout: map[string]float64{"green": 100}},
	})
	want := `override of flag new-checkout: flags.new-checkout.default: unknown variant "of" (did you mean "off"?); variants: off, on
flags.new-checkout.rollout: percentages add up to 90, want 100
override of flag static-color: flags.static-color.rollout.green: unknown variant "green"; variants: blue, red`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	var ps *spec.Problems
	if !errors.As(err, &ps) {
		t.Errorf("%T is not a *spec.Problems", err)
	}
	if err := (Override{}).Check("x", nil); !errors.Is(err, ErrUnknownFlag) {
		t.Errorf("Check of a missing flag = %v", err)
	}
}

func TestCompileRejectsBadSpec(t *testing.T) {
	flags := map[string]*spec.Flag{
		"f": {Class: spec.ClassRelease, Type: spec.TypeBoolean, Default: "on",
			Rules: []spec.FlagRule{{If: "ctx.a ==", Serve: "on"}, {If: "1 + 2", Serve: "on"}, {Segment: "s", Serve: "on"}}},
	}
	_, err := Compile(flags, map[string]*spec.Segment{"s": {If: "ctx.b.nope("}}, nil)
	var ps *spec.Problems
	if !errors.As(err, &ps) || len(*ps) != 3 {
		t.Fatalf("Compile = %v, want 3 problems", err)
	}
	for i, want := range []string{
		"segments.s.if: does not compile: Syntax error",
		"flags.f.rules[0].if: does not compile: Syntax error",
		"flags.f.rules[1].if: does not compile: condition yields int, want bool",
	} {
		if got := (*ps)[i].String(); !strings.HasPrefix(got, want) {
			t.Errorf("problem %d = %s, want %s...", i, got, want)
		}
	}
}
