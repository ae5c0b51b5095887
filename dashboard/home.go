package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"

	"github.com/slipway-dev/slipway/api"
)

// action is one button: a JSON POST to the API, confirmed first.
type action struct {
	Label   string
	URL     string
	Body    string // JSON
	Confirm string // the question the confirmation asks
	Danger  bool
}

// row is one environment x service of the home table.
type row struct {
	Env      string
	Service  api.Service
	Strategy string
	State    status
	Weights  string
	Bar      bar
	Last     *api.Event
}

// waiting is something a person has to decide, pinned on top.
type waiting struct {
	Env, Service, What string
	Link               string
	Actions            []action
	// Approval is set for a promotion waiting at an approval gate.
	Approval bool
}

// homeData is the home page: what needs a person, then every row.
type homeData struct {
	Waiting []waiting
	Rows    []row
}

func (d *Dashboard) home(r *http.Request, se session) (view, error) {
	data, err := d.homeData(r.Context(), se)
	return view{Template: "home", Title: "What needs me", Data: data}, err
}

// homeData reads every environment's services, their latest events and
// the promotions that wait for an approval.
func (d *Dashboard) homeData(ctx context.Context, se session) (homeData, error) {
	var envs []api.Environment
	if err := d.get(ctx, se, "", "/v1/environments", &envs); err != nil {
		return homeData{}, err
	}
	var out homeData
	seen := map[string]bool{}
	for _, e := range envs {
		var svcs []api.Service
		if err := d.get(ctx, se, e.Name, "/v1/services", &svcs); err != nil {
			return homeData{}, err
		}
		last := d.lastEvents(ctx, se, e.Name, svcs)
		for _, s := range svcs {
			rw := newRow(e.Name, s, last[s.Name])
			out.Rows = append(out.Rows, rw)
			if w, ok := waitingOn(rw); ok {
				out.Waiting = append(out.Waiting, w)
			}
			seen[s.Name] = true
		}
	}
	if len(envs) > 1 { // approval gates sit between environments
		names := make([]string, 0, len(seen))
		for n := range seen {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			out.Waiting = append(out.Waiting, d.approvals(ctx, se, n)...)
		}
		markApprovals(out)
	}
	return out, nil
}

// newRow describes one service in words and a bar.
func newRow(env string, s api.Service, last *api.Event) row {
	return row{Env: env, Service: s, Strategy: strategyOf(s), State: stateOf(s), Weights: weightsOf(s),
		Bar: newBar(s.Ready, s.Desired), Last: last}
}

// strategyOf names the release strategy the service's spec asks for.
func strategyOf(s api.Service) string {
	switch s.Strategy {
	case "canary":
		return "canary"
	case "parallelRun":
		return "parallel run"
	case "blueGreen":
		return "blue/green"
	case "rolling":
		return "rolling"
	}
	return "-" // no revision yet
}

// weightsOf says where the traffic goes.
func weightsOf(s api.Service) string {
	if c := s.Canary; c != nil && c.Outcome == "" {
		return fmt.Sprintf("r%d %d%% / r%d %d%%", c.Stable, 100-c.Weight, c.Revision, c.Weight)
	}
	if t := s.Traffic; t != nil && t.Active != 0 {
		return fmt.Sprintf("r%d 100%%", t.Active)
	}
	if s.Revision == 0 {
		return "none"
	}
	return fmt.Sprintf("r%d 100%%", s.Revision)
}

// waitingOn returns what a row waits for from a person, if anything: a
// paused canary (a pause step, or an inconclusive analysis), or a
// blue/green revision waiting for its switch.
func waitingOn(rw row) (waiting, bool) {
	c := rw.Service.Canary
	if t := rw.Service.Traffic; (c == nil || c.Outcome != "") && t != nil && t.Preview != 0 && rw.Service.Phase == "Progressing" &&
		rw.Service.Ready >= rw.Service.Desired {
		return waiting{Env: rw.Env, Service: rw.Service.Name, Link: serviceLink(rw.Env, rw.Service.Name),
			What:    fmt.Sprintf("blue/green r%d is ready behind the preview header, waiting for the switch from r%d", t.Preview, t.Active),
			Actions: otherActions(rw.Env, rw.Service)}, true
	}
	if c == nil || !waitsForPerson(c) {
		return waiting{}, false
	}
	base := "/v1/services/" + esc(rw.Service.Name) + "/rollout/"
	seen := seenBody(c, "")
	w := waiting{Env: rw.Env, Service: rw.Service.Name, Link: serviceLink(rw.Env, rw.Service.Name),
		What: fmt.Sprintf("canary r%d paused at step %d of %d: %s", c.Revision, c.Step+1, c.Steps, pauseReason(c))}
	w.Actions = []action{
		{Label: "Promote", URL: envURL(base+"promote", rw.Env), Body: seen, Confirm: "Promote " + rw.Service.Name + " to its next step?"},
		{Label: "Abort", URL: envURL(base+"abort", rw.Env), Body: seenBody(c, "aborted from the dashboard"), Confirm: "Abort the rollout of " + rw.Service.Name + " and roll back to r" + strconv.Itoa(c.Stable) + "?", Danger: true},
	}
	return w, true
}

