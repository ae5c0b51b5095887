package cli_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// fast makes `rollout watch` poll as fast as the fake answers.
const fast = "--interval=1ms"

// leadingTime matches the time each watch line starts with: some lines
// carry the time they were seen (the wall clock), so these tests blank
// it; rollout_observe_test.go checks the times on a fixed clock.
var leadingTime = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  `)

func blankTimes(s string) string { return leadingTime.ReplaceAllString(s, "T  ") }

// withCanary is runningOrder with edits to its canary.
func withCanary(edits ...func(*api.Canary)) api.Service {
	s := runningOrder()
	for _, edit := range edits {
		edit(s.Canary)
	}
	return s
}

// The successive states of order's canary, as edits of runningOrder.
func measured(c *api.Canary) {
	sr := &c.Analysis.Metrics[0]
	sr.Passes, sr.Taken = 3, 3
	sr.Measurements = append(sr.Measurements, api.Measurement{Time: at(80), Value: 0.991, Samples: 1, Verdict: "pass",
		Reason: "success-rate 0.991 meets result >= 0.99"})
}

func stepped(c *api.Canary) {
	c.Step, c.StepName, c.StepStarted, c.Weight = 2, "setWeight: 50", at(90), 50
	lat := &c.Analysis.Metrics[1]
	lat.Failures, lat.Taken = 1, 3
	lat.Measurements = append(lat.Measurements, withTime(latencyWorse, at(85)))
}

func promotedStep(c *api.Canary) {
	c.StepAnalysis = promotedOrder().Canary.StepAnalysis
	c.Step, c.StepName, c.Weight, c.Full = 5, "", 100, true
	c.Outcome, c.Reason, c.Ended = "Promoted", "every step passed; analysis: 2 metrics, 6 measurements passed", at(300)
}

func TestWatchUntilPromoted(t *testing.T) {
	f, url := newFake(t)
	f.polls = []api.Service{
		withCanary(),
		withCanary(), // nothing new: nothing printed
		withCanary(measured),
		withCanary(measured, stepped),
		withCanary(measured, stepped, promotedStep),
	}
	res := run(t, url, "rollout", "watch", "order", fast)
	want := `T  watching the canary r3 of order (stable r2); Ctrl-C stops the watch, not the canary
T  [background] success-rate 0.993 >= 0.99 pass
T  [background] latency p=0.41 effect +2% pass
T  step 2/5 setWeight: 20; stable r2 80% / canary r3 20%
T  [background] success-rate 0.991 >= 0.99 pass
T  [background] latency p=0.003 effect +128% fail: latency 12.1 vs baseline 5.3 (+128%, p=0.003 < 0.05): worse by more than the 50% allowed
T  step 3/5 setWeight: 50; stable r2 50% / canary r3 50%
T  [step 4] success-rate 0.995 >= 0.99 pass
T  [step 4] success-rate 0.993 >= 0.99 pass
T  [step 4] success-rate 0.995 >= 0.99 pass
T  analysis step 4 successful: success-rate: 3 of 3 measurements passed, within limits
T  promoted: every step passed; analysis: 2 metrics, 6 measurements passed
`
	if got := blankTimes(res.stdout); res.code != 0 || got != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, got, want)
	}
}

func TestWatchUntilRolledBack(t *testing.T) {
	f, url := newFake(t)
	f.polls = []api.Service{runningOrder(), rolledBackOrder()}
	res := run(t, url, "rollout", "watch", "order", fast)
	const reason = "analysis failed: success-rate: 2 measurements failed, more than the 1 failure allowed; " +
		"last: success-rate 0.7 does not meet result >= 0.99"
	wantOut := `T  watching the canary r3 of order (stable r2); Ctrl-C stops the watch, not the canary
