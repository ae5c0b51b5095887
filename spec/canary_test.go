package spec

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// canarySpec is the example from issue 4; its strategy starts on line 5.
const canarySpec = `app: shop
services:
  web:
    run: [./web]
    strategy:
      canary:
        stickiness: {cookie: slipway-canary}
        steps:
          - setWeight: 10
          - pause: 30s
          - analysis: {}
          - setHeaderRoute: {header: X-Canary, value: "1"}
          - setWeight: 50
          - pause: {}
        analysis:
          interval: 5s
          metrics:
            - name: success-rate
              provider: router
              metric: successRate
              successCondition: result >= 0.99
            - name: latency
              provider: router
              metric: latencyP99
              compare: baseline
            - name: errors-in-prometheus
              provider: prometheus
              query: sum(rate(http_requests_total{code=~"5..",revision="{{canary}}"}[1m]))
              successCondition: result < 0.5
        progressDeadline: 10m
`

func TestCanaryExample(t *testing.T) {
	app := mustParse(t, canarySpec)
	s := app.Services["web"]
	if s.Strategy.Rolling != nil || s.Strategy.BlueGreen != nil {
		t.Fatalf("strategy %+v: only canary must be set", s.Strategy)
	}
	c := s.Strategy.Canary
	want := &Canary{
		Stickiness: &Stickiness{Cookie: "slipway-canary"},
		Steps: []Step{
			{SetWeight: ptr(10)},
			{Pause: &Pause{Duration{30 * time.Second}}},
			{Analysis: &StepAnalysis{Count: DefaultStepAnalysisCount}},
			{SetHeaderRoute: &HeaderRoute{Header: "X-Canary", Value: "1"}},
			{SetWeight: ptr(50)},
			{Pause: &Pause{}},
		},
		Analysis: &Analysis{
			Interval: Duration{5 * time.Second},
			Metrics: []Metric{
				{Name: "success-rate", Provider: "router", Metric: "successRate", SuccessCondition: "result >= 0.99"},
				{Name: "latency", Provider: "router", Metric: "latencyP99", Compare: "baseline", Judge: JudgeSequential,
					Alpha: DefaultAlpha, Beta: DefaultBeta, Better: "lower", Confidence: 0.95, MinEffect: 0.5, MinSamples: 10},
				{Name: "errors-in-prometheus", Provider: "prometheus",
					Query:            `sum(rate(http_requests_total{code=~"5..",revision="{{canary}}"}[1m]))`,
					SuccessCondition: "result < 0.5"},
			},
			FailureLimit: ptr(0), InconclusiveLimit: ptr(1), ConsecutiveErrorLimit: ptr(4),
			Deadline: Duration{DefaultAnalysisDeadline},
		},
		ProgressDeadline: Duration{10 * time.Minute},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("canary:\n%s\nwant:\n%s", mustJSON(t, c), mustJSON(t, want))
	}
	if got := s.ProgressDeadline(); got != 10*time.Minute {
		t.Errorf("ProgressDeadline() = %v, want 10m", got)
	}
	if !c.Steps[5].Pause.UntilPromoted() || c.Steps[1].Pause.UntilPromoted() {
		t.Errorf("pauses %v, %v", c.Steps[1].Pause, c.Steps[5].Pause)
	}
	if app.Line("services.web.strategy.canary.steps[2]") != 11 {
		t.Errorf("steps[2] on line %d, want 11", app.Line("services.web.strategy.canary.steps[2]"))
	}
}

func TestCanaryDefaults(t *testing.T) {
	app := mustParse(t, web+"    strategy:\n      canary:\n        steps: [{setWeight: 20}]\n        analysis:\n          metrics: [{name: up, provider: router, metric: successRate, compare: baseline}]\n")
	c := app.Services["web"].Strategy.Canary
	a := c.Analysis
	if c.ProgressDeadline.Duration != DefaultProgressDeadline || a.Interval.Duration != DefaultAnalysisInterval ||
		*a.FailureLimit != 0 || *a.InconclusiveLimit != 1 || *a.ConsecutiveErrorLimit != 4 {
		t.Errorf("defaults %+v / %+v", c, a)
	}
	if m := a.Metrics[0]; m.Better != BetterHigher || m.Confidence != 0.95 || m.MinEffect != 0.5 || m.Floor != DefaultErrorFloor || m.Judge != JudgeSequential {
		t.Errorf("metric defaults %+v", m)
	}
	if app.Services["web"].Strategy.Rolling != nil {
		t.Error("a canary service got a rolling strategy")
	}
}

