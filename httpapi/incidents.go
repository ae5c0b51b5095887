package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/dora"
	"github.com/slipway-dev/slipway/store"
)

// maxTitle bounds an incident's title, in bytes.
const maxTitle = 200

// openIncident serves POST /v1/incidents: it checks the service, the
// revision and the environment, and records an incident.opened event.
func (h *handler) openIncident(w http.ResponseWriter, r *http.Request) {
	var req api.IncidentRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	in, err := h.checkIncident(req)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	e, err := h.cfg.Envs.Get(in.Env)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	err = e.Store.Update(r.Context(), func(tx store.Tx) error {
		revs, err := knownService(tx, in.Service)
		if err != nil {
			return err
		}
		if in.CausedBy > len(revs) {
			return store.NotFoundf("service %s has no revision %d (revisions 1 to %d)", in.Service, in.CausedBy, len(revs))
		}
		existing, err := incidents(tx)
		if err != nil {
			return err
		}
		e, opened := dora.OpenIncident(existing, in, h.cfg.Clock.Now())
		in = opened
		_, err = tx.AppendEvent(e)
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusCreated, toIncident(in))
}

// checkIncident checks what a request can say about itself.
func (h *handler) checkIncident(req api.IncidentRequest) (dora.Incident, error) {
	env, err := h.environment(req.Env)
	if err != nil {
		return dora.Incident{}, err
	}
	title := strings.TrimSpace(req.Title)
	switch {
	case req.Service == "":
		return dora.Incident{}, store.Invalidf("service: required")
	case req.CausedBy < 0:
		return dora.Incident{}, store.Invalidf("causedBy: want a revision number (1, 2, ...) or none, got %d", req.CausedBy)
	case len(title) > maxTitle:
		return dora.Incident{}, store.Invalidf("title: at most %d bytes, got %d", maxTitle, len(title))
	case strings.IndexFunc(title, unicode.IsControl) >= 0:
		return dora.Incident{}, store.Invalidf("title: one line of text, without control characters")
	}
	return dora.Incident{Service: req.Service, Env: env, CausedBy: req.CausedBy, Title: title}, nil
}

// resolveIncident serves POST /v1/incidents/{id}/resolve.
func (h *handler) resolveIncident(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	var in dora.Incident
	err = h.in(r).Store.Update(r.Context(), func(tx store.Tx) error {
		existing, err := incidents(tx)
		if err != nil {
			return err
		}
		var e store.Event
		if e, in, err = dora.ResolveIncident(existing, id, h.cfg.Clock.Now()); err != nil {
			return err
		}
		_, err = tx.AppendEvent(e)
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, toIncident(in))
}

// listIncidents serves GET /v1/incidents?service=&open=true, oldest
// first.
func (h *handler) listIncidents(w http.ResponseWriter, r *http.Request) {
	service, openOnly := r.URL.Query().Get("service"), r.URL.Query().Get("open") == "true"
	out := []api.Incident{}
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		all, err := incidents(tx)
		for _, in := range all {
			if (service == "" || in.Service == service) && (!openOnly || in.Open()) {
				out = append(out, toIncident(in))
			}
		}
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// incidents reads every incident from the event log.
func incidents(tx store.Tx) ([]dora.Incident, error) {
	evs, err := tx.ListEventsOfType(0, dora.IncidentEventTypes(), 0)
	if err != nil {
		return nil, err
	}
	is, err := dora.Incidents(evs)
	if err != nil {
		return nil, fmt.Errorf("read incidents: %w", err)
	}
	return is, nil
}

func toIncident(in dora.Incident) api.Incident {
	return api.Incident{ID: in.ID, Service: in.Service, Env: in.Env, CausedBy: in.CausedBy, Title: in.Title,
		Opened: in.Opened, Resolved: in.Resolved}
}

// incidentID reads the {id} of an incident path.
func incidentID(r *http.Request) (int, error) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 {
		return 0, badRequest{fmt.Sprintf("incident id: want a positive integer, got %q", r.PathValue("id"))}
	}
	return id, nil
}
