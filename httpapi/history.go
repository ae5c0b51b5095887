package httpapi

import (
	"net/http"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/history"
	"github.com/slipway-dev/slipway/store"
)

// History is an environment's recorded traffic (history.Recorder).
type History interface {
	// Service returns service's points since since; false when none
	// were recorded for it.
	Service(name string, since time.Time) ([]history.Point, bool)
	Router(since time.Time) []history.Point
	Every() time.Duration
}

// serviceHistory serves GET /v1/services/{name}/history?since=RFC3339.
// A service that exists but has no points yet gets an empty list.
func (h *handler) serviceHistory(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	since, hist, err := h.historyQuery(r)
	if err == nil {
		err = h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
			_, err := getService(tx, name)
			return err
		})
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	pts, _ := hist.Service(name, since)
	writeJSON(w, http.StatusOK, toHistory(name, hist.Every(), pts))
}

// routerHistory serves GET /v1/history?since=RFC3339: the environment's
// whole router.
func (h *handler) routerHistory(w http.ResponseWriter, r *http.Request) {
	since, hist, err := h.historyQuery(r)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, toHistory("", hist.Every(), hist.Router(since)))
}

func (h *handler) historyQuery(r *http.Request) (time.Time, History, error) {
	hist := h.in(r).History
	if hist == nil {
		return time.Time{}, nil, store.NotFoundf("environment %q records no traffic history", h.in(r).Name)
	}
	s := r.URL.Query().Get("since")
	if s == "" {
		return time.Time{}, hist, nil
	}
	since, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, nil, badRequest{"since: " + err.Error() + " (want an RFC 3339 time, e.g. 2026-12-07T06:00:00Z)"}
	}
	return since, hist, nil
}

func toHistory(service string, every time.Duration, pts []history.Point) api.History {
	out := api.History{Service: service, EverySeconds: every.Seconds(), Points: make([]api.HistoryPoint, 0, len(pts))}
	for _, p := range pts {
		ap := api.HistoryPoint{Time: p.T, Weight: p.Weight, Revisions: make([]api.HistoryTraffic, 0, len(p.Revisions))}
		if p.Mismatch >= 0 {
			m := p.Mismatch
			ap.Mismatch = &m
		}
		for _, t := range p.Revisions {
			ap.Revisions = append(ap.Revisions, api.HistoryTraffic{Revision: t.Revision, Role: string(t.Role), Requests: t.Requests,
				Errors: t.Errors, RequestRate: t.RequestRate, SuccessRate: t.SuccessRate, P50Seconds: t.P50.Seconds(), P99Seconds: t.P99.Seconds()})
		}
		out.Points = append(out.Points, ap)
	}
	return out
}
