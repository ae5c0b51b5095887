package analysis

import (
	"fmt"
	"testing"
)

// BenchmarkJudge1000Metrics judges 1,000 metrics, each with 100 canary and
// 100 baseline samples, per iteration, and reports analyses (Compare calls)
// per second.
func BenchmarkJudge1000Metrics(b *testing.B) {
	const metrics = 1000
	cfg := CompareConfig{Confidence: 0.95, MinEffect: 0.5, AbsoluteFloor: 10, HigherIsWorse: true}
	canary := make([][]float64, metrics)
	baseline := make([][]float64, metrics)
	names := make([]string, metrics)
	for i := range metrics {
		canary[i] = samples(uint64(2*i), 100, 20+float64(i%7), 0.3)
		baseline[i] = samples(uint64(2*i+1), 100, 20, 0.3)
		names[i] = fmt.Sprintf("metric-%d", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range metrics {
			if m := Compare(cfg, names[i], canary[i], baseline[i]); !m.Verdict.Terminal() {
				b.Fatal(m)
			}
		}
	}
	b.ReportMetric(float64(b.N*metrics)/b.Elapsed().Seconds(), "analyses/s")
}

func BenchmarkConditionEval(b *testing.B) {
	c, err := Compile("result >= 0.99")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Eval(0.995); err != nil {
			b.Fatal(err)
		}
	}
}
