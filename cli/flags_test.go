package cli_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

func TestFlagsList(t *testing.T) {
	f, url := newFake(t)
	f.flags = shopFlags()
	res := run(t, url, "flags", "list")
	want := `   KEY           CLASS        TYPE     STATE   DEFAULT   OFF                 ROLLOUT           RULES  OWNER
 ! banner-color  release      string   on      blue      blue (default)      -                 0      -
*  new-checkout  release      boolean  on      off       off                 on 25% / off 75%  2      payments-team
   pro-pricing   permission   string   off     standard  standard (default)  -                 1      growth
*  search-cache  operational  boolean  KILLED  on        off                 off 0% / on 100%  0      search-team

* a run-time change applies on top of the spec (see "slipway flags get KEY")
! stale (see "slipway flags stale")
`
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
	if want := []string{"GET /v1/flags"}; !reflect.DeepEqual(f.calls, want) {
		t.Errorf("requests %v, want %v", f.calls, want)
	}
}

// TestFlagsListStale asks the server for the stale flags only (the fake
// filters on ?stale=true, as the real one does).
func TestFlagsListStale(t *testing.T) {
	f, url := newFake(t)
	f.flags = shopFlags()
	res := run(t, url, "flags", "list", "--stale")
	want := `   KEY           CLASS    TYPE    STATE  DEFAULT  OFF             ROLLOUT  RULES  OWNER
 ! banner-color  release  string  on     blue     blue (default)  -        0      -

! stale (see "slipway flags stale")
`
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
	f.flags = []api.Flag{newCheckout()}
	if res := run(t, url, "flags", "list", "--stale"); res.code != 0 || res.stdout != "No stale flags.\n" {
		t.Errorf("exit %d, stdout %q", res.code, res.stdout)
	}
}

func TestFlagsListEmpty(t *testing.T) {
	_, url := newFake(t)
	res := run(t, url, "flags", "list")
	if res.code != 0 || res.stdout != "No feature flags yet. Define some under flags: in slipway.yaml and apply it.\n" {
		t.Fatalf("exit %d, stdout %q", res.code, res.stdout)
	}
	res = run(t, url, "flags", "list", "-o", "json")
	if res.code != 0 || res.stdout != "[]\n" {
		t.Fatalf("exit %d, stdout %q", res.code, res.stdout)
	}
}

func TestFlagsListJSON(t *testing.T) {
	f, url := newFake(t)
	f.flags = shopFlags()
	res := run(t, url, "flags", "list", "-o", "json")
	var got []api.Flag
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || res.code != 0 {
		t.Fatalf("exit %d, %v; stdout %s", res.code, err, res.stdout)
	}
	if !reflect.DeepEqual(got[1], newCheckout()) {
		t.Errorf("got %+v\nwant %+v", got[1], newCheckout())
	}
}

