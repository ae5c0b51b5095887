package analysis

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// costly nests comprehensions over a ten-element list six deep: a
// million iterations from 200 characters, unless the cost limit stops it.
var costly = func() string {
	list := "[0,1,2,3,4,5,6,7,8,9]"
	expr := "result > 0.0"
	for _, v := range []string{"a", "b", "c", "d", "e", "f"} {
		expr = list + ".all(" + v + ", " + expr + ")"
	}
	return expr
}()

// conditionSeeds are the fuzzer's starting points: conditions of the
// README and tests, every kind of compile error, runtime errors and
// expensive shapes.
var conditionSeeds = []string{
	"result >= 0.99", "result < 0.5 || result > 10.0", "result != result",
	"math.isNaN(result) == false && result < 1.0", "!(result > 3.0)", "result > 1",
	"reslt >= 0.99", "result", "result >=", "result > 0.9 &&\n  reslt < 2.0", "'a' > 1.0",
	"int(result) / 0 == 1", "int(result) > 0", "[1, 2].exists(x, x > result)",
	"math.greatest(result, 1.0) > 2.0", "size('abc') > int(result)",
	costly, "", "(((((((((((result > 0.0)))))))))))", "\"\\u0000\" == 'a'",
	strings.Repeat("!", 300) + "true", strings.Repeat("result > 0.0 && ", 200) + "true",
}

// FuzzCondition compiles arbitrary expressions and evaluates the ones
// that compile on arbitrary results: no panic, a *CompileError with
// positions for a refused expression, and an answer (or an error) well
// within a second, however costly the expression.
func FuzzCondition(f *testing.F) {
	for i, s := range conditionSeeds {
		f.Add(s, []float64{0, 0.995, math.NaN(), math.Inf(1), -1e300}[i%5])
	}
	f.Fuzz(func(t *testing.T, expr string, value float64) {
		c, err := Compile(expr)
		if err != nil {
			checkCompileError(t, expr, err)
			return
		}
		start := time.Now()
		_, evalErr := c.Eval(value)
		m := Check("m", c, value)
		// Not a timing assertion on a fast path: a guard against a hang,
		// 50 times what the cost limit allows on a loaded machine.
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%q took %v to evaluate", expr, d)
		}
		if !math.IsNaN(value) && (evalErr != nil) != (m.Verdict == Error) {
			t.Fatalf("%q: Eval error %v, Check verdict %v", expr, evalErr, m.Verdict)
		}
	})
}

// checkCompileError checks that a refused expression says where.
func checkCompileError(t *testing.T, expr string, err error) {
	t.Helper()
	var ce *CompileError
	if !errors.As(err, &ce) || len(ce.Problems) == 0 {
		t.Fatalf("Compile(%q) = %v, want a *CompileError with problems", expr, err)
	}
	for _, p := range ce.Problems {
		if p.Line < 1 || p.Column < 1 || p.Message == "" {
			t.Fatalf("Compile(%q): problem %+v has no position or message", expr, p)
		}
	}
}

// TestConditionCostLimit checks that an expensive condition stops with
// an error instead of running a million iterations.
func TestConditionCostLimit(t *testing.T) {
	c, err := Compile(costly)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Eval(1); err == nil || !strings.Contains(err.Error(), "cost limit") {
		t.Fatalf("Eval of the costly condition = %v, want a cost limit error", err)
	}
	if _, err := Compile(strings.Repeat("1", MaxExprSize+1) + " > result"); err == nil {
		t.Fatal("an expression past MaxExprSize compiled")
	}
}
