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

// commitOf returns the commit a successful rollout event says is now
// running, if it names one with its time.
func commitOf(e store.Event) (spec.CommitID, time.Time, bool) {
	if len(e.Data) == 0 {
		return "", time.Time{}, false
	}
	var d deployedData
	if json.Unmarshal(e.Data, &d) != nil || d.Artifact == nil || d.Artifact.Commit == "" {
		return "", time.Time{}, false
	}
	when, ok := d.Artifact.CommitTime.Time()
	return d.Artifact.Commit, when, ok
}

type commitAt struct {
	id   spec.CommitID
	when time.Time
}

// moreCommits returns the commits a successful rollout event's artifact
// carries besides its own commit (a version pushed with --git).
func moreCommits(e store.Event) []commitAt {
	if len(e.Data) == 0 {
		return nil
	}
	var d deployedData
	if json.Unmarshal(e.Data, &d) != nil || d.Artifact == nil {
		return nil
	}
	var out []commitAt
	for _, c := range d.Artifact.Commits {
		if when, ok := c.Time.Time(); ok && c.ID != d.Artifact.Commit {
			out = append(out, commitAt{c.ID, when})
		}
	}
	return out
}
