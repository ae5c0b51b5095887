package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/spec"
)

// stepView is one canary step in words.
type stepView struct {
	N             int
	Text          string
	Current, Done bool
}

// metricView is one analysis metric: its ticks and latest reason, and
// for a baseline comparison the statistics the verdict rests on.
type metricView struct {
	api.MetricRun
	State   status
	Ticks   template.HTML
	Latest  []measurementView
	Compare *compareView
	Seq     *sequentialView
}

type measurementView struct {
	api.Measurement
	State status
}

type analysisView struct {
	Title   string
	State   status
	Reason  string
	Metrics []metricView
}

// rolloutData is the live part of a service's page.
type rolloutData struct {
	Env, Name string
	Service   api.Service
	State     status
	Steps     []stepView
	Weight    template.HTML
	Rates     template.HTML
	Success   template.HTML
	Latency   template.HTML
	Revs      []revStats
	Analyses  []analysisView
	Verdict   string
	Actions   []action
	Rollback  []action
	Parallel  *parallelView
	Scale     *scaleView
}

func (d *Dashboard) rollout(r *http.Request, se session) (view, error) {
	data, err := d.rolloutData(r.Context(), se, r.URL.Query().Get("env"), r.PathValue("name"))
	return view{Template: "rollout", Title: r.PathValue("name"), Data: data}, err
}

// rolloutData reads the service, its revisions and its router counters.
func (d *Dashboard) rolloutData(ctx context.Context, se session, env, name string) (rolloutData, error) {
	out := rolloutData{Env: env, Name: name}
	if err := d.get(ctx, se, env, "/v1/services/"+esc(name), &out.Service); err != nil {
		return out, err
	}
	var revs []api.Revision
	if err := d.get(ctx, se, env, "/v1/services/"+esc(name)+"/revisions", &revs); err != nil {
		return out, err
	}
	s := out.Service
	out.State = stateOf(s)
	hs := d.serviceHistory(ctx, se, env, name)
	out.Weight, out.Rates = weightChart(hs), sideChart("requests a second by revision", "", hs, s, 1, func(t api.HistoryTraffic) float64 { return t.RequestRate }, true)
	out.Success = sideChart("success rate by revision (percent)", "%", hs, s, 100, func(t api.HistoryTraffic) float64 { return 100 * t.SuccessRate }, false)
	out.Latency = sideChart("p99 latency by revision (ms)", "ms", hs, s, 1, func(t api.HistoryTraffic) float64 { return 1000 * t.P99Seconds }, false)
	out.Revs = revisionStats(hs, s)
	if c := s.Canary; c != nil {
		out.Steps = canarySteps(revs, c)
		out.Analyses = analyses(c)
		out.Verdict = verdictWords(s, c)
		out.Actions = canaryActions(env, s, c)
	}
	if s.Canary == nil || s.Canary.Outcome != "" {
		out.Actions = append(out.Actions, otherActions(env, s)...)
	}
	if p := s.ParallelRun; p != nil {
		out.Parallel = newParallelView(p)
		out.Parallel.Chart = mismatchChart(hs, p.MaxMismatchRate)
		if out.Verdict == "" {
			out.Verdict = parallelWords(p)
		}
	}
	out.Rollback = rollbackActions(env, s, revs)
	out.Scale = d.scaleData(ctx, se, env, s)
	return out, nil
}

// canarySteps lists the candidate revision's steps, the current marked.
func canarySteps(revs []api.Revision, c *api.Canary) []stepView {
	var sp spec.Service
	for _, r := range revs {
		if r.Number == c.Revision {
			_ = json.Unmarshal(r.Spec, &sp)
		}
	}
	var out []stepView
	if sp.Strategy.Canary == nil {
		return out
	}
	for i, st := range sp.Strategy.Canary.Steps {
		out = append(out, stepView{N: i + 1, Text: stepText(st), Current: i == c.Step && c.Outcome == "", Done: i < c.Step || c.Outcome == "Promoted"})
	}
	return out
}