T  [background] success-rate 0.993 >= 0.99 pass
T  [background] latency p=0.41 effect +2% pass
T  step 2/5 setWeight: 20; stable r2 80% / canary r3 20%
T  [background] success-rate 0.8 >= 0.99 fail: success-rate 0.8 does not meet result >= 0.99
T  [background] success-rate 0.7 >= 0.99 fail: success-rate 0.7 does not meet result >= 0.99
T  background analysis failed: ` + reason[len("analysis failed: "):] + `
T  rolled back: ` + reason + `
`
	wantErr := "error: the canary r3 of order was rolled back: " + reason + `; see "slipway rollout explain order"` + "\n"
	if got := blankTimes(res.stdout); res.code != 1 || got != wantOut || res.stderr != wantErr {
		t.Fatalf("exit %d, stdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", res.code, got, wantOut, res.stderr, wantErr)
	}
}

func TestWatchWithoutACanary(t *testing.T) {
	tests := []struct {
		name string
		svc  api.Service
		want string
	}{
		{"rolled back", rolledBackOrder(), "error: service order has no canary in flight: its canary of revision 3 was rolled back " +
			"(analysis failed: success-rate: 2 measurements failed, more than the 1 failure allowed; last: success-rate 0.7 does not meet result >= 0.99); " +
			"to try it again: slipway rollout retry order\n"},
		{"promoted", promotedOrder(), "error: service order has no canary in flight: its canary of revision 3 was promoted\n"},
		{"another strategy", shopServices[0], "error: service invoice has no canary in flight: its rollout of revision 3 does not use the canary strategy\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFake(t)
			f.services = []api.Service{tc.svc}
			res := run(t, url, "rollout", "watch", tc.svc.Name, fast)
			if res.code != 1 || res.stdout != "" || res.stderr != tc.want {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", res.code, res.stdout, res.stderr, tc.want)
			}
			// One look at the service, one at the active operations: none
			// is about to start a rollout of it, so nothing to wait for.
			if len(f.calls) != 2 || f.calls[1] != "GET /v1/operations" {
				t.Errorf("calls %v: want the one look and no waiting", f.calls)
			}
		})
	}
}

func TestWatchCanaryReplaced(t *testing.T) {
	f, url := newFake(t)
	next := runningOrder()
	next.Revision, next.Stable, next.Canary.Revision, next.Canary.Stable = 4, 2, 4, 2
	f.polls = []api.Service{runningOrder(), next}
	res := run(t, url, "rollout", "watch", "order", fast)
	want := `error: the canary r3 of order is no longer in view: the service now targets revision 4 ` +
		`(Progressing: canary revision 3 at 20%: step 2/5 setWeight: 20); see "slipway rollout status order"` + "\n"
	if res.code != 1 || res.stderr != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", res.code, res.stderr, want)
	}
}

// TestWatchInterrupted stops a watch whose canary goes on: Ctrl-C is an
// interruption, not the canary's end.
func TestWatchInterrupted(t *testing.T) {
	f, url := newFake(t)
	f.polls = []api.Service{runningOrder()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	polls := 0
	f.onService = func() {
		if polls++; polls == 3 {
			cancel()
		}
	}
	res := runCtx(ctx, t, url, "rollout", "watch", "order", fast)
	if res.code != 130 || !strings.HasPrefix(res.stderr, "interrupted: stopped watching; the canary of order goes on") {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	if strings.Count(res.stdout, "\n") != 4 {
		t.Errorf("an unchanged canary printed more than its first look:\n%s", res.stdout)
	}
}

func TestWatchBadInterval(t *testing.T) {
	f, url := newFake(t)
	f.services = []api.Service{runningOrder()}
	res := run(t, url, "rollout", "watch", "order", "--interval", "0s")
	if res.code != 1 || res.stderr != "error: --interval must be positive, not 0s\n" || len(f.calls) != 0 {
		t.Fatalf("exit %d, stderr %q, calls %v", res.code, res.stderr, f.calls)
	}
}

// analysingOrder is order at its analysis step 4/5 (started at 50 s),
// whose step analysis measures success-rate, a metric the background
// analysis measures too: bg and step are the success-rate measurements
// each run has taken (latency, background only, stays as it was).
func analysingOrder(bg, step []api.Measurement) api.Service {
	s := runningOrder()
	c := s.Canary
	c.Step, c.StepName, c.StepStarted, c.Weight = 3, "analysis: 3 passing measurements per metric", at(50), 50
	sr := &c.Analysis.Metrics[0]
	sr.Measurements, sr.Taken, sr.Passes = bg, len(bg), len(bg)
	c.StepAnalysis = &api.AnalysisRun{Step: 3, Phase: "running", Started: at(50), Metrics: []api.MetricRun{
		{Name: "success-rate", Provider: "router", Judge: "result >= 0.99", Phase: "running", Passes: len(step), Taken: len(step),
			Measurements: step}}}
	return s
}

// TestWatchSharedMetric follows a canary whose background analysis and
// analysis step both measure success-rate: each measurement is printed
// once, labelled with the analysis that took it; the reading both runs
// took at the same pass (same time, same answer) is one line labelled
// with both, not the same line twice.
func TestWatchSharedMetric(t *testing.T) {
	ok991, ok994 := withTime(ok993, at(80)), withTime(ok995, at(100))
	ok991.Value, ok991.Reason = 0.991, "success-rate 0.991 meets result >= 0.99"
	ok994.Value, ok994.Reason = 0.994, "success-rate 0.994 meets result >= 0.99"
	ok992 := withTime(ok991, at(100))
	ok992.Value, ok992.Reason = 0.992, "success-rate 0.992 meets result >= 0.99"
	last := func() api.Service {
		// Asked apart, the provider may answer each run differently.
		return analysingOrder([]api.Measurement{ok995, ok993, ok991, ok992}, []api.Measurement{ok993, ok991, ok994})
	}
	f, url := newFake(t)
	f.polls = []api.Service{
		analysingOrder([]api.Measurement{ok995, ok993}, []api.Measurement{ok993}),
		analysingOrder([]api.Measurement{ok995, ok993, ok991}, []api.Measurement{ok993, ok991}),
		last(),
		promoted(last()),
	}
	res := run(t, url, "rollout", "watch", "order", fast)
	want := `T  watching the canary r3 of order (stable r2); Ctrl-C stops the watch, not the canary
T  [background, step 4] success-rate 0.993 >= 0.99 pass
T  [background] latency p=0.41 effect +2% pass
T  step 4/5 analysis: 3 passing measurements per metric; stable r2 50% / canary r3 50%
T  [background, step 4] success-rate 0.991 >= 0.99 pass
T  [background] success-rate 0.992 >= 0.99 pass
T  [step 4] success-rate 0.994 >= 0.99 pass
T  analysis step 4 successful: success-rate: 3 of 3 measurements passed, within limits
T  promoted: every step passed
`
	if got := blankTimes(res.stdout); res.code != 0 || got != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, got, want)
	}
}

// promoted is s after its analysis step passed and its canary was
// promoted.
func promoted(s api.Service) api.Service {
	c := s.Canary
	r := c.StepAnalysis
	r.Phase, r.Reason, r.Ended = "successful", "success-rate: 3 of 3 measurements passed, within limits", at(100)
	c.Step, c.StepName, c.Weight, c.Full = 5, "", 100, true
	c.Outcome, c.Reason, c.Ended = "Promoted", "every step passed", at(110)
	return s
}
