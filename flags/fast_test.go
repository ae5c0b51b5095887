package flags

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// fastExprs all compile to the fast path.
var fastExprs = []string{
	`ctx.country == "NL"`, `"NL" == ctx.country`, `ctx.country != "NL"`,
	`ctx.country == "NL" && ctx.plan in ["pro", "team"]`,
	`ctx.country == "NL" || ctx.plan in ["pro", "team"]`,
	`!(ctx.country == "NL")`, `!ctx.beta`, `ctx.beta`, `ctx.beta == true`, `ctx.beta != false`,
	`ctx.age > 18`, `ctx.age >= 18`, `ctx.age < 18.5`, `ctx.age <= 18`, `18 < ctx.age`, `18.0 >= ctx.age`,
	`ctx.age == 18`, `ctx.age == 18.0`, `ctx.age != 18`, `ctx.age in [18, 21.5, "18"]`,
	`ctx.big > 9223372036854775807`, `ctx.big < -9223372036854775808`, `ctx.big == 1e300`,
	`ctx.name < "m"`, `ctx.name >= "m"`, `ctx.name > 3`, `ctx.age < "m"`,
	`ctx.email.endsWith("@shop.example")`, `ctx.email.startsWith("ann")`, `ctx.email.contains("@")`,
	`has(ctx.email)`, `!has(ctx.email)`, `has(ctx.user.plan)`, `has(ctx.user)`, `has(ctx.tags.beta)`, `has(ctx.nothing.x)`,
	`has(ctx.user.address.city)`, `has(ctx.age.x)`, `!has(ctx.missing.x)`,
	`ctx.user.plan == "pro"`, `ctx["user"]["plan"] == "pro"`, `ctx["user"].plan in ["pro"]`, `ctx["odd-key"] == 1`,
	`ctx.user.address.city == "Delft"`,
	`"beta" in ctx.tags`, `1 in ctx.tags`, `"plan" in ctx.user`, `true in ctx.tags`, `null in ctx.tags`,
	`ctx.missing == null`, `ctx.nothing == null`, `ctx.nothing != null`, `ctx.nothing == "x"`,
	`ctx.tags == "x"`, `ctx.user == 1`,
	`ctx.targetingKey == "user-1"`, `ctx.targetingKey.startsWith("user-")`, `has(ctx.targetingKey)`,
	`true`, `false`, `true && ctx.beta`, `false || ctx.missing == 1`,
	`ctx.missing == 1 || true`, `ctx.missing == 1 && false`, `ctx.missing == 1 || ctx.beta`,
	`ctx.name || ctx.beta`, `ctx.name && false`, `!ctx.name`,
	`(ctx.a == 1 || ctx.b == 2) && !(ctx.c in ["x", "y"]) || ctx.d.startsWith("z")`,
	`ctx.a == 1 && ctx.b == 2 && ctx.c == "x" && ctx.d == "zz" && ctx.age >= 18`,
	`ctx.a == 1 || ctx.b == 2 || ctx.c == "x" || ctx.d == "zz" || ctx.age >= 18`,
}

// celOnlyExprs have shapes the fast path leaves to CEL.
var celOnlyExprs = []string{
	`ctx.email.matches("^a.*")`, `size(ctx.tags) > 1`, `ctx.age + 1 > 19`, `ctx.tags.exists(t, t == "beta")`,
	`ctx.a == ctx.b`, `ctx.email.lowerAscii() == "ann@shop.example"`, `ctx.beta ? true : false`,
	`ctx.age > 18u`, `ctx.beta < true`, `ctx.tags[0] == "beta"`, `ctx.age in ctx.tags`,
}

// contexts cover every type a JSON context has, missing attributes,
// edge numbers, and Go types the fast path does not model (which must
// punt to CEL).
var contexts = []Context{
	{},
	{TargetingKey: "user-1"},
	{Attributes: map[string]any{"targetingKey": "user-1"}},
	{TargetingKey: "user-2", Attributes: map[string]any{"targetingKey": "user-1"}},
	{Attributes: map[string]any{"country": "NL", "plan": "pro", "email": "ann@shop.example", "beta": true, "age": 18.0, "name": "zed"}},
	{Attributes: map[string]any{"country": "DE", "plan": "free", "email": "bob@else.example", "beta": false, "age": 17.5, "name": "abe"}},
	{Attributes: map[string]any{"country": 31.0, "plan": nil, "email": 5.0, "beta": "yes", "age": "18", "name": 3.0}},
	{Attributes: map[string]any{"age": 18, "big": math.MaxFloat64, "a": 1.0, "b": 2, "c": "x", "d": "zz"}},
	{Attributes: map[string]any{"age": int64(19), "big": -math.MaxFloat64, "a": 2.0, "b": 2.0, "c": "q", "d": 4.0}},
	{Attributes: map[string]any{"age": math.NaN(), "big": math.Inf(1), "nothing": nil}},
	{Attributes: map[string]any{"big": 9.223372036854776e18, "age": 18.000000000000004}},
	{Attributes: map[string]any{"tags": []any{"beta", 1.0, true, nil}, "user": map[string]any{"plan": "pro", "address": map[string]any{"city": "Delft"}}}},
	{Attributes: map[string]any{"tags": []any{}, "user": map[string]any{}, "odd-key": 1.0}},
	{Attributes: map[string]any{"tags": "beta", "user": "ann", "odd-key": "1"}},
	{Attributes: map[string]any{"tags": []any{map[string]any{}, []any{"beta"}}, "user": map[string]any{"plan": 7.0, "address": "x"}}},
	// Go types outside the model: int32, uint, []string, map[string]string.
	{Attributes: map[string]any{"age": int32(18), "country": []byte("NL"), "tags": []string{"beta"}, "user": map[string]string{"plan": "pro"}, "beta": uint(1)}},
	{Attributes: map[string]any{"age": uint(19), "tags": []any{int32(1)}, "email": []string{"x"}, "name": float32(1)}},
}

