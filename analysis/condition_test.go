package analysis

import (
	"errors"
	"math"
	"testing"
)

func TestConditionEval(t *testing.T) {
	tests := []struct {
		expr  string
		value float64
		want  bool
	}{
		{"result >= 0.99", 0.995, true},
		{"result >= 0.99", 0.98, false},
		{"result < 0.5", 0.0, true},
		{"result < 0.5 || result > 10.0", 11, true},
		{"result > 0.1 && result < 0.2", 0.15, true},
		{"result == 0.0", 0, true},
		{"result <= 1.0", math.Inf(1), false},
		{"result != result", math.NaN(), true}, // NaN is not a pass by accident
		{"math.isNaN(result) == false && result < 1.0", 0.5, true},
		{"!(result > 3.0)", 2, true},
		{"result > 1", 2, true}, // int literal against double: cross-type compare
	}
	for _, tt := range tests {
		c, err := Compile(tt.expr)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.expr, err)
			continue
		}
		got, err := c.Eval(tt.value)
		if err != nil || got != tt.want {
			t.Errorf("%q with result=%v = %v, %v; want %v", tt.expr, tt.value, got, err, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"reslt >= 0.99", "successCondition: undeclared reference to 'reslt' (did you mean 'result'?) (line 1, column 1)"},
		{"result", "expression yields double, want bool (line 1, column 1)"},
		{"result + 1.0", "expression yields double, want bool (line 1, column 1)"},
		{"result >=", "Syntax error: mismatched input '<EOF>' expecting"},
		{"result > 0.9 &&\n  reslt < 2.0", "undeclared reference to 'reslt' (did you mean 'result'?) (line 2, column 3)"},
		{"'a' > 1.0", "found no matching overload for '_>_'"},
	}
	for _, tt := range tests {
		_, err := Compile(tt.expr)
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Errorf("Compile(%q) err = %v, want *CompileError", tt.expr, err)
			continue
		}
		if got := "successCondition: " + err.Error(); !contains(got, tt.want) {
			t.Errorf("Compile(%q) = %q, want it to contain %q", tt.expr, got, tt.want)
		}
	}
}

func TestConditionEvalError(t *testing.T) {
	c, err := Compile("int(result) / 0 > 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Eval(3); err == nil {
		t.Fatal("division by zero evaluated without error")
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
