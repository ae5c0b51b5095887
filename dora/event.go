package dora

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// DefaultEnvironment is the one environment every service runs in until
// environments are built; it is production by default.
const DefaultEnvironment = "default"

// eventTypes are the types of event dora reads. The rollout ones are
// written by package stack (operations) and package rollout (the service
// controller); the incident ones by the API, with OpenIncident and
// ResolveIncident.
var eventTypes = []store.EventType{
	store.EventRolloutSucceeded, store.EventRolloutFailed, store.EventCanaryRolledBack,
	store.EventParallelRunRolledBack, store.EventRollbackStarted, store.EventRollbackRequested,
	store.EventServiceRemoved, store.EventIncidentOpened, store.EventIncidentResolved,
}

// EventTypes returns the types of event Compute reads; it ignores others.
func EventTypes() []store.EventType { return slices.Clone(eventTypes) }

// IncidentEventTypes returns the types of event Incidents reads.
func IncidentEventTypes() []store.EventType {
	return []store.EventType{store.EventIncidentOpened, store.EventIncidentResolved}
}

// envOf is the environment of a rollout event: the one whose log it was
// read from (store.Event.Env), DefaultEnvironment when unsaid.
// (Incidents carry theirs in their data.)
func envOf(e store.Event) string {
	if e.Env == "" {
		return DefaultEnvironment
	}
	return e.Env
}

// commitsOf returns the commits a successful rollout event says are now
// running, each with its time: the artifact's own commit first (ok when
// it names one with its time), then the others it carries (a version
// pushed with --git), read from one decoding of the event's data.
func commitsOf(e store.Event) (own commitAt, ok bool, more []commitAt) {
	if len(e.Data) == 0 {
		return own, false, nil
	}
	var d store.RolloutSucceededData
	if json.Unmarshal(e.Data, &d) != nil || d.Artifact == nil {
		return own, false, nil
	}
	a := d.Artifact
	if a.Commit != "" {
		own.id = a.Commit
		own.when, ok = a.CommitTime.Time()
	}
	for _, c := range a.Commits {
		if when, tok := c.Time.Time(); tok && c.ID != a.Commit {
			more = append(more, commitAt{c.ID, when})
		}
	}
	return own, ok, more
}

type commitAt struct {
	id   spec.CommitID
	when time.Time
}
