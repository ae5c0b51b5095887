package dashboard

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
)

type pipelineData struct {
	Pipeline api.Pipeline
	Grid     []gridRow
	Waiting  []waiting
	Now      time.Time
}

// pipeline shows a service's versions across environments: the gate
// each waits on, bake countdowns, how long each step took.
func (d *Dashboard) pipeline(r *http.Request, se session) (view, error) {
	name := r.PathValue("name")
	out := pipelineData{Now: d.cfg.Clock.Now()}
	err := d.get(r.Context(), se, "", "/v1/pipeline/"+esc(name), &out.Pipeline)
	out.Grid = pipelineGrid(out.Pipeline, out.Now)
	out.Waiting = d.approvals(r.Context(), se, name)
	return view{Template: "pipeline", Title: name + ": pipeline", Data: out}, err
}

// bakeLeft says how long a running bake gate has left, from its spec
// ("bake 10m") and when it started.
func bakeLeft(g api.Gate, now time.Time) string {
	if g.Kind != "bake" || g.State != "Running" || g.StartedAt.IsZero() {
		return ""
	}
	d, err := time.ParseDuration(strings.TrimSpace(strings.TrimPrefix(g.Spec, "bake")))
	if err != nil {
		return ""
	}
	left := g.StartedAt.Add(d).Sub(now).Round(time.Second)
	return fmt.Sprintf("%s left of %s", max(left, 0), d)
}

type flagsData struct {
	Env   string
	Flags []flagView
}

type flagView struct {
	api.Flag
	State status
	Split string
	Bake  string
	Kill  []action
}

// flags lists the flags as served, with a kill button each.
func (d *Dashboard) flags(r *http.Request, se session) (view, error) {
	env := r.URL.Query().Get("env")
	var fs []api.Flag
	err := d.get(r.Context(), se, env, "/v1/flags", &fs)
	out := flagsData{Env: env}
	now := d.cfg.Clock.Now()
	for _, f := range fs {
		fv := flagView{Flag: f, State: flagState(f), Split: split(f.Rollout)}
		if rel := f.Release; rel != nil && rel.Outcome == "" {
			fv.Bake = fmt.Sprintf("step %d of %d at %s%%, %s on this step", rel.Step+1, rel.Steps, trimFloat(rel.Percent), now.Sub(rel.StepStarted).Round(time.Second))
		}
		if !f.Killed {
			fv.Kill = []action{{Label: "Kill", URL: envURL("/v1/flags/"+esc(f.Key)+"/kill", env), Body: `{"reason":"killed from the dashboard"}`,
				Confirm: "Kill flag " + f.Key + "? Everyone gets its off variant at once.", Danger: true}}
		}
		out.Flags = append(out.Flags, fv)
	}
	return view{Template: "flags", Title: "Flags", Data: out}, err
}

func flagState(f api.Flag) status {
	switch {
	case f.Killed:
		return status{"killed", "bad"}
	case !f.Enabled:
		return status{"disabled", "idle"}
	case f.Release != nil && f.Release.Outcome == "":
		return status{"releasing", "busy"}
	}
	return status{"enabled", "ok"}
}

func split(m map[string]float64) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %s%%", k, trimFloat(v)))
	}
	return strings.Join(parts, ", ")
}

type doraData struct {
	Report api.DORA
	Trend  template.HTML
	Weeks  []week
}

type week struct {
	Label             string
	Deploys, Failures int
}

// dora shows the four metrics with their levels and a weekly trend of
// deployments and change failures (the API reports windows ending now,
// so a week is the difference of two windows).
func (d *Dashboard) dora(r *http.Request, se session) (view, error) {
	env := r.URL.Query().Get("env")
	var out doraData
	if err := d.get(r.Context(), se, env, "/v1/dora?window=90d", &out.Report); err != nil {
		return view{Template: "dora", Title: "Delivery (DORA)", Data: out}, err
	}
	now := d.cfg.Clock.Now()
	prev := api.DORA{}
	var deploys, fails []point
	for k := 1; k <= 8; k++ {
		var cur api.DORA
		if err := d.get(r.Context(), se, env, fmt.Sprintf("/v1/dora?window=%dd", 7*k), &cur); err != nil {
			break
		}
		w := week{Label: now.AddDate(0, 0, -7*k).Format("Jan 2"), Deploys: cur.Total.Deployments - prev.Total.Deployments,
			Failures: cur.Total.ChangeFailures - prev.Total.ChangeFailures}
		out.Weeks = append([]week{w}, out.Weeks...)
		prev = cur
	}
	top := 1.0
	for i, w := range out.Weeks {
		t := now.AddDate(0, 0, 7*(i-len(out.Weeks)))
		deploys, fails = append(deploys, point{t, float64(w.Deploys)}), append(fails, point{t, float64(w.Failures)})
		top = maxf(top, float64(w.Deploys))
	}
	out.Trend = lineChart("deployments and change failures a week", 480, 140, top, "", []string{"deploys", "failures"}, deploys, fails)
	return view{Template: "dora", Title: "Delivery (DORA)", Data: out}, nil
}

func duration(secs float64) string {
	switch {
	case secs == 0:
		return "-"
	case secs < 1:
		return "under 1s"
	}
	return (time.Duration(secs) * time.Second).String()
}