func TestCanaryJSONRoundTrip(t *testing.T) {
	c := mustParse(t, canarySpec).Services["web"].Strategy.Canary
	b := mustJSON(t, c)
	for _, part := range []string{`{"pause":"30s"}`, `{"pause":{}}`, `"setWeight":10`, `"progressDeadline":"10m"`} {
		if !strings.Contains(b, part) {
			t.Errorf("JSON lacks %s:\n%s", part, b)
		}
	}
	var back Canary
	if err := json.Unmarshal([]byte(b), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, c) {
		t.Errorf("round trip:\n%s\nwant:\n%s", mustJSON(t, &back), b)
	}
	var p Pause
	if err := json.Unmarshal([]byte(`{"duration":"1m"}`), &p); err != nil || p.Duration.Duration != time.Minute {
		t.Errorf("pause {duration: 1m} = %v, %v", p, err)
	}
}

func TestCanaryCloneIsDeep(t *testing.T) {
	s := mustParse(t, canarySpec).Services["web"]
	c := s.Clone()
	*c.Strategy.Canary.Steps[0].SetWeight = 99
	c.Strategy.Canary.Analysis.Metrics[0].Name = "changed"
	c.Strategy.Canary.Steps[1].Pause.Duration.Duration = time.Hour
	if !Equal(s, mustParse(t, canarySpec).Services["web"]) {
		t.Error("changing a clone changed the original")
	}
	if d := DiffService(s, c); len(d) != 3 {
		t.Errorf("diff %v, want 3 changes", d)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// canaryBase starts a canary strategy; a case's lines start at 7.
const canaryBase = web + "    strategy:\n      canary:\n"

// withMetric is a canary with one step and the given metric, written
// from line 10 (its "- name:" line).
func withMetric(fields string) string {
	return canaryBase + "        steps: [{setWeight: 5}]\n        analysis:\n          metrics:\n            - name: m\n" + fields
}

func TestCanaryProblems(t *testing.T) {
	const s = "services.web.strategy"
	const c = s + ".canary"
	const m = c + ".analysis.metrics[0]"
	cases := []struct {
		name, src string
		line      int
		path, msg string
	}{
		{"two strategies", web + "    strategy:\n      rolling: {}\n      canary: {steps: [{setWeight: 1}]}\n", 5, s, "set one strategy: rolling, blueGreen or canary"},
		{"no steps", canaryBase + "        progressDeadline: 1m\n", 6, c + ".steps", "at least one step is required"},
		{"empty step", canaryBase + "        steps:\n          - {}\n", 8, c + ".steps[0]", "set exactly one of setWeight"},
		{"null pause is no step", canaryBase + "        steps:\n          - pause:\n", 8, c + ".steps[0]", "set exactly one of"},
		{"two fields", canaryBase + "        steps:\n          - {setWeight: 5, pause: 1m}\n", 8, c + ".steps[0]", "set exactly one of"},
		{"weight above 100", canaryBase + "        steps:\n          - setWeight: 10\n          - setWeight: 150\n", 9, c + ".steps[1].setWeight", "must be 0..100"},
		{"weight negative", canaryBase + "        steps:\n          - setWeight: -1\n", 8, c + ".steps[0].setWeight", "must be 0..100"},
		{"weight not a number", canaryBase + "        steps:\n          - setWeight: half\n", 8, c + ".steps[0].setWeight", "must be an integer"},
		{"pause not a duration", canaryBase + "        steps:\n          - pause: soon\n", 8, c + ".steps[0].pause", `want a duration like 30s, or {} to wait for promotion; got the string "soon"`},
		{"pause bare number", canaryBase + "        steps:\n          - pause: 30\n", 8, c + ".steps[0].pause", "want a duration like 30s"},
		{"pause zero", canaryBase + "        steps:\n          - pause: 0s\n", 8, c + ".steps[0].pause", "want a duration like 30s"},
		{"pause list", canaryBase + "        steps:\n          - pause: [1s]\n", 8, c + ".steps[0].pause", "got a list"},
		{"pause unknown field", canaryBase + "        steps:\n          - pause: {for: 1s}\n", 8, c + ".steps[0].pause", `unknown field "for" in pause`},
		{"pause bad mapping duration", canaryBase + "        steps:\n          - pause: {duration: -1s}\n", 8, c + ".steps[0].pause", "want a duration"},
		{"analysis step without analysis", canaryBase + "        steps:\n          - setWeight: 5\n          - analysis: {}\n", 9, c + ".steps[1].analysis", "needs metrics"},
		{"analysis step unknown metric", canaryBase + "        steps:\n          - analysis: {metrics: [sucess-rate]}\n        analysis:\n          metrics: [{name: success-rate, provider: router, metric: successRate, compare: baseline}]\n",
			8, c + ".steps[0].analysis.metrics[0]", `unknown metric "sucess-rate" (did you mean "success-rate"?)`},
		{"header route without header", canaryBase + "        steps:\n          - setHeaderRoute: {value: \"1\"}\n", 8, c + ".steps[0].setHeaderRoute.header", "required: a header name"},
		{"stickiness both", canaryBase + "        stickiness: {cookie: a, header: X-B}\n        steps: [{setWeight: 1}]\n", 7, c + ".stickiness", "set exactly one of cookie"},
		{"stickiness neither", canaryBase + "        stickiness: {}\n        steps: [{setWeight: 1}]\n", 7, c + ".stickiness", "set exactly one of cookie"},
		{"stickiness bad header", canaryBase + "        stickiness: {header: \"X User\"}\n        steps: [{setWeight: 1}]\n", 7, c + ".stickiness.header", "invalid header name"},
		{"no metrics", canaryBase + "        steps: [{setWeight: 1}]\n        analysis: {interval: 5s}\n", 8, c + ".analysis.metrics", "at least one metric"},
		{"interval zero", canaryBase + "        steps: [{setWeight: 1}]\n        analysis:\n          interval: 0s\n", 9, c + ".analysis.interval", "must be > 0"},
		{"negative limit", canaryBase + "        steps: [{setWeight: 1}]\n        analysis:\n          failureLimit: -1\n", 9, c + ".analysis.failureLimit", "must be >= 0"},
		{"duplicate metric", withMetric("              provider: router\n              metric: successRate\n              compare: baseline\n            - name: m\n              provider: router\n              metric: latencyP99\n              compare: baseline\n"),
			14, c + ".analysis.metrics[1].name", `metric "m" is defined twice`},
		{"metric name", canaryBase + "        steps: [{setWeight: 1}]\n        analysis:\n          metrics:\n            - name: Success_Rate\n              provider: router\n              metric: successRate\n              compare: baseline\n",
			10, m + ".name", `invalid metric name "Success_Rate"`},
		{"metric name missing", canaryBase + "        steps: [{setWeight: 1}]\n        analysis:\n          metrics:\n            - provider: router\n              metric: successRate\n              compare: baseline\n",
			10, m + ".name", "required: a name"},
		{"provider missing", withMetric("              compare: baseline\n"), 10, m + ".provider", "required: one of router, prometheus, http"},
		{"provider unknown", withMetric("              provider: prometheos\n              compare: baseline\n"), 11, m + ".provider", `unknown provider "prometheos" (did you mean "prometheus"?)`},
		{"router metric unknown", withMetric("              provider: router\n              metric: latencyP95\n              compare: baseline\n"), 12, m + ".metric",
			"valid: successRate, latencyP50, latencyP90, latencyP99, requestRate"},
		{"router metric missing", withMetric("              provider: router\n              compare: baseline\n"), 10, m + ".metric", "unknown router metric"},
		{"prometheus needs query", withMetric("              provider: prometheus\n              successCondition: result < 1\n"), 10, m + ".query", "required for provider prometheus"},
		{"http needs url", withMetric("              provider: http\n              successCondition: result < 1\n"), 10, m + ".url", "required for provider http"},
		{"http bad url", withMetric("              provider: http\n              url: localhost:9090/x\n              successCondition: result < 1\n"), 12, m + ".url", "an http:// or https:// URL"},
		{"http jsonPath", withMetric("              provider: http\n              url: http://a.test/x\n              jsonPath: data.value\n              successCondition: result < 1\n"), 13, m + ".jsonPath", "must start with $"},
		{"field of another provider", withMetric("              provider: router\n              metric: successRate\n              query: up\n              compare: baseline\n"), 13, m + ".query", "only used with provider prometheus, not router"},
		{"no judge", withMetric("              provider: router\n              metric: successRate\n"), 10, m, "set successCondition (like result >= 0.99) or compare: baseline"},
		{"both judges", withMetric("              provider: router\n              metric: successRate\n              successCondition: result > 0.9\n              compare: baseline\n"), 10, m, "not both"},
		{"empty condition", withMetric("              provider: router\n              metric: successRate\n              successCondition: \"\"\n"), 13, m + ".successCondition", "must not be empty"},
		{"compare unknown", withMetric("              provider: router\n              metric: successRate\n              compare: stable\n"), 13, m + ".compare", `must be "baseline"`},
		{"confidence one", withMetric("              provider: router\n              metric: latencyP99\n              compare: baseline\n              confidence: 1\n"), 14, m + ".confidence", "must be in (0, 1)"},
		{"confidence zero", withMetric("              provider: router\n              metric: latencyP99\n              compare: baseline\n              confidence: 0\n"), 14, m + ".confidence", "must be in (0, 1)"},
		{"confidence without compare", withMetric("              provider: router\n              metric: latencyP99\n              successCondition: result < 1\n              confidence: 0.9\n"), 14, m + ".confidence", "only used with compare: baseline"},
		{"negative floor", withMetric("              provider: router\n              metric: latencyP99\n              compare: baseline\n              floor: -0.1\n"), 14, m + ".floor", "must be >= 0"},
		{"better", withMetric("              provider: router\n              metric: latencyP99\n              compare: baseline\n              better: smaller\n"), 14, m + ".better", "must be lower or higher"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := problemsOf(t, tc.src)
			for _, p := range ps {
				if p.Line == tc.line && p.Path == tc.path && strings.Contains(p.Message, tc.msg) {
					return
				}
			}
			t.Errorf("want line %d %s: ...%s...\ngot:\n%v", tc.line, tc.path, tc.msg, &ps)
		})
	}
}

func TestCanaryCheckExpr(t *testing.T) {
	check := func(expr string) error {
		if strings.Contains(expr, "=>") {
			return errors.New("Syntax error: unexpected token '>'")
		}
		return nil
	}
	src := withMetric("              provider: router\n              metric: successRate\n              successCondition: result => 0.99\n")
	if _, err := Parse("slipway.yaml", []byte(src)); err != nil {
		t.Fatalf("without a checker an expression need only be non-empty: %v", err)
	}
	_, err := ParseWith("slipway.yaml", []byte(src), Options{CheckExpr: check})
	want := "slipway.yaml:13: services.web.strategy.canary.analysis.metrics[0].successCondition: does not compile: Syntax error: unexpected token '>'"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	if _, err := ParseWith("slipway.yaml", []byte(canarySpec), Options{CheckExpr: check}); err != nil {
		t.Errorf("example: %v", err)
	}
}

func TestCanaryReportsEveryProblem(t *testing.T) {
	src := canaryBase + `        stickiness: {cookie: a, header: b}
        steps:
          - setWeight: 101
          - pause: soon
          - analysis: {}
`
	ps := problemsOf(t, src)
	var got []string
	for _, p := range ps {
		got = append(got, p.Path)
	}
	want := []string{"services.web.strategy.canary.stickiness", "services.web.strategy.canary.steps[0].setWeight",
		"services.web.strategy.canary.steps[1].pause", "services.web.strategy.canary.steps[2].analysis"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%v\nwant paths %v", &ps, want)
	}
}
