package dora

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// Incident is a failure in an environment that a person reported,
// because no automatic check caught it. Opened, then resolved:
//
//	(none) --OpenIncident--> open --ResolveIncident--> resolved
type Incident struct {
	ID      int
	Service string
	Env     string
	// CausedBy is the revision of Service that caused it; 0 when the
	// cause is not known (the incident then fails no deployment).
	CausedBy int
	Title    string
	Opened   time.Time
	// Resolved is zero while the incident is open.
	Resolved time.Time
}

// Open reports whether the incident is not resolved yet.
func (i Incident) Open() bool { return i.Resolved.IsZero() }

// Incidents folds incident events (oldest first; others are ignored)
// into incidents, by ID.
func Incidents(events []store.Event) ([]Incident, error) {
	var out []Incident
	byID := map[int]int{}
	for _, e := range events {
		if e.Type != store.EventIncidentOpened && e.Type != store.EventIncidentResolved {
			continue
		}
		var d store.IncidentData
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return nil, fmt.Errorf("event %d (%s): %w", e.Seq, e.Type, err)
		}
		i, seen := byID[d.ID]
		switch {
		case e.Type == store.EventIncidentOpened && !seen:
			byID[d.ID] = len(out)
			out = append(out, Incident{ID: d.ID, Service: e.Service, Env: d.Env, CausedBy: d.CausedBy, Title: d.Title, Opened: e.Time})
		case e.Type == store.EventIncidentResolved && seen && out[i].Open():
			out[i].Resolved = e.Time
		}
	}
	return out, nil
}

// OpenIncident returns the event that records in as a new incident, with
// the next ID after existing (every incident so far) and Opened now, and
// the incident as recorded. The caller checks the service, revision and
// environment exist.
func OpenIncident(existing []Incident, in Incident, now time.Time) (store.Event, Incident) {
	in.ID, in.Opened, in.Resolved = 1, now, time.Time{}
	for _, i := range existing {
		in.ID = max(in.ID, i.ID+1)
	}
	cause := "cause not known"
	if in.CausedBy != 0 {
		cause = fmt.Sprintf("caused by revision %d", in.CausedBy)
	}
	msg := fmt.Sprintf("incident %d opened on %s (%s), %s", in.ID, in.Service, in.Env, cause)
	if in.Title != "" {
		msg += ": " + in.Title
	}
	return incidentEvent(store.EventIncidentOpened, in, now, msg), in
}

// ResolveIncident returns the event that resolves incident id, and the
// incident resolved; an unknown id is a not-found error, a resolved one
// a conflict.
func ResolveIncident(existing []Incident, id int, now time.Time) (store.Event, Incident, error) {
	for _, in := range existing {
		if in.ID != id {
			continue
		}
		if !in.Open() {
			return store.Event{}, in, store.Conflictf("incident %d was already resolved at %s", id, in.Resolved.UTC().Format(time.RFC3339))
		}
		in.Resolved = now
		msg := fmt.Sprintf("incident %d on %s (%s) resolved after %s", id, in.Service, in.Env, now.Sub(in.Opened).Round(time.Second))
		return incidentEvent(store.EventIncidentResolved, in, now, msg), in, nil
	}
	return store.Event{}, Incident{}, store.NotFoundf("incident %d does not exist", id)
}

func incidentEvent(typ store.EventType, in Incident, now time.Time, msg string) store.Event {
	// Marshaling ints and strings cannot fail.
	data, _ := json.Marshal(store.IncidentData{ID: in.ID, Env: in.Env, CausedBy: in.CausedBy, Title: in.Title})
	return store.Event{Time: now, Type: typ, Service: in.Service, Revision: in.CausedBy, Message: msg, Data: data}
}
