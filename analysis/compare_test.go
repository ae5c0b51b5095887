package analysis

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// samples returns n values around center with ±spread relative jitter,
// from a fixed seed so that the tests are deterministic.
func samples(seed uint64, n int, center, spread float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]float64, n)
	for i := range out {
		out[i] = center * (1 + spread*(2*r.Float64()-1))
	}
	return out
}

func TestCompare(t *testing.T) {
	latency := CompareConfig{Confidence: 0.95, MinEffect: 0.5, AbsoluteFloor: 20, HigherIsWorse: true, Unit: "ms"}
	noFloor := latency
	noFloor.AbsoluteFloor = 0
	errRate := CompareConfig{Confidence: 0.95, MinEffect: 0.5, HigherIsWorse: true}
	success := CompareConfig{Confidence: 0.95, MinEffect: 0.1}
	few := errRate
	few.MinSamples = 3

	tests := []struct {
		name             string
		cfg              CompareConfig
		canary, baseline []float64
		want             Verdict
		reason           string // substring
	}{
		{"5ms to 10ms under a 20ms floor passes", latency,
			samples(1, 100, 10, 0.2), samples(2, 100, 5, 0.2), Pass, "at or below the 20ms floor"},
		{"5ms to 10ms without a floor fails", noFloor,
			samples(1, 100, 10, 0.2), samples(2, 100, 5, 0.2), Fail, "worse by more than the 50% allowed"},
		{"40ms to 100ms above the floor fails", latency,
			samples(3, 100, 100, 0.2), samples(4, 100, 40, 0.2), Fail, "+1"},
		{"2x error rate fails", errRate,
			samples(5, 100, 0.02, 0.3), samples(6, 100, 0.01, 0.3), Fail, "worse by more than the 50% allowed"},
		{"20% worse is within 50% allowed", errRate,
			samples(7, 100, 0.012, 0.1), samples(8, 100, 0.01, 0.1), Pass, "worse, but within the 50% allowed"},
		{"same distribution passes", errRate,
			samples(9, 100, 0.01, 0.3), samples(10, 100, 0.01, 0.3), Pass, "no significant difference"},
		{"better canary passes", errRate,
			samples(11, 100, 0.002, 0.3), samples(12, 100, 0.01, 0.3), Pass, "better than or equal to baseline"},
		{"large but noisy difference on few samples is not significant", few,
			[]float64{1, 30, 2}, []float64{1, 2, 3}, Pass, "no significant difference"},
		{"9 samples is inconclusive", errRate,
			samples(13, 9, 0.5, 0.1), samples(14, 100, 0.01, 0.1), Inconclusive, "not enough data is not a pass"},
		{"no baseline is inconclusive", errRate,
			samples(13, 50, 0.5, 0.1), nil, Inconclusive, "50 canary and 0 baseline samples, need 10 each"},
		{"success rate halved fails when lower is worse", success,
			samples(15, 60, 0.45, 0.05), samples(16, 60, 0.99, 0.005), Fail, "worse by more than the 10% allowed"},
		{"success rate 5% lower passes", success,
			samples(17, 60, 0.94, 0.01), samples(18, 60, 0.99, 0.005), Pass, "within the 10% allowed"},
		{"errors from zero fail", errRate,
			samples(19, 30, 0.2, 0.5), make([]float64, 30), Fail, "from 0"},
		{"zero against zero passes", errRate,
			make([]float64, 30), make([]float64, 30), Pass, "no significant difference"},
		{"NaN is an error", errRate,
			append(samples(20, 20, 1, 0.1), math.NaN()), samples(21, 20, 1, 0.1), Error, "NaN"},
		{"confidence 0 is an error", CompareConfig{MinEffect: 0.5},
			samples(22, 20, 1, 0.1), samples(23, 20, 1, 0.1), Error, "confidence 0 must be between 0 and 1"},
		{"negative min effect is an error", CompareConfig{Confidence: 0.9, MinEffect: -1},
			samples(22, 20, 1, 0.1), samples(23, 20, 1, 0.1), Error, "minimum effect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Compare(tt.cfg, "m", tt.canary, tt.baseline)
			if m.Verdict != tt.want || !strings.Contains(m.Reason, tt.reason) {
				t.Errorf("got %v %q (stats %v), want %v containing %q", m.Verdict, m.Reason, m.Stats, tt.want, tt.reason)
			}
		})
	}
}

