package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/analysis"
)

// Provider is the router's own metric provider for canary analysis: the
// requests every revision answered, over the sliding windows.
type Provider struct{ m *Metrics }

var _ analysis.Provider = Provider{}

// Provider returns the analysis provider over these metrics.
func (m *Metrics) Provider() Provider { return Provider{m} }

// routerMetrics maps the spec's metric names to the windows' metrics.
var routerMetrics = map[string]Metric{
	"successRate": SuccessRate,
	"requestRate": RequestRate,
	"latencyP50":  P50,
	"latencyP90":  P90,
	"latencyP99":  P99,
}

// Measure returns the canary's value of q.Metric over the last q.Window
// (Count is the requests it rests on: 0 is no data), or, for a
// comparison, one sample per bucket of each side.
func (p Provider) Measure(_ context.Context, q analysis.Query) (analysis.Observation, error) {
	k, ok := routerMetrics[q.Metric]
	if !ok {
		return analysis.Observation{}, fmt.Errorf("router metric %q: want one of successRate, requestRate, latencyP50, latencyP90, latencyP99", q.Metric)
	}
	if len(q.CanaryInstances) > 0 {
		return p.measureInstances(q, k), nil
	}
	if q.Compare {
		c := p.m.Samples(q.Service, q.Canary, q.Window, k)
		b := p.m.Samples(q.Service, q.Baseline, q.Window, k)
		return analysis.Observation{Canary: c, Baseline: b, Count: min(len(c), len(b))}, nil
	}
	s := p.m.Window(q.Service, q.Canary, q.Window)
	if s.Empty() {
		return analysis.Observation{}, nil
	}
	return analysis.Observation{Value: s.value(k), Count: int(s.Requests)}, nil
}

// String names the provider in messages.
func (p Provider) String() string { return "router" }

// measureInstances is Measure of two groups of watched instances (Watch)
// rather than two revisions.
func (p Provider) measureInstances(q analysis.Query, k Metric) analysis.Observation {
	if q.Compare {
		c := p.m.InstanceSamples(q.CanaryInstances, q.Window, k)
		b := p.m.InstanceSamples(q.BaselineInstances, q.Window, k)
		return analysis.Observation{Canary: c, Baseline: b, Count: min(len(c), len(b))}
	}
	s := p.m.InstanceWindow(q.CanaryInstances, q.Window)
	if s.Empty() {
		return analysis.Observation{}
	}
	return analysis.Observation{Value: s.value(k), Count: int(s.Requests)}
}

// Watch keeps per-instance windows of instances for at least d
// (Metrics.Watch): a config delivery's analysis asks on each pass.
func (p Provider) Watch(instances []string, d time.Duration) { p.m.Watch(instances, d) }
