package autoscale

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// Metric is what one instance's target is measured in.
type Metric int

// Metrics.
const (
	Concurrency Metric = iota // requests in flight
	RPS                       // requests per second
	CPU                       // percent of one core (or of resources.cpu)
)

// String names the metric as the spec writes it.
func (m Metric) String() string {
	switch m {
	case RPS:
		return "rps"
	case CPU:
		return "cpu"
	}
	return "concurrency"
}

// Policy is a revision's scale section in the scaler's terms.
type Policy struct {
	Min, Max int
	Metric   Metric
	// Target is the load one instance should carry, in Metric's unit.
	Target    float64
	IdleAfter time.Duration
	// Up and Down are the stabilization windows.
	Up, Down time.Duration
	// StableWindow, PanicWindow and PanicThreshold: zero means spec's
	// defaults (spec.DefaultStableWindow, as Knative's).
	StableWindow, PanicWindow time.Duration
	PanicThreshold            float64
}

// PolicyOf reads a defaulted spec.Scale.
func PolicyOf(s spec.Scale) Policy {
	p := Policy{
		Min: s.Min, Max: s.Max, IdleAfter: s.IdleAfter.Duration,
		Up: s.Stabilization.Up.Duration, Down: s.Stabilization.Down.Duration,
		StableWindow: s.StableWindow.Duration, PanicWindow: s.PanicWindow.Duration, PanicThreshold: s.PanicThreshold,
	}
	switch s.Target.Kind() {
	case "rps":
		p.Metric, p.Target = RPS, s.Target.RPS
	case "cpu":
		p.Metric, p.Target = CPU, 0
		if pc, ok := s.Target.CPUPercent(); ok {
			p.Target = pc
		}
	default:
		p.Metric, p.Target = Concurrency, s.Target.Concurrency
	}
	return p
}

func (p Policy) stableWindow() time.Duration {
	if p.StableWindow > 0 {
		return p.StableWindow
	}
	return spec.DefaultStableWindow
}

func (p Policy) panicWindow() time.Duration {
	if p.PanicWindow > 0 {
		return p.PanicWindow
	}
	return spec.DefaultPanicWindow
}

func (p Policy) panicThreshold() float64 {
	if p.PanicThreshold > 0 {
		return p.PanicThreshold
	}
	return spec.DefaultPanicThreshold
}
