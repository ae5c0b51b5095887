package flags

import (
	"fmt"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"

	"github.com/slipway-dev/slipway/analysis"
)

// condition is a compiled rule or segment condition: a CEL program, and
// a fast path (Go code built from the same syntax tree, see fast.go)
// when the expression has a shape the fast path knows. The two give the
// same answer; the fast path allocates nothing. A condition is safe for
// concurrent use.
type condition struct {
	expr string
	fast node // nil: every evaluation runs the CEL program
	prg  cel.Program
}

// CompileError says why a condition does not compile, with positions:
// the same error as analysis's (CEL expressions, compiled alike).
type CompileError = analysis.CompileError

// Problem is one error in an expression, at a 1-based line and column.
type Problem = analysis.Problem

// CheckExpr reports whether expr compiles as a flag condition: the check
// the app spec runs on every rule and segment (spec.Options.CheckFlagExpr).
func CheckExpr(expr string) error {
	_, err := compileCondition(expr)
	return err
}

// env is the CEL environment of flag conditions: one variable, ctx, a
// map from attribute names to values of any type, with the string
// extensions (lowerAscii, split...). Numbers compare across int and
// double, since JSON contexts carry every number as a double. It is
// built once, on first use, and never changes: a package-level value
// because building it costs milliseconds and every condition needs it.
var env = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable(ctxVar, cel.MapType(cel.StringType, cel.DynType)),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(),
		cel.ParserExpressionSizeLimit(analysis.MaxExprSize),
	)
})

// ctxVar is the variable conditions read the evaluation context from.
const ctxVar = "ctx"

// compileCondition parses and type-checks expr, which must yield a bool
// (or a dyn value, such as ctx.beta, that must be a bool at evaluation).
func compileCondition(expr string) (*condition, error) {
	e, err := env()
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	ast, iss := e.Compile(expr)
	if iss != nil && iss.Err() != nil {
		return nil, analysis.NewCompileError(expr, iss)
	}
	if out := ast.OutputType(); !out.IsExactType(cel.BoolType) && !out.IsExactType(cel.DynType) {
		return nil, &CompileError{Expr: expr, Problems: []Problem{{
			Line: 1, Column: 1, Message: fmt.Sprintf("condition yields %s, want bool", out),
		}}}
	}
	// The cost limit costs the CEL path (not the fast path) about 8
	// allocations per evaluation; without it a condition nesting
	// comprehensions would cost every request seconds.
	prg, err := e.Program(ast, analysis.ProgramLimits()...)
	if err != nil {
		return nil, fmt.Errorf("cel program: %w", err)
	}
	return &condition{expr: expr, fast: compileFast(ast.NativeRep().Expr()), prg: prg}, nil
}

// match reports whether the condition holds for c. A condition that
// fails to evaluate (an attribute it reads is missing, or has a type
// the operator does not take) does not match. vars holds the CEL
// activation, built on first need and shared by the conditions of one
// evaluation.
func (k *condition) match(c Context, vars *map[string]any) bool {
	if k.fast != nil {
		switch k.fast.eval(c) {
		case triTrue:
			return true
		case triFalse, triError:
			return false
		}
	}
	return k.matchCEL(c, vars)
}

// matchCEL evaluates the CEL program.
func (k *condition) matchCEL(c Context, vars *map[string]any) bool {
	if *vars == nil {
		*vars = map[string]any{ctxVar: celContext(c)}
	}
	out, _, err := k.prg.Eval(*vars)
	if err != nil {
		return false
	}
	b, ok := out.Value().(bool)
	return ok && b
}

// celContext is the map ctx stands for: the attributes, and the
// targeting key under targetingKey when it is set.
func celContext(c Context) map[string]any {
	m := make(map[string]any, len(c.Attributes)+1)
	for k, v := range c.Attributes {
		m[k] = v
	}
	if c.TargetingKey != "" {
		m[targetingKey] = c.TargetingKey
	}
	return m
}

// targetingKey is the attribute name of Context.TargetingKey.
const targetingKey = "targetingKey"

// attribute returns what ctx.name reads: the targeting key for
// targetingKey when it is set, else the attribute.
func (c Context) attribute(name string) (any, bool) {
	if name == targetingKey && c.TargetingKey != "" {
		return c.TargetingKey, true
	}
	v, ok := c.Attributes[name]
	return v, ok
}
