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

// instant evaluates promql at now and reads its one value.
func (p *Provider) instant(ctx context.Context, promql string) (analysis.Observation, error) {
	val, _, _, err := p.api.Query(ctx, promql, p.now(), v1.WithTimeout(p.timeout))
	if err != nil {
		return analysis.Observation{}, fmt.Errorf("prometheus query `%s`: %w", promql, err)
	}
	obs, err := single(val)
	if err != nil {
		return analysis.Observation{}, fmt.Errorf("prometheus query `%s`: %w", promql, err)
	}
	return obs, nil
}

// single reads an instant query's result: a scalar or a vector of at most
// one float sample. No sample, or NaN, is no data.
func single(val model.Value) (analysis.Observation, error) {
	switch v := val.(type) {
	case *model.Scalar:
		return observe(float64(v.Value)), nil
	case model.Vector:
		switch {
		case len(v) == 0:
			return analysis.Observation{}, nil
		case len(v) > 1:
			return analysis.Observation{}, fmt.Errorf(
				"returned %d series, want one: aggregate it, e.g. sum(...)", len(v))
		case v[0].Histogram != nil:
			return analysis.Observation{}, errors.New(
				"returned a native histogram, want a number: e.g. histogram_quantile(...)")
		}
		return observe(float64(v[0].Value)), nil
	case nil:
		return analysis.Observation{}, errors.New("returned no result")
	default:
		return analysis.Observation{}, fmt.Errorf(
			"returned a %s, want a scalar or a vector of one sample", val.Type())
	}
}

// observe is one value's observation; NaN (e.g. 0/0 with no traffic) is no
// data.
func observe(v float64) analysis.Observation {
	if math.IsNaN(v) {
		return analysis.Observation{}
	}
	return analysis.Observation{Value: v, Count: 1}
}
