package analysis

import (
	"fmt"
	"math"
)

// Check judges a single value against a success condition, e.g. a success
// rate against "result >= 0.99". A NaN value (no traffic in the window) is
// Inconclusive, not a pass; an evaluation error is an Error.
func Check(metric string, cond *Condition, value float64) Measurement {
	m := Measurement{Metric: metric, Value: value, Samples: 1}
	if math.IsNaN(value) {
		m.NoData = true
		return m.judged(Inconclusive, fmt.Sprintf("%s has no value: not enough data is not a pass", metric))
	}
	ok, err := cond.Eval(value)
	switch {
	case err != nil:
		return m.judged(Error, fmt.Sprintf("%s %s: %v", metric, num(value), err))
	case ok:
		return m.judged(Pass, fmt.Sprintf("%s %s meets %s", metric, num(value), cond))
	default:
		return m.judged(Fail, fmt.Sprintf("%s %s does not meet %s", metric, num(value), cond))
	}
}
