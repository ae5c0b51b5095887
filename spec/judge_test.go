package spec

import "testing"

// A comparison written now gets the sequential judge where it fits and
// the interval judge elsewhere; an explicit judge stays.
func TestParseDefaultJudge(t *testing.T) {
	src := canaryBase + "        steps: [{setWeight: 20}]\n        analysis:\n          metrics:\n" +
		"            - {name: up, provider: router, metric: successRate, compare: baseline}\n" +
		"            - {name: p99, provider: router, metric: latencyP99, compare: baseline, alpha: 0.01}\n" +
		"            - {name: rate, provider: router, metric: requestRate, compare: baseline}\n" +
		"            - {name: old, provider: router, metric: latencyP50, compare: baseline, judge: interval}\n" +
		"            - {name: prom, provider: prometheus, query: up, compare: baseline}\n" +
		"            - {name: cond, provider: router, metric: successRate, successCondition: 'result > 0.9'}\n"
	app, err := Parse("slipway.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		judge        string
		alpha, floor float64
	}{{JudgeSequential, DefaultAlpha, DefaultErrorFloor}, {JudgeSequential, 0.01, 0}, {JudgeInterval, 0, 0}, {JudgeInterval, 0, 0}, {JudgeInterval, 0, 0}, {"", 0, 0}}
	for i, m := range app.Services["web"].Strategy.Canary.Analysis.Metrics {
		if m.Judge != want[i].judge || m.Alpha != want[i].alpha || m.Floor != want[i].floor {
			t.Errorf("%s: judge %q alpha %v floor %v, want %q %v %v", m.Name, m.Judge, m.Alpha, m.Floor, want[i].judge, want[i].alpha, want[i].floor)
		}
	}
}

// ApplyDefaults, which brings a stored revision's spec up to date, never
// picks a judge: a revision stored before judges existed keeps the
// interval judge it was created with.
func TestApplyDefaultsKeepsAStoredRevisionsJudge(t *testing.T) {
	s := &Service{Run: []string{"x"}, Strategy: Strategy{Canary: &Canary{Analysis: &Analysis{Metrics: []Metric{
		{Name: "up", Provider: ProviderRouter, Metric: "successRate", Compare: CompareBaseline},
	}}}}}
	s.ApplyDefaults()
	m := s.Strategy.Canary.Analysis.Metrics[0]
	if m.Judge != "" || m.Sequential() || m.Alpha != 0 || m.Floor != 0 {
		t.Errorf("stored metric after ApplyDefaults: judge %q alpha %v sequential %v; want the interval judge it had", m.Judge, m.Alpha, m.Sequential())
	}
}
