package cli

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func sec(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

func rate(t, v float64, verdict string) api.Measurement {
	return api.Measurement{Time: sec(int(t)), Value: v, Samples: 1, Verdict: verdict, Reason: "why " + verdict}
}

// shop is service shop with canary r2 at step (0-based) and weight, its
// background analysis holding the success-rate measurements ms (taken
// counts every one ever taken).
func shop(step, weight, taken int, ms ...api.Measurement) api.Service {
	return api.Service{Name: "shop", Revision: 2, Stable: 1, Phase: "Progressing",
		Canary: &api.Canary{Revision: 2, Stable: 1, Step: step, Steps: 3, StepName: []string{"setWeight: 10", "analysis: 2 passing measurements per metric", "setWeight: 50", ""}[step],
			StepStarted: sec(0), Weight: weight, Started: sec(0),
			Analysis: &api.AnalysisRun{Step: -1, Phase: "running", Started: sec(0), Metrics: []api.MetricRun{
				{Name: "success-rate", Judge: "result >= 0.99", Taken: taken, Measurements: ms}}}}}
}

// edit returns s after fn changed its canary.
func edit(s api.Service, fn func(c *api.Canary)) api.Service {
	fn(s.Canary)
	return s
}

// TestObserve drives a canaryWatch through successive looks at a
// service on a fixed clock: each look prints only what changed, with
// the time of what it reports (or of the look), in time order.
func TestObserve(t *testing.T) {
	m1, m2, m3 := rate(5, 0.999, "pass"), rate(15, 0.995, "pass"), rate(25, 0.98, "fail")
	steps := []struct {
		name string
		svc  api.Service
		now  time.Time
		want string // lines, joined by newlines
		done bool
		err  string
	}{
		{"first look: the latest measurement only, then the state", shop(0, 10, 2, m1, m2), sec(20), `
2026-03-01T12:00:20Z  watching the canary r2 of shop (stable r1); Ctrl-C stops the watch, not the canary
2026-03-01T12:00:15Z  [background] success-rate 0.995 >= 0.99 pass
2026-03-01T12:00:20Z  step 1/3 setWeight: 10; stable r1 90% / canary r2 10%`, false, ""},
		{"nothing new", shop(0, 10, 2, m1, m2), sec(21), ``, false, ""},
		{"a measurement, and the oldest no longer kept", shop(0, 10, 3, m2, m3), sec(30), `
2026-03-01T12:00:25Z  [background] success-rate 0.98 >= 0.99 fail: why fail`, false, ""},
		{"a step with its analysis", edit(shop(1, 10, 3, m2, m3), func(c *api.Canary) {
			c.StepAnalysis = &api.AnalysisRun{Step: 1, Phase: "running", Started: sec(31), Metrics: []api.MetricRun{
				{Name: "success-rate", Judge: "result >= 0.99", Taken: 2, Measurements: []api.Measurement{rate(33, 0.991, "pass"), rate(36, 0.992, "pass")}}}}
		}), sec(40), `
2026-03-01T12:00:33Z  [step 2] success-rate 0.991 >= 0.99 pass
2026-03-01T12:00:36Z  [step 2] success-rate 0.992 >= 0.99 pass
2026-03-01T12:00:40Z  step 2/3 analysis: 2 passing measurements per metric; stable r1 90% / canary r2 10%`, false, ""},
		{"paused by an inconclusive analysis; a count that went back does no harm", edit(shop(1, 10, 1, m3), func(c *api.Canary) {
			c.Paused, c.PauseReason = true, "analysis inconclusive: success-rate: 3 measurements inconclusive"
			c.Analysis.Phase, c.Analysis.Reason = "inconclusive", "success-rate: 3 measurements inconclusive"
		}), sec(50), `
2026-03-01T12:00:50Z  background analysis inconclusive: success-rate: 3 measurements inconclusive
2026-03-01T12:00:50Z  step 2/3 analysis: 2 passing measurements per metric; stable r1 90% / canary r2 10%; paused: analysis inconclusive: success-rate: 3 measurements inconclusive`, false, ""},
		{"set by hand, header route", edit(shop(2, 30, 1, m3), func(c *api.Canary) {
			c.Header = "X-Canary"
			c.Analysis.Phase = "running"
		}), sec(60), `
2026-03-01T12:01:00Z  background analysis running
2026-03-01T12:01:00Z  step 3/3 setWeight: 50; stable r1 70% / canary r2 30%; requests with header X-Canary (any value) go to canary r2`, false, ""},
		{"promoted", edit(shop(3, 100, 1, m3), func(c *api.Canary) {
			c.Header, c.Full, c.Outcome, c.Reason, c.Ended = "X-Canary", true, "Promoted", "every step passed", sec(65)
		}), sec(70), `
2026-03-01T12:01:05Z  promoted: every step passed`, true, ""},
	}
	var w *canaryWatch
	for _, st := range steps {
		if w == nil {
			w = newCanaryWatch(st.svc)
		}
		lines, done, err := w.observe(st.svc, st.now)
		if got := joinLines(lines); got != strings.TrimPrefix(st.want, "\n") || done != st.done || errText(err) != st.err {
			t.Fatalf("%s: done %v, err %v, lines:\n%s\nwant:\n%s", st.name, done, err, got, strings.TrimPrefix(st.want, "\n"))
		}
	}
}

func TestObserveEnds(t *testing.T) {
	running := shop(0, 10, 1, rate(5, 0.999, "pass"))
	tests := []struct {
		name  string
		svc   api.Service
		lines string
		err   string
	}{
		{"rolled back", edit(shop(0, 10, 2, rate(5, 0.999, "pass"), rate(15, 0.5, "fail")), func(c *api.Canary) {
			c.Outcome, c.Reason, c.Ended = "RolledBack", "analysis failed: success-rate: too many failures", sec(16)
			c.Analysis.Phase, c.Analysis.Reason, c.Analysis.Ended = "failed", "success-rate: too many failures", sec(16)
		}), `2026-03-01T12:00:15Z  [background] success-rate 0.5 >= 0.99 fail: why fail
2026-03-01T12:00:16Z  background analysis failed: success-rate: too many failures
2026-03-01T12:00:16Z  rolled back: analysis failed: success-rate: too many failures`,
			`the canary r2 of shop was rolled back: analysis failed: success-rate: too many failures; see "slipway rollout explain shop"`},
		{"aborted", edit(shop(0, 10, 1, rate(5, 0.999, "pass")), func(c *api.Canary) {
			c.Outcome, c.Reason, c.Ended = "RolledBack", "aborted: bad vibes", sec(18)
		}), `2026-03-01T12:00:18Z  rolled back: aborted: bad vibes`,
			`the canary r2 of shop was rolled back: aborted: bad vibes; see "slipway rollout explain shop"`},
		{"replaced by another canary", edit(shop(0, 0, 0), func(c *api.Canary) { c.Revision = 3 }), ``,
			`the canary r2 of shop is no longer in view: the service now targets revision 2 (Progressing); see "slipway rollout status shop"`},
		{"gone", api.Service{Name: "shop", Revision: 3, Phase: "Ready", Message: "revision 3 takes all traffic"}, ``,
			`the canary r2 of shop is no longer in view: the service now targets revision 3 (Ready: revision 3 takes all traffic); see "slipway rollout status shop"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newCanaryWatch(running)
			w.observe(running, sec(10))
			lines, done, err := w.observe(tc.svc, sec(20))
			if got := joinLines(lines); got != tc.lines || !done || errText(err) != tc.err {
				t.Fatalf("done %v, err:\n%v\nwant:\n%s\nlines:\n%s\nwant:\n%s", done, err, tc.err, got, tc.lines)
			}
		})
	}
}

// TestMeasuredText is each kind of measurement in a line.
func TestMeasuredText(t *testing.T) {
	check := api.MetricRun{Name: "success-rate", Judge: "result >= 0.99"}
	compare := api.MetricRun{Name: "latency", Judge: judgeCompare}
	tests := []struct {
		m    api.MetricRun
		x    api.Measurement
		want string
	}{
		{check, api.Measurement{Value: 0.99312}, "0.9931 >= 0.99"},
		{api.MetricRun{Judge: "result > 0.9 && result < 1"}, api.Measurement{Value: 0.95}, "0.95 (result > 0.9 && result < 1)"},
		{api.MetricRun{}, api.Measurement{Value: 123456}, "123456"},
		{check, api.Measurement{NoData: true}, "no data"},
		{compare, api.Measurement{Value: 12.1, Stats: map[string]float64{"p": 0.00312, "effect": 1.2834}}, "p=0.00312 effect +128%"},
		{compare, api.Measurement{Value: 3, Stats: map[string]float64{"p": 1e-7, "effect": -0.031}}, "p=1e-07 effect -3%"},
		{compare, api.Measurement{Value: 2, Stats: map[string]float64{"p": 0.01, "effect": math.Inf(1)}}, "p=0.01 effect +Inf%"},
		{compare, api.Measurement{Value: 5}, "5"},
	}
	for _, tc := range tests {
		if got := measuredText(tc.m, tc.x); got != tc.want {
			t.Errorf("measuredText(%+v, %+v) = %q, want %q", tc.m, tc.x, got, tc.want)
		}
	}
}

func joinLines(lines []watchLine) string {
	s := make([]string, len(lines))
	for i, l := range lines {
		s[i] = l.String()
	}
	return strings.Join(s, "\n")
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
