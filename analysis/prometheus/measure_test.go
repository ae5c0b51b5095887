package prometheus_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/analysis/prometheus"
)

const window = 4 * time.Second

// TestMeasure runs instant and range queries against a real Prometheus.
// The provider's clock stands window past the first scrape, so that every
// step of a range query falls on scraped data, without waiting for it.
func TestMeasure(t *testing.T) {
	url, scraped := startScraped(t)
	p, err := prometheus.New(prometheus.Config{
		URL:   url,
		Clock: func() time.Time { return scraped.Add(window) },
	})
	if err != nil {
		t.Fatal(err)
	}
	canary := analysis.Query{Service: "shop", Canary: 2, Baseline: 1, Window: window}
	with := func(promql string, compare bool) analysis.Query {
		q := canary
		q.PromQL, q.Compare = promql, compare
		return q
	}
	fives := func(v float64) []float64 { return []float64{v, v, v, v, v} }
	for _, tc := range []struct {
		name    string
		q       analysis.Query
		want    analysis.Observation
		wantErr []string
	}{
		{name: "one-sample vector", q: with(errorRate, false),
			want: analysis.Observation{Value: 0.5, Count: 1}},
		{name: "baseline", q: with(errorRate, false).ForBaseline(),
			want: analysis.Observation{Value: 0.1, Count: 1}},
		{name: "scalar", q: with(`scalar(sum(slipway_router_requests_total{revision="{{canary}}"}))`, false),
			want: analysis.Observation{Value: 100, Count: 1}},
		{name: "empty vector is no data", q: with(`slipway_router_requests_total{revision="99"}`, false)},
		{name: "NaN is no data", q: with(`scalar(sum(slipway_router_requests_total{revision="99"}))`, false)},
		{name: "several series",
			q:       with(`slipway_router_requests_total{revision="{{canary}}"}`, false),
			wantErr: []string{"returned 2 series", "sum(...)", `revision="2"`}},
		{name: "bad PromQL", q: with(`sum(rate(slipway_router_requests_total{revision="{{canary}}"}[1m])`, false),
			wantErr: []string{"bad_data", "parse error", `revision="2"`}},
		{name: "matrix", q: with(`slipway_router_requests_total[1m]`, false),
			wantErr: []string{"returned a matrix"}},
		{name: "string", q: with(`"up"`, false), wantErr: []string{"string"}},
		{name: "compare", q: with(errorRate, true),
			want: analysis.Observation{Count: 5, Canary: fives(0.5), Baseline: fives(0.1)}},
		{name: "compare, baseline without data", q: func() analysis.Query {
			q := with(errorRate, true)
			q.Baseline = 99
			return q
		}(), want: analysis.Observation{Count: 0, Canary: fives(0.5)}},
		{name: "compare, step", q: func() analysis.Query {
			q := with(errorRate, true)
			q.Step = 2 * time.Second
			return q
		}(), want: analysis.Observation{Count: 3, Canary: []float64{0.5, 0.5, 0.5}, Baseline: []float64{0.1, 0.1, 0.1}}},
		{name: "compare, several series", q: with(`slipway_router_requests_total{revision="{{canary}}"}`, true),
			wantErr: []string{"range query", "returned 2 series"}},
		{name: "compare, bad PromQL", q: with(`sum(`, true), wantErr: []string{"bad_data", "parse error"}},
		{name: "compare without window", q: func() analysis.Query {
			q := with(errorRate, true)
			q.Window = 0
			return q
		}(), wantErr: []string{"needs a window"}},
		{name: "no query", q: with("", false), wantErr: []string{"no query"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := p.Measure(context.Background(), tc.q)
			if !errContains(t, err, tc.wantErr) {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Measure = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// errContains checks err against the parts it must contain (none: no
// error) and reports whether the test should go on to check the value.
func errContains(t *testing.T, err error, parts []string) bool {
	t.Helper()
	if len(parts) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return true
	}
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, part := range parts {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not contain %q", err, part)
		}
	}
	return false
}
