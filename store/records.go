package store

import (
	"encoding/json"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// App is the applied app spec as a whole.
type App struct {
	// StoreVersion is the store's version of the record (version.go).
	StoreVersion int64  `json:"-"`
	Name         string `json:"name"`
	// Spec is the YAML text last applied, as the user wrote it.
	Spec string `json:"spec"`
	// File is the name the spec was applied from (for messages).
	File string `json:"file"`
	// Dir is the spec file's directory on the client's machine, where
	// promotion gates' test commands run (absolute; "" when unknown).
	Dir       string    `json:"dir,omitempty"`
	AppliedAt time.Time `json:"appliedAt"`
}

// Service is a service's desired state.
type Service struct {
	// StoreVersion is the store's version of the record (version.go).
	StoreVersion int64  `json:"-"`
	Name         string `json:"name"`
	// Revision is the revision the service should converge to (the target).
	Revision int `json:"revision"`
	// Stable is the last revision that fully converged (0 = none yet).
	Stable int `json:"stable"`
	// Phase is where the service's rollout stands.
	Phase Phase `json:"phase"`
	// Message explains the phase (why it failed, what it waits for).
	Message string `json:"message,omitempty"`
	// Removed means the service left the spec: stop every instance, then
	// delete the record.
	Removed bool `json:"removed,omitempty"`
	// Deadline is when the current rollout fails if not converged.
	Deadline time.Time `json:"deadline,omitempty"`
	// Traffic says which revisions take live traffic.
	Traffic Traffic `json:"traffic"`
	// Promote is set by `slipway rollout promote` (and by rollbacks): the
	// target takes the traffic as soon as it is ready.
	Promote bool `json:"promote,omitempty"`
	// Keep is a revision kept running beside the target (blue/green's
	// previous one), until KeepUntil when that is set.
	Keep      int       `json:"keep,omitempty"`
	KeepUntil time.Time `json:"keepUntil,omitempty"`
	// Failure says why the last rollout failed (Phase Failed).
	Failure *Failure `json:"failure,omitempty"`
	// Canary is the latest canary rollout of the service (canary.go):
	// in flight while its Outcome is empty.
	Canary *Canary `json:"canary,omitempty"`
	// ParallelRun is the latest parallel run of the service
	// (parallelrun.go): in flight while its Outcome is empty.
	ParallelRun *ParallelRun `json:"parallelRun,omitempty"`
	// Autoscale is the count the autoscaler set (autoscale.go); nil
	// when it never did.
	Autoscale *Autoscale `json:"autoscale,omitempty"`
	// Operation that set the current target.
	Operation int64     `json:"operation,omitempty"`
	UpdatedAt time.Time `json:"updatedAt"`
	// RestartedAt, when set, is when a person asked for a rolling restart
	// (slipway restart): target-revision instances created before it are
	// replaced like those of an old revision. Not a new revision.
	RestartedAt time.Time `json:"restartedAt,omitzero"`
	// Scale, when set, is the instances a person asked for at run time
	// (slipway scale), in force instead of the revision's until an apply
	// changes the spec's instances.
	Scale *int `json:"scale,omitempty"`
}

// Traffic is how the router splits a service's requests.
type Traffic struct {
	// Active is the revision that takes live traffic; 0 means every
	// ready instance whatever its revision (a rolling update).
	Active int `json:"active,omitempty"`
	// Preview is a revision reachable only with PreviewHeader carrying
	// PreviewSecret exactly: a random value drawn when the blue/green
	// rollout starts. Without a secret the preview is unreachable.
	Preview       int    `json:"preview,omitempty"`
	PreviewHeader string `json:"previewHeader,omitempty"`
	PreviewSecret string `json:"previewSecret,omitempty"`
	// Canary takes Weight percent of the traffic beside Active (a canary
	// rollout); requests carrying CanaryHeader (with CanaryValue, when
	// set) go to it at any weight. Sticky keeps users on their side.
	Canary       int              `json:"canary,omitempty"`
	Weight       int              `json:"weight,omitempty"`
	CanaryHeader string           `json:"canaryHeader,omitempty"`
	CanaryValue  string           `json:"canaryValue,omitempty"`
	Sticky       *spec.Stickiness `json:"sticky,omitempty"`
	// Mirror is a revision that gets a copy of MirrorPercent of the
	// requests (a parallel run); it answers no user. MirrorUnsafe copies
	// POST, PUT, PATCH and DELETE too.
	Mirror        int  `json:"mirror,omitempty"`
	MirrorPercent int  `json:"mirrorPercent,omitempty"`
	MirrorUnsafe  bool `json:"mirrorUnsafe,omitempty"`
}

// Revision is an immutable, numbered snapshot of a service's spec.
type Revision struct {
	Service string `json:"service"`
	Number  int    `json:"number"`
	// Spec is the effective (defaulted) service spec; Artifact.Digest is
	// set when the service has an artifact.
	Spec      spec.Service  `json:"spec"`
	State     RevisionState `json:"state"`
	Reason    string        `json:"reason,omitempty"`
	CreatedAt time.Time     `json:"createdAt"`
}

// Instance is the record of one running copy of a revision. The process
// itself is observed through the workload driver; this record is what
// should exist and what was seen last.
type Instance struct {
	// StoreVersion is the store's version of the record (version.go).
	StoreVersion int64         `json:"-"`
	ID           string        `json:"id"`
	Service      string        `json:"service"`
	Revision     int           `json:"revision"`
	Port         int           `json:"port"`
	State        InstanceState `json:"state"`
	// PID and StartTime (kernel clock ticks since boot, from
	// /proc/PID/stat) identify the process; both 0 when none runs.
	PID       int    `json:"pid"`
	StartTime uint64 `json:"startTime"`
	Ready     bool   `json:"ready"`
	// ReadySince is when the instance last became ready.
	ReadySince time.Time `json:"readySince,omitempty"`
	// Restarts counts every restart; Crashes only the consecutive quick
	// ones, which set the backoff (reset once an instance stays up).
	Restarts int `json:"restarts"`
	Crashes  int `json:"crashes,omitempty"`
	// NextStart is when a backed-off instance may start again.
	NextStart time.Time `json:"nextStart,omitempty"`
	// LastExit describes how the process last ended.
	LastExit string `json:"lastExit,omitempty"`
	// Message is the latest health or lifecycle detail.
	Message   string    `json:"message,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	StartedAt time.Time `json:"startedAt,omitempty"`
}

// Operation is one apply (or rollback) of the whole app: a stack change
// that converges every changed service or reverts them all.
type Operation struct {
	// StoreVersion is the store's version of the record (version.go).
	StoreVersion int64          `json:"-"`
	ID           int64          `json:"id"`
	Kind         OperationKind  `json:"kind"`
	State        OperationState `json:"state"`
	Changes      []Change       `json:"changes"`
	Message      string         `json:"message,omitempty"`
	// Failure names the service and instance that failed, and why.
	Failure *Failure `json:"failure,omitempty"`
	// EventsAfter is the sequence number just before the operation's
	// first event: followers read its events from there.
	EventsAfter int64 `json:"eventsAfter,omitempty"`
	// Promotion is the promotion (store.Promotion, in the server's
	// pipeline) a deploy operation carries out.
	Promotion int64     `json:"promotion,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Change is what an operation does to one service.
type Change struct {
	Service string `json:"service"`
	// From is the target revision before the operation (0 = new service).
	From int `json:"from"`
	// To is the revision to converge to (0 = remove the service).
	To int `json:"to"`
	// DependsOn lists services in this operation that must converge first.
	DependsOn []string `json:"dependsOn,omitempty"`
	// Started is set when the service's target was switched to To.
	Started bool `json:"started,omitempty"`
	// Done is set when the service converged to To.
	Done bool `json:"done,omitempty"`
	// Reverted is set when a failed operation switched the service back
	// to From.
	Reverted bool `json:"reverted,omitempty"`
}

// Failure says why an operation failed.
type Failure struct {
	Service  string `json:"service"`
	Instance string `json:"instance,omitempty"`
	Reason   string `json:"reason"`
	// Logs are the failing instance's last log lines.
	Logs []string `json:"logs,omitempty"`
}

// Event is one append-only record of something that happened.
type Event struct {
	Seq      int64     `json:"seq"`
	Time     time.Time `json:"time"`
	Type     EventType `json:"type"`
	Service  string    `json:"service,omitempty"`
	Revision int       `json:"revision,omitempty"`
	Instance string    `json:"instance,omitempty"`
	// Operation links the event to an apply or rollback.
	Operation int64  `json:"operation,omitempty"`
	Message   string `json:"message"`
	// By is who made the change, from the credentials of the request
	// that made it (see WithActor); empty for a controller's own step.
	By   string          `json:"by,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
	// Env is the environment whose log holds the event. Each environment
	// has its own store, so stores leave it empty; a reader that merges
	// environments' logs (the DORA metrics) sets it.
	Env string `json:"-"`
}
