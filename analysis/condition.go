package analysis

import (
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
)

// Condition is a compiled CEL expression over the variable result (a
// double) that yields a bool, e.g. "result >= 0.99" or
// "result < 0.5 || result == 0.0". Compile it once when the spec is loaded
// and Eval it per measurement. A Condition is safe for concurrent use.
type Condition struct {
	expr string
	prg  cel.Program
}

// CompileError says why an expression does not compile, with positions.
// Callers add the field it came from: "successCondition: " + err.Error().
type CompileError struct {
	Expr     string
	Problems []Problem
}

// Problem is one error in an expression, at a 1-based line and column.
type Problem struct {
	Line, Column int
	Message      string
}

func (e *CompileError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = fmt.Sprintf("%s (line %d, column %d)", p.Message, p.Line, p.Column)
	}
	return strings.Join(parts, "; ")
}

// Compile parses and type-checks expr. It returns a *CompileError if expr
// is not valid CEL, refers to anything but result and the standard
// functions, or does not yield a bool.
func Compile(expr string) (*Condition, error) {
	env, err := cel.NewEnv(
		cel.Variable("result", cel.DoubleType),
		// "result > 1" should mean what it says, not fail on double vs int.
		cel.CrossTypeNumericComparisons(true),
		ext.Math(), // math.isNaN, math.abs, math.greatest, ...
		cel.ParserExpressionSizeLimit(MaxExprSize),
	)
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	ast, iss := env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		return nil, NewCompileError(expr, iss)
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, &CompileError{Expr: expr, Problems: []Problem{{
			Line: 1, Column: 1,
			Message: fmt.Sprintf("expression yields %s, want bool", ast.OutputType()),
		}}}
	}
	prg, err := env.Program(ast, ProgramLimits()...)
	if err != nil {
		return nil, fmt.Errorf("cel program: %w", err)
	}
	return &Condition{expr: expr, prg: prg}, nil
}

// Limits on what one expression may cost. A condition is written by a
// user and evaluated by the server on every measurement (and a flag's
// on every request): nested comprehensions over list literals can make
// a short expression run for minutes, so evaluation stops at MaxCost
// (CEL's abstract cost units; an ordinary condition costs tens) and a
// longer source is refused at compile time.
const (
	// MaxExprSize is the longest expression accepted, in code points.
	MaxExprSize = 4096
	// MaxCost is the evaluation cost at which CEL stops with an error.
	MaxCost = 100_000
)

// ProgramLimits are the program options every condition is built with:
// CEL's optimizer, and the cost limit (checked as evaluation goes, so a
// comprehension is stopped part way).
func ProgramLimits() []cel.ProgramOption {
	return []cel.ProgramOption{
		cel.EvalOptions(cel.OptOptimize),
		cel.CostLimit(MaxCost),
	}
}

// NewCompileError turns CEL's issues with expr into a CompileError with
// 1-based positions (package flags compiles its conditions with it too).
func NewCompileError(expr string, iss *cel.Issues) *CompileError {
	ce := &CompileError{Expr: expr}
	for _, e := range iss.Errors() {
		msg := strings.TrimSuffix(e.Message, " (in container '')")
		ce.Problems = append(ce.Problems, Problem{
			// CEL's columns are 0-based, and an error at the end of an
			// empty expression is at column -1: clamp to 1-based.
			Line:    max(e.Location.Line(), 1),
			Column:  max(e.Location.Column()+1, 1),
			Message: msg,
		})
	}
	return ce
}

// String returns the source expression.
func (c *Condition) String() string { return c.expr }

// Eval evaluates the condition with result bound to v. Errors are runtime
// failures (e.g. an integer division by zero); callers judge them as Error,
// never as a pass.
func (c *Condition) Eval(v float64) (bool, error) {
	out, _, err := c.prg.Eval(map[string]any{"result": v})
	if err != nil {
		return false, fmt.Errorf("evaluate %q: %w", c.expr, err)
	}
	b, ok := out.Value().(bool)
	if !ok { // the checker proved bool; keep the guard for dyn corners
		return false, fmt.Errorf("evaluate %q: got %T, want bool", c.expr, out.Value())
	}
	return b, nil
}

// CheckExpr reports whether expr compiles as a condition: the check the
// app spec runs on every successCondition (spec.Options.CheckExpr).
func CheckExpr(expr string) error {
	_, err := Compile(expr)
	return err
}
