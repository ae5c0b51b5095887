package prometheus

import (
	"context"
	"errors"
	"fmt"
	"math"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/slipway-dev/slipway/analysis"
)

// compare samples the query over the last q.Window for the canary and, with
// the revisions swapped, for the baseline.
func (p *Provider) compare(ctx context.Context, q analysis.Query) (analysis.Observation, error) {
	if q.Window <= 0 {
		return analysis.Observation{}, errors.New("prometheus: a comparison needs a window")
	}
	step := q.Step
	if step <= 0 {
		step = defaultStep
	}
	end := p.now()
	r := v1.Range{Start: end.Add(-q.Window), End: end, Step: step}
	canary, err := p.points(ctx, q.Expand(q.PromQL), r)
	if err != nil {
		return analysis.Observation{}, err
	}
	baseline, err := p.points(ctx, q.ForBaseline().Expand(q.PromQL), r)
	if err != nil {
		return analysis.Observation{}, err
	}
	return analysis.Observation{
		Count:    min(len(canary), len(baseline)),
		Canary:   canary,
		Baseline: baseline,
	}, nil
}

// points runs promql as a range query and returns its one series' values.
func (p *Provider) points(ctx context.Context, promql string, r v1.Range) ([]float64, error) {
	val, _, _, err := p.api.QueryRange(ctx, promql, r, v1.WithTimeout(p.timeout))
	if err != nil {
		return nil, fmt.Errorf("prometheus range query `%s`: %w", promql, err)
	}
	pts, err := series(val)
	if err != nil {
		return nil, fmt.Errorf("prometheus range query `%s`: %w", promql, err)
	}
	return pts, nil
}

// series reads a range query's result: a matrix of at most one series,
// whose float points (NaN dropped) are the samples.
func series(val model.Value) ([]float64, error) {
	m, ok := val.(model.Matrix)
	if !ok {
		if val == nil {
			return nil, errors.New("returned no result")
		}
		return nil, fmt.Errorf("returned a %s, want a matrix", val.Type())
	}
	switch len(m) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, fmt.Errorf("returned %d series, want one: aggregate it, e.g. sum(...)", len(m))
	}
	if len(m[0].Histograms) > 0 {
		return nil, errors.New("returned native histograms, want numbers: e.g. histogram_quantile(...)")
	}
	var pts []float64
	for _, sp := range m[0].Values {
		if v := float64(sp.Value); !math.IsNaN(v) {
			pts = append(pts, v)
		}
	}
	return pts, nil
}
