package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/dora"
	"github.com/slipway-dev/slipway/store"
)

// production is the production environment's name.
func (h *handler) production() string { return h.cfg.Envs.Production() }

// environments are the environments the server hosts.
func (h *handler) environments() []string {
	var out []string
	for _, e := range h.cfg.Envs.List() {
		out = append(out, e.Name)
	}
	return out
}

// environment checks a requested environment ("" = production).
func (h *handler) environment(env string) (string, error) {
	if env == "" {
		return h.production(), nil
	}
	if !slices.Contains(h.environments(), env) {
		return "", store.Invalidf("unknown environment %q (environments: %s)", env, strings.Join(h.environments(), ", "))
	}
	return env, nil
}

// knownService checks that a service exists or once did (its revisions
// stay after it is removed).
func knownService(tx store.Tx, name string) ([]store.Revision, error) {
	revs, err := tx.ListRevisions(name)
	if err == nil && len(revs) == 0 {
		err = store.NotFoundf("service %q does not exist", name)
	}
	return revs, err
}

// dora serves GET /v1/dora?service=&env=&window=90d.
func (h *handler) dora(w http.ResponseWriter, r *http.Request) {
	h.withDoraLog(w, r, func(l *dora.Log, q dora.Query, window time.Duration) any {
		return toDORA(l.Report(q), window)
	})
}

// withDoraLog brings the asked environment's DORA replay up to date
// (only the events appended since the last read) and answers what fn
// makes of it.
func (h *handler) withDoraLog(w http.ResponseWriter, r *http.Request, fn func(l *dora.Log, q dora.Query, window time.Duration) any) {
	q, window, err := h.doraQuery(r)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	e, err := h.cfg.Envs.Get(q.Env)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	l := h.doraLogs.of(q.Env)
	l.mu.Lock()
	defer l.mu.Unlock()
	err = e.Store.View(r.Context(), func(tx store.Tx) error {
		if q.Service != "" {
			if _, err := knownService(tx, q.Service); err != nil {
				return err
			}
		}
		// Only what was appended since the last read: the replay of
		// the rest is kept (dora.Log).
		evs, err := tx.ListEventsOfType(l.log.Seq(), dora.EventTypes(), 0)
		for i := range evs {
			evs[i].Env = q.Env
		}
		l.log.Add(evs)
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, fn(l.log, q, window))
}

// doraTrend serves GET /v1/dora/trend?weeks=12&service=&env=.
func (h *handler) doraTrend(w http.ResponseWriter, r *http.Request) {
	weeks, err := queryInt(r, "weeks", 12)
	if err == nil && (weeks < 1 || weeks > dora.MaxWeeks) {
		err = badRequest{fmt.Sprintf("weeks: %d is not within 1..%d", weeks, dora.MaxWeeks)}
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	h.withDoraLog(w, r, func(l *dora.Log, q dora.Query, _ time.Duration) any {
		out := api.DORATrend{Env: q.Env, Production: q.Production, Weeks: []api.DORAWeek{}}
		for _, wk := range l.Trend(q, int(weeks)) {
			out.Weeks = append(out.Weeks, api.DORAWeek{From: wk.From, To: wk.To, DORAMetrics: toDORAMetrics(wk.Metrics)})
		}
		return out
	})
}

// doraLogs keeps each environment's DORA replay between reads.
type doraLogs struct {
	mu sync.Mutex // guards m
	m  map[string]*doraLog
}

// doraLog is one environment's replay; mu serializes its reads.
type doraLog struct {
	mu  sync.Mutex
	log *dora.Log
}

func (d *doraLogs) of(env string) *doraLog {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]*doraLog{}
	}
	l, ok := d.m[env]
	if !ok {
		l = &doraLog{log: dora.NewLog(env)}
		d.m[env] = l
	}
	return l
}

func (h *handler) doraQuery(r *http.Request) (dora.Query, time.Duration, error) {
	v := r.URL.Query()
	window := dora.DefaultWindow
	if s := v.Get("window"); s != "" {
		var err error
		if window, err = dora.ParseWindow(s); err != nil {
			return dora.Query{}, 0, badRequest{err.Error()}
		}
	}
	env, err := h.environment(v.Get("env"))
	if err != nil {
		return dora.Query{}, 0, err
	}
	now := h.cfg.Clock.Now()
	return dora.Query{Service: v.Get("service"), Env: env, Production: h.production(), From: now.Add(-window), To: now}, window, nil
}

func toDORA(r dora.Report, window time.Duration) api.DORA {
	out := api.DORA{Env: r.Env, Production: r.Production, Window: dora.FormatWindow(window), From: r.From, To: r.To,
		LevelsYear: dora.LevelsYear, LevelsSource: dora.LevelsSource, Total: toDORAMetrics(r.Total), Services: []api.DORAService{}}
	for _, s := range r.Services {
		out.Services = append(out.Services, api.DORAService{Service: s.Service, DORAMetrics: toDORAMetrics(s.Metrics)})
	}
	return out
}

func toDORAMetrics(m dora.Metrics) api.DORAMetrics {
	out := api.DORAMetrics{
		Deployments: m.Deployments, DeploymentsPerDay: m.PerDay, DeploymentsPerWeek: m.PerWeek,
		LeadTime: toDurations(m.LeadTime), Changes: m.Changes, ChangeFailures: m.ChangeFailures,
		ChangeFailureRate: m.ChangeFailureRate, RecoveryTime: toDurations(m.Recovery), Unrecovered: m.Unrecovered,
		Incidents: m.Incidents, UnlinkedIncidents: m.Unlinked, Level: m.Ratings.Overall.String(),
		Levels: api.DORALevels{
			DeploymentFrequency: m.Ratings.DeploymentFrequency.String(), LeadTime: m.Ratings.LeadTime.String(),
			ChangeFailureRate: m.Ratings.ChangeFailureRate.String(), RecoveryTime: m.Ratings.RecoveryTime.String(),
		},
		Failures: []api.DORAFailure{},
	}
	for _, f := range m.Failures {
		af := api.DORAFailure{Service: f.Service, Revision: f.Revision, Cause: f.Cause.String(), Incident: f.Incident,
			Started: f.Start, Recovered: f.Recovered, RecoveredBy: f.RecoveredBy.String()}
		if d, ok := f.RecoveryTime(); ok {
			af.RecoverySeconds = d.Seconds()
		}
		out.Failures = append(out.Failures, af)
	}
	return out
}

func toDurations(d dora.Durations) api.DORADurations {
	return api.DORADurations{Count: d.Count, MedianSeconds: d.Median.Seconds(), P90Seconds: d.P90.Seconds()}
}