func stepText(st spec.Step) string {
	switch {
	case st.SetWeight != nil:
		return fmt.Sprintf("set weight %d%%", *st.SetWeight)
	case st.Pause != nil && st.Pause.UntilPromoted():
		return "pause until promoted"
	case st.Pause != nil:
		return "pause " + st.Pause.Duration.String()
	case st.Analysis != nil:
		return "analysis"
	case st.SetHeaderRoute != nil:
		return "header route " + st.SetHeaderRoute.Header
	}
	return st.Kind()
}

func weightChart(hs []api.HistoryPoint) template.HTML {
	pts := make([]point, len(hs))
	for i, p := range hs {
		pts[i] = point{p.Time, float64(p.Weight)}
	}
	return lineChart("canary weight over time (percent)", 480, 120, 100, "%", []string{"canary weight"}, pts)
}

func revisionStats(hs []api.HistoryPoint, s api.Service) []revStats {
	out := []revStats{statsOf(hs, s.Stable, "stable")}
	if c := s.Canary; c != nil && c.Revision != s.Stable && c.Outcome == "" {
		out = append(out, statsOf(hs, c.Revision, "canary"))
	}
	return out
}

func analyses(c *api.Canary) []analysisView {
	var out []analysisView
	for _, run := range []*api.AnalysisRun{c.StepAnalysis, c.Analysis} {
		if run == nil {
			continue
		}
		title := "background analysis"
		if run.Step >= 0 {
			title = fmt.Sprintf("analysis of step %d", run.Step+1)
		}
		av := analysisView{Title: title, State: verdictStatus(run.Phase), Reason: run.Reason}
		for _, m := range run.Metrics {
			av.Metrics = append(av.Metrics, newMetricView(m))
		}
		out = append(out, av)
	}
	return out
}

func newMetricView(m api.MetricRun) metricView {
	mv := metricView{MetricRun: m, State: verdictStatus(m.Phase)}
	ticks := make([]tick, len(m.Measurements))
	for i, ms := range m.Measurements {
		ticks[i] = tick{Verdict: measurementStatus(ms), Reason: ms.Reason}
	}
	mv.Ticks = tickStrip(m.Name+" measurements", ticks)
	for i := len(m.Measurements) - 1; i >= 0 && len(mv.Latest) < 3; i-- {
		mv.Latest = append(mv.Latest, measurementView{m.Measurements[i], measurementStatus(m.Measurements[i])})
	}
	mv.Compare, mv.Seq = compareOf(m), sequentialOf(m)
	return mv
}

// measurementStatus words a measurement's verdict; one with no data to
// judge says so, since the tally does not count it (the analysis waits
// for data instead).
func measurementStatus(ms api.Measurement) status {
	st := verdictStatus(ms.Verdict)
	if ms.NoData {
		st.Text += " (no data: not counted)"
	}
	return st
}

func signedPercent(f float64) string {
	return fmt.Sprintf("%+.1f%%", 100*f)
}

// verdictWords says in a sentence where the canary stands and why.
func verdictWords(s api.Service, c *api.Canary) string {
	switch c.Outcome {
	case "Promoted":
		return fmt.Sprintf("Revision %d was promoted: it takes all traffic. %s", c.Revision, c.Reason)
	case "RolledBack":
		return fmt.Sprintf("Revision %d was rolled back; revision %d takes all traffic. Why: %s", c.Revision, c.Stable, orWord(c.Reason, "no reason recorded"))
	}
	if waitsForPerson(c) {
		return fmt.Sprintf("Revision %d is paused at step %d of %d with %d%% of traffic (%s). Promote to go on, or abort to send all traffic back to revision %d.",
			c.Revision, c.Step+1, c.Steps, c.Weight, pauseReason(c), c.Stable)
	}
	return fmt.Sprintf("Revision %d is at step %d of %d with %d%% of traffic; %s.", c.Revision, c.Step+1, c.Steps, c.Weight, analysisWords(c))
}

