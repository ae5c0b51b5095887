package config

import (
	"fmt"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/spec"
)

// rule is a compiled CEL rule over config.
type rule struct {
	expr string
	prg  cel.Program
}

// configVar is the variable rules read the values from.
const configVar = "config"

// env is the CEL environment of rules: config, a map of any values,
// with the string extensions; numbers compare across int and double
// (JSON has only doubles). Built once: it costs milliseconds.
var env = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable(configVar, cel.MapType(cel.StringType, cel.DynType)),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(),
		cel.ParserExpressionSizeLimit(analysis.MaxExprSize),
	)
})

// CheckExpr reports whether expr compiles as a config rule: the check
// the app spec runs on every rule (spec.Options.CheckConfigExpr).
func CheckExpr(expr string) error {
	_, err := compileRule(expr)
	return err
}

func compileRule(expr string) (*rule, error) {
	e, err := env()
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	ast, iss := e.Compile(expr)
	if iss != nil && iss.Err() != nil {
		return nil, analysis.NewCompileError(expr, iss)
	}
	if out := ast.OutputType(); !out.IsExactType(cel.BoolType) && !out.IsExactType(cel.DynType) {
		return nil, fmt.Errorf("%s: yields %s, want bool", expr, out)
	}
	prg, err := e.Program(ast, analysis.ProgramLimits()...)
	if err != nil {
		return nil, fmt.Errorf("cel program: %w", err)
	}
	return &rule{expr: expr, prg: prg}, nil
}

// check evaluates the rule; a rule that is false, or fails (a missing
// field), is a problem naming it.
func (r *rule) check(values spec.ConfigValues) (Problem, bool) {
	out, _, err := r.prg.Eval(map[string]any{configVar: map[string]any(values)})
	if err != nil {
		return Problem{Path: "rules", Message: fmt.Sprintf("%s: %v", r.expr, err)}, true
	}
	if b, ok := out.Value().(bool); !ok || !b {
		return Problem{Path: "rules", Message: fmt.Sprintf("%s is %v, must be true", r.expr, out.Value())}, true
	}
	return Problem{}, false
}