func TestFlagsGet(t *testing.T) {
	tests := []struct {
		flag api.Flag
		want string
	}{
		{newCheckout(), `flag:           new-checkout
class:          release
type:           boolean
description:    The one-page checkout
owner:          payments-team
state:          on
serves:         2 rules decide first, then on 25% / off 75% for everyone else
default:        off
off:            "off" (false)
variants:       off = false (default)
                on = true
prerequisites:  -
rules:          1. if ctx.country == "NL" && ctx.plan in ["pro", "team"] -> on
                2. segment beta-testers -> on
rollout:        on 25% / off 75%
stickiness:     targetingKey
override:       yes: a run-time change (enable, disable, kill, set, rollout) applies on top of the spec, until an apply changes this flag in the spec
changed:        2026-11-20T09:30:00Z
evaluated:      2026-11-26T21:59:12Z
stale:          no
revision:       7
`},
		{proPricing(), `flag:           pro-pricing
class:          permission
type:           string
owner:          growth
state:          off (disabled): everyone gets "standard" ("std"); "slipway flags enable pro-pricing" turns it on
serves:         everyone gets "standard" ("std"), its default: the flag has no off variant (name one with off: in the spec)
default:        standard
off:            "standard" ("std"), its default: the flag has no off variant (name one with off: in the spec)
variants:       pro = "pro-v2"
                standard = "std" (default)
prerequisites:  new-checkout=on
rules:          1. segment pro-customers and if ctx.seats > 10 -> pro
rollout:        -
stickiness:     account
override:       none: served as the spec says
changed:        2026-11-20T09:30:00Z
evaluated:      2026-11-26T21:59:12Z
stale:          no
revision:       7
`},
		{searchCache(), `flag:           search-cache
class:          operational
type:           boolean
owner:          search-team
state:          KILLED: everyone gets "off" (false); "slipway flags enable search-cache" turns it back on
serves:         everyone gets "off" (false)
default:        on
off:            "off" (false)
variants:       off = false
                on = true (default)
prerequisites:  -
rules:          -
rollout:        off 0% / on 100%
stickiness:     targetingKey
override:       yes: a run-time change (enable, disable, kill, set, rollout) applies on top of the spec, until an apply changes this flag in the spec
changed:        2026-11-20T09:30:00Z
evaluated:      never recorded
stale:          no
revision:       7
`},
		{bannerColor(), `flag:           banner-color
class:          release
type:           string
owner:          -
state:          on
serves:         everyone gets its default, blue
default:        blue
off:            "blue" ("#0000ff"), its default: the flag has no off variant (name one with off: in the spec)
variants:       blue = "#0000ff" (default)
                red = "#ff0000"
prerequisites:  -
rules:          -
rollout:        -
stickiness:     targetingKey
override:       none: served as the spec says
changed:        2026-11-20T09:30:00Z
evaluated:      never recorded
stale:          yes: has served variant blue to everyone for 45d (staleAfter 30d): remove it from the code and the spec
revision:       7
`},
	}
	for _, tc := range tests {
		t.Run(tc.flag.Key, func(t *testing.T) {
			f, url := newFake(t)
			f.flags = shopFlags()
			res := run(t, url, "flags", "get", tc.flag.Key)
			if res.code != 0 || res.stdout != tc.want {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, tc.want)
			}
			if want := []string{"GET /v1/flags/" + tc.flag.Key}; !reflect.DeepEqual(f.calls, want) {
				t.Errorf("requests %v, want %v", f.calls, want)
			}
		})
	}
}

func TestFlagsGetJSON(t *testing.T) {
	f, url := newFake(t)
	f.flags = shopFlags()
	res := run(t, url, "flags", "get", "pro-pricing", "-o", "json")
	var got api.Flag
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || res.code != 0 {
		t.Fatalf("exit %d, %v; stdout %s", res.code, err, res.stdout)
	}
	if !reflect.DeepEqual(got, proPricing()) {
		t.Errorf("got %+v\nwant %+v", got, proPricing())
	}
}

// TestFlagsGetUnknown shows the server's 404 as it is.
func TestFlagsGetUnknown(t *testing.T) {
	f, url := newFake(t)
	f.flags = shopFlags()
	res := run(t, url, "flags", "get", "new-chekout")
	want := "error: flag \"new-chekout\" does not exist\n"
	if res.code != 1 || res.stderr != want || res.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}

func TestFlagsStale(t *testing.T) {
	f, url := newFake(t)
	f.flags = shopFlags()
	res := run(t, url, "flags", "stale")
	want := `KEY           CLASS    OWNER  CHANGED               EVALUATED  WHY STALE
banner-color  release  -      2026-11-20T09:30:00Z  -          has served variant blue to everyone for 45d (staleAfter 30d): remove it from the code and the spec

1 flag is stale.
`
	if res.code != 0 || res.stdout != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}

	unused := newCheckout()
	unused.Stale, unused.StaleReason = true, "not evaluated for 31d (staleAfter 30d)"
	f.flags = append(f.flags, unused)
	res = run(t, url, "flags", "stale")
	if res.code != 0 || !strings.HasSuffix(res.stdout, "\n\n2 flags are stale.\n") ||
		!strings.Contains(res.stdout, "new-checkout  release  payments-team  2026-11-20T09:30:00Z  2026-11-26T21:59:12Z  not evaluated for 31d (staleAfter 30d)\n") {
		t.Fatalf("exit %d, stdout:\n%s", res.code, res.stdout)
	}

	res = run(t, url, "flags", "stale", "-o", "json")
	var got []api.Flag
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || res.code != 0 || len(got) != 2 {
		t.Fatalf("exit %d, %v; stdout %s", res.code, err, res.stdout)
	}

	f.flags = []api.Flag{proPricing()}
	if res := run(t, url, "flags", "stale"); res.code != 0 || res.stdout != "No stale flags.\n" {
		t.Errorf("exit %d, stdout %q", res.code, res.stdout)
	}
}