// outcome classifies CEL's answer as a node's tri.
func celOutcome(k *condition, c Context) tri {
	out, _, err := k.prg.Eval(map[string]any{ctxVar: celContext(c)})
	if err != nil {
		return triError
	}
	b, ok := out.Value().(bool)
	switch {
	case !ok:
		return triError
	case b:
		return triTrue
	}
	return triFalse
}

// modelled reports whether every attribute of c has a type the fast
// path models, so that it must never punt.
func modelled(c Context) bool {
	for _, v := range c.Attributes {
		if !deepKnown(v) {
			return false
		}
	}
	return true
}

func deepKnown(v any) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if !deepKnown(e) {
				return false
			}
		}
	case map[string]any:
		for _, e := range x {
			if !deepKnown(e) {
				return false
			}
		}
	}
	return known(v, triTrue) == triTrue
}

func TestFastPathMatchesCEL(t *testing.T) {
	for _, expr := range fastExprs {
		k, err := compileCondition(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if k.fast == nil {
			t.Errorf("%s: no fast path", expr)
			continue
		}
		for i, c := range contexts {
			fast, want := k.fast.eval(c), celOutcome(k, c)
			if fast == triPunt && !modelled(c) {
				fast = want // the fast path asked CEL, as it should
			}
			if fast != want {
				t.Errorf("%s, context %d %v: fast path %s, CEL %s", expr, i, c, fast, want)
			}
			var vars map[string]any
			if got := k.match(c, &vars); got != (want == triTrue) {
				t.Errorf("%s, context %d: match = %v, CEL %s", expr, i, got, want)
			}
		}
	}
}

func TestCELOnlyShapes(t *testing.T) {
	for _, expr := range celOnlyExprs {
		k, err := compileCondition(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if k.fast != nil {
			t.Errorf("%s: compiled to the fast path, want CEL", expr)
		}
		for i, c := range contexts {
			var vars map[string]any
			if got, want := k.match(c, &vars), celOutcome(k, c) == triTrue; got != want {
				t.Errorf("%s, context %d: match = %v, want %v", expr, i, got, want)
			}
		}
	}
}

// TestFastPathRandom builds random conditions from the fast path's
// shapes and checks them against CEL on every context.
func TestFastPathRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 5000
	fast := 0
	for range n {
		expr := randomExpr(rng, 3)
		k, err := compileCondition(expr)
		if err != nil || k.fast == nil {
			continue // a comparison CEL's checker refuses, or one the fast path leaves to CEL (true < ctx.x)
		}
		fast++
		for i, c := range contexts {
			fast, want := k.fast.eval(c), celOutcome(k, c)
			if fast == triPunt && !modelled(c) {
				continue
			}
			var vars map[string]any
			if fast != want || k.match(c, &vars) != (want == triTrue) {
				t.Fatalf("%s, context %d %v: fast path %s, CEL %s", expr, i, c, fast, want)
			}
		}
	}
	if fast < n/2 {
		t.Errorf("only %d of %d random conditions took the fast path", fast, n)
	}
}

var (
	randomPaths = []string{"ctx.country", "ctx.age", "ctx.beta", "ctx.tags", "ctx.user", "ctx.user.plan", "ctx.missing",
		"ctx.nothing", "ctx.big", "ctx.name", "ctx.targetingKey", `ctx["odd-key"]`, "ctx.user.address.city"}
	randomLits = []string{`"NL"`, `"pro"`, `"beta"`, `""`, "18", "18.0", "17.5", "-1", "0", "true", "false", "null", "1e300", `"zed"`}
	randomOps  = []string{"==", "!=", "<", "<=", ">", ">="}
)

func randomExpr(rng *rand.Rand, depth int) string {
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	if depth > 0 {
		switch rng.IntN(6) {
		case 0:
			return "(" + randomExpr(rng, depth-1) + " && " + randomExpr(rng, depth-1) + ")"
		case 1:
			return "(" + randomExpr(rng, depth-1) + " || " + randomExpr(rng, depth-1) + ")"
		case 2:
			return "!(" + randomExpr(rng, depth-1) + ")"
		}
	}
	p, l := pick(randomPaths), pick(randomLits)
	switch rng.IntN(8) {
	case 0:
		return p + " in [" + l + ", " + pick(randomLits) + "]"
	case 1:
		return l + " in " + p
	case 2:
		return p + "." + pick([]string{"startsWith", "endsWith", "contains"}) + `("` + strings.Trim(pick(randomLits), `"`) + `")`
	case 3:
		return "has(" + strings.Replace(p, `["odd-key"]`, ".oddKey", 1) + ")"
	case 4:
		return p
	case 5:
		return l + " " + pick(randomOps) + " " + p
	}
	return p + " " + pick(randomOps) + " " + l
}

func (t tri) String() string {
	return [...]string{"false", "true", "error", "punt"}[t]
}

func (c Context) String() string { return fmt.Sprintf("{%q %v}", c.TargetingKey, c.Attributes) }
