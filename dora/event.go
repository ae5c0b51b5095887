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

// Event types dora reads. The rollout ones are written by package stack
// (operations) and package rollout (the service controller); the
// incident ones by the API, with OpenIncident and ResolveIncident.
const (
	typeRolloutSucceeded   = "service.rollout.succeeded"
	typeRolloutFailed      = "service.rollout.failed"
	typeCanaryRolledBack   = "service.canary.rolled_back"
	typeParallelRolledBack = "service.parallel_run.rolled_back"
	typeRevertStarted      = "service.rollback.started"
	typeRollbackRequested  = "rollback.requested"
	typeServiceRemoved     = "service.removed"
	// TypeIncidentOpened and TypeIncidentResolved record incidents; their
	// Data is an incident's id, environment, cause and title.
	TypeIncidentOpened   = "incident.opened"
	TypeIncidentResolved = "incident.resolved"
)

var eventTypes = []string{
	typeRolloutSucceeded, typeRolloutFailed, typeCanaryRolledBack, typeParallelRolledBack,
	typeRevertStarted, typeRollbackRequested, typeServiceRemoved, TypeIncidentOpened, TypeIncidentResolved,
}

// EventTypes returns the types of event Compute reads; it ignores others.
func EventTypes() []string { return slices.Clone(eventTypes) }

// IncidentEventTypes returns the types of event Incidents reads.
func IncidentEventTypes() []string { return []string{TypeIncidentOpened, TypeIncidentResolved} }

// envOf is the environment of a rollout event: the one whose log it was
// read from (store.Event.Env), DefaultEnvironment when unsaid.
// (Incidents carry theirs in their data.)
func envOf(e store.Event) string {
	if e.Env == "" {
		return DefaultEnvironment
	}
	return e.Env
}

// deployedData is what dora reads of a service.rollout.succeeded event's
// data: the artifact now running, with its commit (package rollout
// writes it).
type deployedData struct {
	Artifact *struct {
		Commit     spec.CommitID         `json:"commit"`
		CommitTime spec.Timestamp        `json:"commitTime"`
		Commits    []spec.ArtifactCommit `json:"commits"`
	} `json:"artifact"`
}

// commitsOf returns the commits a successful rollout event says are now
// running, each with its time: the artifact's own commit first (ok when
// it names one with its time), then the others it carries (a version
// pushed with --git), read from one decoding of the event's data.
func commitsOf(e store.Event) (own commitAt, ok bool, more []commitAt) {
	if len(e.Data) == 0 {
		return own, false, nil
	}
	var d deployedData
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