func floatPtr(f float64) *float64 { return &f }

// TestFlagVerbs checks each verb's request and what it prints about the
// flag the server answers with.
func TestFlagVerbs(t *testing.T) {
	withDefault := func(f api.Flag, variant string) api.Flag {
		f.Default = variant
		if f.OffUnset { // the server reports the default as what off serves
			f.Off = variant
		}
		return f
	}
	noRules := newCheckout()
	noRules.Rules = nil
	disabled := newCheckout()
	disabled.Enabled = false
	tests := []struct {
		name string
		args []string
		flag api.Flag // as the server answers after the edit
		want flagCall
		out  string
	}{
		{"enable", []string{"enable", "new-checkout"}, newCheckout(),
			flagCall{key: "new-checkout", verb: "enable"},
			"enabled new-checkout: 2 rules decide first, then on 25% / off 75% for everyone else"},
		{"enable, no rules", []string{"enable", "new-checkout", "--reason", "launch"}, noRules,
			flagCall{key: "new-checkout", verb: "enable", req: api.FlagRequest{Reason: "launch"}},
			"enabled new-checkout: on 25% / off 75% for everyone"},
		{"enable, prerequisites", []string{"enable", "pro-pricing"}, func() api.Flag { f := proPricing(); f.Enabled = true; return f }(),
			flagCall{key: "pro-pricing", verb: "enable"},
			"enabled pro-pricing: 1 rule decides first, then everyone else gets its default, standard " +
				"(when new-checkout=on; otherwise its default, standard)"},
		{"disable", []string{"disable", "pro-pricing", "--reason", "billing bug"}, proPricing(),
			flagCall{key: "pro-pricing", verb: "disable", req: api.FlagRequest{Reason: "billing bug"}},
			`disabled pro-pricing: everyone gets "standard" ("std"), its default: the flag has no off variant (name one with off: in the spec), ` +
				`until "slipway flags enable pro-pricing"`},
		{"kill", []string{"kill", "search-cache", "--reason", "stale results"}, searchCache(),
			flagCall{key: "search-cache", verb: "kill", req: api.FlagRequest{Reason: "stale results"}},
			`search-cache killed: serves "off" (false) to everyone; "slipway flags enable search-cache" turns it back on`},
		{"set", []string{"set", "new-checkout", "on", "--reason", "GA"}, withDefault(noRules, "on"),
			flagCall{key: "new-checkout", verb: "set", req: api.FlagRequest{Variant: "on", Reason: "GA"}},
			"new-checkout now defaults to on: off 75% / on 25% for everyone"},
		{"set while off", []string{"set", "pro-pricing", "pro"}, withDefault(proPricing(), "pro"),
			flagCall{key: "pro-pricing", verb: "set", req: api.FlagRequest{Variant: "pro"}},
			`pro-pricing now defaults to pro; while the flag is off everyone gets "pro" ("pro-v2"), its default: the flag has no off variant ` +
				`(name one with off: in the spec) ("slipway flags enable pro-pricing" turns it on)`},
		{"set while killed", []string{"set", "search-cache", "on"}, withDefault(searchCache(), "on"),
			flagCall{key: "search-cache", verb: "set", req: api.FlagRequest{Variant: "on"}},
			`search-cache now defaults to on; while the flag is KILLED everyone gets "off" (false) ("slipway flags enable search-cache" turns it on)`},
		{"rollout 25%", []string{"rollout", "new-checkout", "25%"}, newCheckout(),
			flagCall{key: "new-checkout", verb: "rollout", req: api.FlagRequest{Percent: floatPtr(25)}},
			"rolled out new-checkout: 2 rules decide first, then on 25% / off 75% for everyone else, sticky by targetingKey"},
		{"rollout a split", []string{"rollout", "new-checkout", "on=25,off=75", "--reason", "step 2"}, noRules,
			flagCall{key: "new-checkout", verb: "rollout", req: api.FlagRequest{Split: map[string]float64{"on": 25, "off": 75}, Reason: "step 2"}},
			"rolled out new-checkout: on 25% / off 75% for everyone, sticky by targetingKey"},
		{"rollout while off", []string{"rollout", "new-checkout", "25"}, disabled,
			flagCall{key: "new-checkout", verb: "rollout", req: api.FlagRequest{Percent: floatPtr(25)}},
			`new-checkout rolls out on 25% / off 75% once enabled ("slipway flags enable new-checkout"); until then everyone gets "off" (false)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFake(t)
			f.flags = []api.Flag{tc.flag}
			res := run(t, url, append([]string{"flags"}, tc.args...)...)
			if res.code != 0 || res.stdout != tc.out+"\n" {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, tc.out)
			}
			if len(f.flagVerbs) != 1 || !reflect.DeepEqual(f.flagVerbs[0], tc.want) {
				t.Errorf("requests %+v, want [%+v]", f.flagVerbs, tc.want)
			}
		})
	}
}

// TestFlagVerbRefused shows the server's word on an edit it refuses, as
// it is.
func TestFlagVerbRefused(t *testing.T) {
	f, url := newFake(t)
	f.flags = shopFlags()
	f.flagErr = &api.ErrorDetail{Kind: api.KindInvalid,
		Message: `set new-checkout: override of flag new-checkout: flags.new-checkout.default: unknown variant "yes"; variants: off, on`}
	res := run(t, url, "flags", "set", "new-checkout", "yes")
	if res.code != 1 || res.stderr != "error: "+f.flagErr.Message+"\n" || res.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	f.flagErr = nil
	res = run(t, url, "flags", "kill", "nosuch")
	want := "error: flag \"nosuch\" does not exist; flags: banner-color, new-checkout, pro-pricing, search-cache\n"
	if res.code != 1 || res.stderr != want {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestFlagRolloutArgument reads every form of the rollout argument.
func TestFlagRolloutArgument(t *testing.T) {
	tests := []struct {
		arg  string
		want api.FlagRequest
	}{
		{"25%", api.FlagRequest{Percent: floatPtr(25)}},
		{"25", api.FlagRequest{Percent: floatPtr(25)}},
		{"0", api.FlagRequest{Percent: floatPtr(0)}},
		{"100%", api.FlagRequest{Percent: floatPtr(100)}},
		{"0.125", api.FlagRequest{Percent: floatPtr(0.125)}},
		{"on=25,off=75", api.FlagRequest{Split: map[string]float64{"on": 25, "off": 75}}},
		{"on=25%, off=75%", api.FlagRequest{Split: map[string]float64{"on": 25, "off": 75}}},
		{"on=100,off=0", api.FlagRequest{Split: map[string]float64{"on": 100, "off": 0}}},
		{"a=33.333,b=33.333,c=33.334", api.FlagRequest{Split: map[string]float64{"a": 33.333, "b": 33.333, "c": 33.334}}},
		{"blue=100", api.FlagRequest{Split: map[string]float64{"blue": 100}}},
	}
	for _, tc := range tests {
		f, url := newFake(t)
		f.flags = []api.Flag{newCheckout()}
		res := run(t, url, "flags", "rollout", "new-checkout", tc.arg)
		if res.code != 0 {
			t.Errorf("%s: exit %d, stderr %q", tc.arg, res.code, res.stderr)
			continue
		}
		if len(f.flagVerbs) != 1 || !reflect.DeepEqual(f.flagVerbs[0].req, tc.want) {
			t.Errorf("%s: requests %+v, want %+v", tc.arg, f.flagVerbs, tc.want)
		}
	}
}

// TestFlagRolloutBadInput rejects a rollout that is no percentage or
// split before anything is sent.
func TestFlagRolloutBadInput(t *testing.T) {
	f, url := newFake(t)
	f.flags = shopFlags()
	tests := []struct{ arg, want string }{
		{"150%", "rollout 150% is not a percentage: want 0..100"},
		{"100.5", "rollout 100.5 is not a percentage: want 0..100"},
		{"-5", "rollout -5 is not a percentage: want 0..100"},
		{"0.0001", "rollout 0.0001 has more than three decimals"},
		{"ten", `rollout must be a percentage, like 25% or 0.5, or a split, like on=25,off=75, not "ten"`},
		{"1e2", `rollout must be a percentage, like 25% or 0.5, or a split, like on=25,off=75, not "1e2"`},
		{"25%%", `rollout must be a percentage, like 25% or 0.5, or a split, like on=25,off=75, not "25%%"`},
		{"", `rollout must be a percentage, like 25% or 0.5, or a split, like on=25,off=75, not ""`},
		{"on:25,off:75", `rollout must be a percentage, like 25% or 0.5, or a split, like on=25,off=75, not "on:25,off:75"`},
		{"on=25,off=70", "rollout on=25,off=70: the shares add up to 95%, want 100%"},
		{"on=60,off=60", "rollout on=60,off=60: the shares add up to 120%, want 100%"},
		{"on=150,off=-50", "rollout on=150,off=-50: on: 150 is not a percentage: want 0..100"},
		{"on=25,on=75", "rollout on=25,on=75: variant on is named twice"},
		{"on=25,,off=75", `rollout on=25,,off=75: "" is not VARIANT=PERCENT, like on=25`},
		{"=25,off=75", `rollout =25,off=75: "=25" is not VARIANT=PERCENT, like on=25`},
		{"on=,off=100", `rollout on=,off=100: on: "" is not a percentage`},
		{"on=a,off=75", `rollout on=a,off=75: on: "a" is not a percentage`},
		{"on=25,off", `rollout on=25,off: "off" is not VARIANT=PERCENT, like on=25`},
	}
	for _, tc := range tests {
		res := run(t, url, "flags", "rollout", "new-checkout", "--", tc.arg) // "--": -5 is no flag
		if res.code != 2 || !strings.HasPrefix(res.stderr, "error: "+tc.want+"\n") {
			t.Errorf("%q: exit %d, stderr %q", tc.arg, res.code, res.stderr)
		}
	}
	for _, args := range [][]string{{"new-checkout"}, {"new-checkout", "25", "50"}} {
		if res := run(t, url, append([]string{"flags", "rollout"}, args...)...); res.code != 2 {
			t.Errorf("%v: exit %d, stderr %q", args, res.code, res.stderr)
		}
	}
	if len(f.calls) != 0 {
		t.Errorf("requests sent: %v", f.calls)
	}
}

// TestFlagVerbArgs refuses a verb without its arguments before anything
// is sent.
func TestFlagVerbArgs(t *testing.T) {
	f, url := newFake(t)
	for _, args := range [][]string{
		{"enable"}, {"disable", "a", "b"}, {"kill"}, {"set", "new-checkout"}, {"set", "a", "b", "c"}, {"get"}, {"eval"},
		{"list", "x"}, {"stale", "x"}, {"list", "-o", "yaml"},
	} {
		if res := run(t, url, append([]string{"flags"}, args...)...); res.code != 2 {
			t.Errorf("%v: exit %d, stderr %q", args, res.code, res.stderr)
		}
	}
	if len(f.calls) != 0 {
		t.Errorf("requests sent: %v", f.calls)
	}
}

// TestFlagsCompletion completes each command's KEY with the server's
// flag keys, and set's VARIANT with the flag's variants.
func TestFlagsCompletion(t *testing.T) {
	f, url := newFake(t)
	f.flags = shopFlags()
	for _, verb := range []string{"get", "enable", "disable", "kill", "set", "rollout", "eval"} {
		res := run(t, url, "__complete", "flags", verb, "ne")
		if res.code != 0 || !strings.HasPrefix(res.stdout, "new-checkout\n:4\n") {
			t.Errorf("%s: exit %d, stdout %q", verb, res.code, res.stdout)
		}
	}
	res := run(t, url, "__complete", "flags", "get", "")
	if !strings.HasPrefix(res.stdout, "banner-color\nnew-checkout\npro-pricing\nsearch-cache\n:4\n") {
		t.Errorf("all keys: stdout %q", res.stdout)
	}
	res = run(t, url, "__complete", "flags", "set", "pro-pricing", "")
	if !strings.HasPrefix(res.stdout, "pro\nstandard\n:4\n") {
		t.Errorf("set's variants: stdout %q", res.stdout)
	}
	res = run(t, url, "__complete", "flags", "enable", "new-checkout", "")
	if !strings.HasPrefix(res.stdout, ":4\n") {
		t.Errorf("a second argument: stdout %q", res.stdout)
	}
}