func analysisWords(c *api.Canary) string {
	run := c.StepAnalysis
	if run == nil {
		run = c.Analysis
	}
	if run == nil {
		return "no analysis judges it"
	}
	words := "the analysis is " + verdictStatus(run.Phase).Text
	if run.Reason != "" {
		words += ": " + run.Reason
	}
	return words
}

// canaryActions are the verbs that make sense for the canary now, each
// naming what the page saw so a stale page gets a conflict.
func canaryActions(env string, s api.Service, c *api.Canary) []action {
	base := "/v1/services/" + esc(s.Name) + "/rollout/"
	seen := seenBody(c, "")
	if c.Outcome != "" {
		if c.Outcome == "RolledBack" {
			return []action{{Label: "Retry", URL: envURL(base+"retry", env), Body: `{}`, Confirm: fmt.Sprintf("Retry the rollout of revision %d?", c.Revision)}}
		}
		return nil
	}
	full := seenBody(c, "")
	full = full[:len(full)-1] + `,"full":true}`
	out := []action{
		{Label: "Promote", URL: envURL(base+"promote", env), Body: seen, Confirm: fmt.Sprintf("End step %d and go on?", c.Step+1)},
		{Label: "Promote fully", URL: envURL(base+"promote", env), Body: full, Confirm: fmt.Sprintf("Skip every remaining step and send all traffic to revision %d?", c.Revision)},
	}
	if c.Paused {
		out = append(out, action{Label: "Resume", URL: envURL(base+"resume", env), Body: seen, Confirm: "Resume the rollout (measure again)?"})
	} else {
		out = append(out, action{Label: "Pause", URL: envURL(base+"pause", env), Body: seenBody(c, "paused from the dashboard"), Confirm: "Pause the rollout where it is?"})
	}
	return append(out, action{Label: "Abort", URL: envURL(base+"abort", env), Body: seenBody(c, "aborted from the dashboard"),
		Confirm: fmt.Sprintf("Abort and send all traffic back to revision %d?", c.Stable), Danger: true})
}

// rollbackActions offer each earlier revision as a rollback target.
func rollbackActions(env string, s api.Service, revs []api.Revision) []action {
	var out []action
	for i := len(revs) - 1; i >= 0 && len(out) < 5; i-- {
		r := revs[i]
		if r.Number == s.Revision {
			continue
		}
		body := fmt.Sprintf(`{"to":%d,"reason":"rolled back from the dashboard"}`, r.Number)
		out = append(out, action{Label: fmt.Sprintf("Roll back to r%d", r.Number), URL: envURL("/v1/services/"+esc(s.Name)+"/rollback", env), Body: body,
			Confirm: fmt.Sprintf("Make revision %d (%s) the target of %s again?", r.Number, orWord(r.Version, "no version"), s.Name), Danger: true})
	}
	return out
}

// otherActions are the verbs of a parallel run in flight (judge now,
// abort) and of a blue/green revision waiting for its switch.
func otherActions(env string, s api.Service) []action {
	base := "/v1/services/" + esc(s.Name) + "/rollout/"
	if p := s.ParallelRun; p != nil && p.Outcome == "" && s.Phase == "Progressing" {
		return []action{
			{Label: "Promote", URL: envURL(base+"promote", env), Body: `{}`, Confirm: fmt.Sprintf("Judge the parallel run of revision %d now, and promote it if it passes?", p.Revision)},
			{Label: "Abort", URL: envURL(base+"abort", env), Body: `{"reason":"aborted from the dashboard"}`, Confirm: fmt.Sprintf("Abort the parallel run and keep revision %d?", p.Stable), Danger: true},
		}
	}
	if t := s.Traffic; t != nil && t.Preview != 0 && s.Phase == "Progressing" {
		return []action{{Label: "Promote", URL: envURL(base+"promote", env), Body: `{}`,
			Confirm: fmt.Sprintf("Switch all traffic from revision %d to revision %d?", t.Active, t.Preview)}}
	}
	return nil
}
