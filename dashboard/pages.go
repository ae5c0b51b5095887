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
	State   status
	Split   string
	Release releaseText
	Kill    []action
}

// flags lists the flags as served, with a kill button each.
func (d *Dashboard) flags(r *http.Request, se session) (view, error) {
	env := r.URL.Query().Get("env")
	var fs []api.Flag
	err := d.get(r.Context(), se, env, "/v1/flags", &fs)
	out := flagsData{Env: env}
	now := d.cfg.Clock.Now()
	for _, f := range fs {
		fv := flagView{Flag: f, State: flagState(f), Split: split(f.Rollout), Release: releaseWords(f.Release, now)}
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
	Env       string
	Report    api.DORA
	Trend     api.DORATrend
	Incidents []incidentView
	Deploys   template.HTML // deployments and change failures a week
	Times     template.HTML // lead time and time to restore a week (hours)
}

// incidentView is an incident with a link to the revision that caused
// it (what changed in it: the spec diff with the one before).
type incidentView struct {
	api.Incident
	Link string
}

// dora shows the four metrics with their levels, the failures and
// incidents linked to the revisions that caused them, and a weekly trend
// (package dora's per-week buckets, each rated on its own).
func (d *Dashboard) dora(r *http.Request, se session) (view, error) {
	env := r.URL.Query().Get("env")
	out := doraData{Env: env}
	ctx := r.Context()
	if err := d.get(ctx, se, env, "/v1/dora?window=90d", &out.Report); err != nil {
		return view{Template: "dora", Title: "Delivery (DORA)", Data: out}, err
	}
	if err := d.get(ctx, se, env, "/v1/dora/trend?weeks=12", &out.Trend); err != nil {
		return view{Template: "dora", Title: "Delivery (DORA)", Data: out}, err
	}
	var incs []api.Incident
	_ = d.get(ctx, se, env, "/v1/incidents", &incs)
	for i := len(incs) - 1; i >= 0; i-- {
		out.Incidents = append(out.Incidents, incidentView{incs[i], revisionLink(env, incs[i].Service, incs[i].CausedBy)})
	}
	var deploys, fails, lead, restore []point
	top, hours := 1.0, 1.0
	for _, w := range out.Trend.Weeks {
		deploys, fails = append(deploys, point{w.To, float64(w.Deployments)}), append(fails, point{w.To, float64(w.ChangeFailures)})
		top = maxf(top, float64(w.Deployments))
		if w.LeadTime.Count > 0 {
			lead = append(lead, point{w.To, w.LeadTime.MedianSeconds / 3600})
			hours = maxf(hours, w.LeadTime.MedianSeconds/3600)
		}
		if w.RecoveryTime.Count > 0 {
			restore = append(restore, point{w.To, w.RecoveryTime.MedianSeconds / 3600})
			hours = maxf(hours, w.RecoveryTime.MedianSeconds/3600)
		}
	}
	out.Deploys = lineChart("deployments and change failures a week", 480, 140, top, "", []string{"deploys", "change failures"}, deploys, fails)
	out.Times = lineChart("median lead time and time to restore a week (hours)", 480, 140, hours, "h", []string{"lead time", "time to restore"}, lead, restore)
	return view{Template: "dora", Title: "Delivery (DORA)", Data: out}, nil
}

// revisionLink is the revisions page showing what revision rev of
// service changed (its spec against the one before), or "".
func revisionLink(env, service string, rev int) string {
	if service == "" || rev <= 0 {
		return ""
	}
	return envURL(fmt.Sprintf("/services/%s/revisions", esc(service)), env) + sep(env) + fmt.Sprintf("a=%d&b=%d", max(rev-1, 1), rev)
}

// sep is what comes before another query parameter of envURL(u, env).
func sep(env string) string {
	if env == "" {
		return "?"
	}
	return "&"
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