func TestCompareReasonAndStats(t *testing.T) {
	cfg := CompareConfig{Confidence: 0.95, MinEffect: 0.5, HigherIsWorse: true, Unit: "ms"}
	canary := []float64{12.1, 11, 13, 12.5, 11.9, 12.1, 14, 12.1, 12.0, 12.3}
	baseline := []float64{5.3, 5.1, 5.5, 5.2, 5.4, 5.3, 5.0, 5.6, 5.3, 5.3}
	m := Compare(cfg, "latencyP99", canary, baseline)
	want := "latencyP99 12.1ms vs baseline 5.3ms (+128%, p=0.000169 < 0.05): worse by more than the 50% allowed"
	if m.Reason != want || m.Verdict != Fail {
		t.Errorf("got %v %q\nwant fail %q", m.Verdict, m.Reason, want)
	}
	if m.Value != 12.1 || m.Samples != 10 {
		t.Errorf("value %v samples %d", m.Value, m.Samples)
	}
	for k, v := range map[string]float64{StatCanaryMedian: 12.1, StatBaselineMedian: 5.3, StatAlpha: 0.05, StatU: 100, StatMinEffect: 0.5} {
		if !closeRel(m.Stats[k], v, 1e-12) {
			t.Errorf("stats[%s] = %v, want %v", k, m.Stats[k], v)
		}
	}
}

func TestMedian(t *testing.T) {
	in := []float64{3, 1, 2, 10}
	if got := median(in); got != 2.5 {
		t.Fatalf("median = %v", got)
	}
	if in[0] != 3 {
		t.Fatal("median sorted its input")
	}
	if got := median([]float64{7, 1, 4}); got != 4 {
		t.Fatalf("median = %v", got)
	}
}

// TestCompareSpreads: a comparison keeps each side's quantiles (as
// Python's statistics.quantiles(method="inclusive") computes them), so
// the two distributions can be drawn; too few samples keep none.
func TestCompareSpreads(t *testing.T) {
	cfg := CompareConfig{Confidence: 0.95, MinEffect: 0.5, HigherIsWorse: true}
	canary := []float64{12.1, 11, 13, 12.5, 11.9, 12.1, 14, 12.1, 12.0, 12.3}
	baseline := []float64{5.3, 5.1, 5.5, 5.2, 5.4, 5.3, 5.0, 5.6, 5.3, 5.3}
	m := Compare(cfg, "latencyP99", canary, baseline)
	if m.Spreads == nil {
		t.Fatal("no spreads kept")
	}
	for _, c := range []struct {
		name      string
		got, want Spread
	}{
		{"canary", m.Spreads.Canary, Spread{N: 10, Min: 11, P10: 11.81, P25: 12.025, P50: 12.1, P75: 12.45, P90: 13.1, Max: 14}},
		{"baseline", m.Spreads.Baseline, Spread{N: 10, Min: 5, P10: 5.09, P25: 5.225, P50: 5.3, P75: 5.375, P90: 5.51, Max: 5.6}},
	} {
		g, w := c.got, c.want
		gs, ws := []float64{g.Min, g.P10, g.P25, g.P50, g.P75, g.P90, g.Max}, []float64{w.Min, w.P10, w.P25, w.P50, w.P75, w.P90, w.Max}
		for i := range gs {
			if g.N != w.N || !closeRel(gs[i], ws[i], 1e-9) {
				t.Errorf("%s spread %+v, want %+v", c.name, g, w)
				break
			}
		}
	}
	if c := m.Clone(); c.Spreads == m.Spreads {
		t.Error("Clone shares the spreads")
	}
	if few := Compare(cfg, "latencyP99", canary[:3], baseline); few.Spreads != nil {
		t.Errorf("3 canary samples kept spreads %+v; want none (inconclusive)", few.Spreads)
	}
	if one := spreadOf([]float64{4}); one != (Spread{N: 1, Min: 4, P10: 4, P25: 4, P50: 4, P75: 4, P90: 4, Max: 4}) {
		t.Errorf("one sample: %+v", one)
	}
}
