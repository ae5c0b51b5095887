package config

import (
	"math"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// AckTimeout is how long an instance given a version has to report it
// applied before the delivery rolls back: past the step interval when
// that is longer.
const AckTimeout = 30 * time.Second

// Targets returns how many of n instances have the new version after
// step (counted from 1) of a delivery: all at once; linear, an equal
// share more at each of its steps; exponential, one instance, then
// factor times as many at each step.
func Targets(d spec.ConfigDelivery, n, step int) int {
	if step <= 0 || n <= 0 {
		return 0
	}
	var k float64
	switch s := d.Strategy; {
	case s.Linear != nil && s.Linear.Steps > 0:
		k = math.Ceil(float64(n) * float64(step) / float64(s.Linear.Steps))
	case s.Exponential != nil:
		f := s.Exponential.Factor
		if f <= 1 {
			f = spec.DefaultConfigFactor
		}
		k = math.Ceil(math.Pow(f, float64(step-1)))
	default:
		return n
	}
	return int(min(k, float64(n)))
}

// Interval is how long a step holds before the next (0 for all at
// once).
func Interval(d spec.ConfigDelivery) time.Duration {
	switch s := d.Strategy; {
	case s.Linear != nil:
		return s.Linear.Interval.Duration
	case s.Exponential != nil:
		return s.Exponential.Interval.Duration
	}
	return 0
}

// AckDeadline is how long an instance has to apply a version.
func AckDeadline(d spec.ConfigDelivery) time.Duration {
	return max(AckTimeout, Interval(d))
}