// approvals returns the promotions of service that wait for a person's
// approval, with approve and reject buttons.
func (d *Dashboard) approvals(ctx context.Context, se session, service string) []waiting {
	var pl api.Pipeline
	if err := d.get(ctx, se, "", "/v1/pipeline/"+esc(service), &pl); err != nil {
		return nil // no pipeline for it: nothing to approve
	}
	var out []waiting
	for _, st := range pl.Stages {
		p := st.Promotion
		if p == nil || p.State != "Waiting" || !awaitsApproval(p) {
			continue
		}
		u := envURL("/v1/services/"+esc(service)+"/approve", p.To)
		out = append(out, waiting{Env: p.To, Service: service, Link: "/pipeline/" + esc(service), Approval: true,
			What: fmt.Sprintf("version %s from %s waits for an approval to enter %s", p.Version, orWord(p.From, "a push"), p.To),
			Actions: []action{
				{Label: "Approve", URL: u, Body: `{}`, Confirm: "Approve " + service + " " + p.Version + " into " + p.To + "?"},
				{Label: "Reject", URL: u, Body: `{"reject":true,"reason":"rejected from the dashboard"}`, Confirm: "Reject " + service + " " + p.Version + " for " + p.To + "?", Danger: true},
			}})
	}
	return out
}

func awaitsApproval(p *api.Promotion) bool {
	for _, g := range p.Gates {
		if g.Kind == "approval" && g.State != "Passed" && g.State != "Failed" {
			return true
		}
	}
	return false
}

// seenBody is a rollout verb's body that names the revision and step
// the page showed, so that the API refuses it once the rollout moved.
func seenBody(c *api.Canary, reason string) string {
	b, _ := json.Marshal(api.RolloutRequest{IfRevision: c.Revision, IfStep: &c.Step, Reason: reason})
	return string(b)
}

// lastEvents returns each service's newest event: one index search per
// service (GET /v1/events?order=newest&service=S&limit=1), however long
// the log.
func (d *Dashboard) lastEvents(ctx context.Context, se session, env string, svcs []api.Service) map[string]*api.Event {
	out := map[string]*api.Event{}
	for _, s := range svcs {
		var evs []api.Event
		if err := d.get(ctx, se, env, "/v1/events?order=newest&limit=1&service="+url.QueryEscape(s.Name), &evs); err == nil && len(evs) == 1 {
			out[s.Name] = &evs[0]
		}
	}
	return out
}

// newestEvents returns the environment's newest n events, oldest first.
func (d *Dashboard) newestEvents(ctx context.Context, se session, env, service string, n int) ([]api.Event, error) {
	var evs []api.Event
	q := fmt.Sprintf("/v1/events?order=newest&limit=%d", n)
	if service != "" {
		q += "&service=" + url.QueryEscape(service)
	}
	err := d.get(ctx, se, env, q, &evs)
	slices.Reverse(evs)
	return evs, err
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// envURL adds ?env= to a URL when the environment is named.
func envURL(u, env string) string {
	if env == "" {
		return u
	}
	return u + "?env=" + esc(env)
}

func serviceLink(env, name string) string { return envURL("/services/"+esc(name), env) }

// markApprovals says "waiting for approval" on the rows of the services
// and environments whose promotion waits for one.
func markApprovals(h homeData) {
	for _, w := range h.Waiting {
		if !w.Approval {
			continue
		}
		for i := range h.Rows {
			if r := &h.Rows[i]; r.Env == w.Env && r.Service.Name == w.Service {
				r.State = status{"waiting for approval", "wait"}
			}
		}
	}
}
