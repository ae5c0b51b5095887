package analysis

import (
	"fmt"
	"math"
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

// BenchmarkCountTestLook is the sequential count judge's cost per
// observation: one request counted (an error one time in a hundred on
// either side) and
// the state looked at, as a judge checked after every request is.
func BenchmarkCountTestLook(b *testing.B) {
	ct := NewCountTest(SequentialConfig{Alpha: 0.05, MinEffect: 0.5})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		canary := i%10 == 0
		failed := i%1000 == 0 || i%100 == 5 // 1% of each side
		switch {
		case canary && failed:
			ct.Add(1, 1, 0, 0)
		case canary:
			ct.Add(1, 0, 0, 0)
		case failed:
			ct.Add(0, 0, 1, 1)
		default:
			ct.Add(0, 0, 1, 0)
		}
		if ct.State().Verdict == Fail {
			b.Fatal("A/A data failed")
		}
	}
}

// BenchmarkQuantileTestLook is the sequential latency judge's cost per
// observation: one latency counted into the router's bins and p99 looked
// at, canary against baseline.
func BenchmarkQuantileTestLook(b *testing.B) {
	up := make([]float64, 192)
	for i := range up {
		up[i] = 1e-6 * math.Pow(2, float64(i+1)/8)
	}
	canary, base := make([]int64, len(up)), make([]int64, len(up))
	qt := NewQuantileTest(SequentialConfig{Alpha: 0.05, MinEffect: 0.5}, 0.99)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		bin := 100 + i%7 + (i%97)/90*10
		if i%10 == 0 {
			canary[bin]++
		} else {
			base[bin]++
		}
		qt.State(canary, base, up)
	}
}
