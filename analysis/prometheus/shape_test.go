package prometheus

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/slipway-dev/slipway/analysis"
)

func TestSingle(t *testing.T) {
	nan := model.SampleValue(math.NaN())
	for _, tc := range []struct {
		name    string
		val     model.Value
		want    analysis.Observation
		wantErr string
	}{
		{"scalar", &model.Scalar{Value: 0.25}, analysis.Observation{Value: 0.25, Count: 1}, ""},
		{"scalar NaN is no data", &model.Scalar{Value: nan}, analysis.Observation{}, ""},
		{"one sample", model.Vector{{Value: 3}}, analysis.Observation{Value: 3, Count: 1}, ""},
		{"one NaN sample is no data", model.Vector{{Value: nan}}, analysis.Observation{}, ""},
		{"infinity is a value", model.Vector{{Value: model.SampleValue(math.Inf(1))}},
			analysis.Observation{Value: math.Inf(1), Count: 1}, ""},
		{"empty vector is no data", model.Vector{}, analysis.Observation{}, ""},
		{"several series", model.Vector{{Value: 1}, {Value: 2}, {Value: 3}}, analysis.Observation{},
			"returned 3 series, want one: aggregate it, e.g. sum(...)"},
		{"native histogram", model.Vector{{Histogram: &model.SampleHistogram{Count: 1}}}, analysis.Observation{},
			"native histogram"},
		{"matrix", model.Matrix{}, analysis.Observation{}, "returned a matrix, want a scalar or a vector"},
		{"string", &model.String{Value: "x"}, analysis.Observation{}, "returned a string"},
		{"nothing", nil, analysis.Observation{}, "returned no result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := single(tc.val)
			checkErr(t, err, tc.wantErr)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("single = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSeries(t *testing.T) {
	pts := func(vs ...float64) []model.SamplePair {
		var out []model.SamplePair
		for i, v := range vs {
			out = append(out, model.SamplePair{Timestamp: model.Time(i * 1000), Value: model.SampleValue(v)})
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		val     model.Value
		want    []float64
		wantErr string
	}{
		{"one series", model.Matrix{{Values: pts(1, 2, 3)}}, []float64{1, 2, 3}, ""},
		{"NaN points dropped", model.Matrix{{Values: pts(math.NaN(), 2, math.NaN(), 4)}}, []float64{2, 4}, ""},
		{"all NaN", model.Matrix{{Values: pts(math.NaN())}}, nil, ""},
		{"no series", model.Matrix{}, nil, ""},
		{"two series", model.Matrix{{Values: pts(1)}, {Values: pts(2)}}, nil,
			"returned 2 series, want one: aggregate it, e.g. sum(...)"},
		{"native histograms", model.Matrix{{Histograms: []model.SampleHistogramPair{{}}}}, nil,
			"native histograms"},
		{"vector", model.Vector{}, nil, "returned a vector, want a matrix"},
		{"nothing", nil, nil, "returned no result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := series(tc.val)
			checkErr(t, err, tc.wantErr)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("series = %v, want %v", got, tc.want)
			}
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q, want it to contain %q", err, want)
	}
}
