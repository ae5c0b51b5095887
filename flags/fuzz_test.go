package flags

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// FuzzFastPath compiles arbitrary conditions and evaluates them on
// arbitrary JSON contexts (as OFREP delivers them): the fast path and
// CEL give the same verdict, and match never panics.
func FuzzFastPath(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	ctxs := []string{`{}`, `{"country":"NL","age":18,"beta":true,"tags":["beta",1,null]}`,
		`{"user":{"plan":"pro","address":{"city":"Delft"}},"odd-key":1}`, `{"age":"18","big":1e308,"name":3}`,
		`{"targetingKey":"user-1","email":"ann@shop.example"}`, `{"nothing":null,"tags":"beta"}`}
	for i, e := range append(append([]string{}, fastExprs...), celOnlyExprs...) {
		f.Add(e, ctxs[i%len(ctxs)], "")
	}
	for i := range 40 {
		f.Add(randomExpr(rng, 3), ctxs[i%len(ctxs)], "user-2")
	}
	f.Fuzz(func(t *testing.T, expr, attrs, targetingKey string) {
		k, err := compileCondition(expr)
		if err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal([]byte(attrs), &m) != nil {
			m = nil
		}
		c := Context{TargetingKey: targetingKey, Attributes: m}
		want := celOutcome(k, c)
		var vars map[string]any
		if got := k.match(c, &vars); got != (want == triTrue) {
			t.Fatalf("%s on %v: match = %v, CEL %s", expr, c, got, want)
		}
		if k.fast == nil {
			return
		}
		// A JSON context holds only the types the fast path models, so it
		// must answer itself, never punt.
		if fast := k.fast.eval(c); fast != want {
			t.Fatalf("%s on %v: fast path %s, CEL %s", expr, c, fast, want)
		}
	})
}
