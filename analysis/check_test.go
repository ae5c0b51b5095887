package analysis

import (
	"math"
	"testing"
)

func TestCheck(t *testing.T) {
	cond, err := Compile("result >= 0.99")
	if err != nil {
		t.Fatal(err)
	}
	div, err := Compile("int(result) / 0 > 1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cond   *Condition
		value  float64
		want   Verdict
		reason string
	}{
		{cond, 0.995, Pass, "successRate 0.995 meets result >= 0.99"},
		{cond, 0.8, Fail, "successRate 0.8 does not meet result >= 0.99"},
		{cond, math.NaN(), Inconclusive, "successRate has no value: not enough data is not a pass"},
		{div, 3, Error, `successRate 3: evaluate "int(result) / 0 > 1": division by zero`},
	}
	for _, tt := range tests {
		m := Check("successRate", tt.cond, tt.value)
		if m.Verdict != tt.want || m.Reason != tt.reason {
			t.Errorf("Check(%v) = %v %q, want %v %q", tt.value, m.Verdict, m.Reason, tt.want, tt.reason)
		}
	}
}
