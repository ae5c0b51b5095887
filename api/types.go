package api

import (
	"encoding/json"
	"time"
)

// Health is the server's answer to GET /v1/health.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
	App     string `json:"app,omitempty"`
}

// ApplyRequest carries an app spec to validate, plan or apply.
type ApplyRequest struct {
	// File is the spec's file name, used in error messages.
	File string `json:"file"`
	// Spec is the YAML text. Artifacts must carry a digest (the client
	// fills it in after uploading the file).
	Spec string `json:"spec"`
	// Dir is the spec file's directory (absolute): promotion gates' test
	// commands run there.
	Dir string `json:"dir,omitempty"`
	// Secrets are the values of the spec's secrets: section, resolved by
	// the CLI on the deployer's machine (never the sources). The server
	// stores each sealed, as a new version when it changed.
	Secrets map[string]string `json:"secrets,omitempty"`
}

// Plan is the change set an apply would make.
type Plan struct {
	App       string          `json:"app"`
	Added     []string        `json:"added"`
	Changed   []ServiceChange `json:"changed"`
	Removed   []string        `json:"removed"`
	Unchanged []string        `json:"unchanged"`
	// Revisions says, for every added or changed service, the revision it
	// runs now (0 for a new one) and the revision an apply creates.
	Revisions map[string]RevisionChange `json:"revisions,omitempty"`
	// Secrets are the secrets the apply sent, by version (never values);
	// a service whose env references a changed one changes too.
	Secrets map[string]SecretChange `json:"secrets,omitempty"`
	// Flags and Segments are the feature flags' changes (ServiceChange's
	// Name is then a flag key or segment name); nil when none change.
	Flags    *Changes `json:"flags,omitempty"`
	Segments *Changes `json:"segments,omitempty"`
	// Configs are the dynamic configurations an apply stores a new
	// version of; nil when none change.
	Configs *ConfigChanges `json:"configs,omitempty"`
	// TLS is what the apply changes at the environment's TLS edge: the
	// tls: section, and the hosts served over TLS; nil when nothing.
	TLS *TLSChanges `json:"tls,omitempty"`
	// Warnings are about what is served now and this plan does not
	// change by itself, like a kill switch that serves its default
	// because it was stored before flags had off.
	Warnings []string `json:"warnings,omitempty"`
	// Kept names the parts of the app, "services" or "flags" (with the
	// segments), that the spec leaves as they are because its file does
	// not have them: a file of flags only keeps the services, one of
	// services only keeps the flags. Only parts the app has are named.
	Kept []string `json:"kept,omitempty"`
}

// Changes lists what is added, changed (field by field) and removed.
type Changes struct {
	Added   []string        `json:"added"`
	Changed []ServiceChange `json:"changed"`
	Removed []string        `json:"removed"`
}

// RevisionChange is a service's move from one revision to another.
type RevisionChange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool {
	return len(p.Added)+len(p.Changed)+len(p.Removed) == 0 && p.Flags == nil && p.Segments == nil && p.Configs == nil &&
		p.TLS == nil
}

// TLSChanges are a plan's changes at the TLS edge: the tls: section's
// fields (tls.acme.email, ...), and the hosts served over TLS that an
// apply adds, removes or gets its certificate from elsewhere.
type TLSChanges struct {
	Fields  []FieldChange `json:"fields,omitempty"`
	Added   []TLSHost     `json:"added,omitempty"`
	Removed []TLSHost     `json:"removed,omitempty"`
	Changed []TLSHost     `json:"changed,omitempty"`
}

// TLSHost is a host served over TLS: its service and its certificate's
// source, "acme" or the route's certificate file (OldCertificate: the
// source it had, for a changed one).
type TLSHost struct {
	Host           string `json:"host"`
	Service        string `json:"service"`
	Certificate    string `json:"certificate"`
	OldCertificate string `json:"oldCertificate,omitempty"`
}

// ServiceChange is a changed service and its changed fields.
type ServiceChange struct {
	Name   string        `json:"name"`
	Fields []FieldChange `json:"fields"`
}

// FieldChange is one changed field of a service spec.
type FieldChange struct {
	Path string `json:"path"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// ApplyResponse is the result of POST /v1/apply. Operation is nil when
// the plan was empty.
type ApplyResponse struct {
	Plan      Plan       `json:"plan"`
	Operation *Operation `json:"operation,omitempty"`
}

// RollbackRequest asks to make an earlier revision the target again.
// To 0 means the revision before the current stable one.
type RollbackRequest struct {
	To     int    `json:"to,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Service is a service's desired and observed state.
type Service struct {
	Name string `json:"name"`
	// Revision is the target revision; Stable the last converged one.
	Revision int    `json:"revision"`
	Stable   int    `json:"stable"`
	Phase    string `json:"phase"`
	Message  string `json:"message,omitempty"`
	// Desired is the target instance count, Ready how many instances
	// of the target revision are ready.
	Desired int `json:"desired"`
	// Scaled says Desired was set at run time (slipway scale), not by
	// the spec, until an apply changes instances.
	Scaled  bool   `json:"scaled,omitempty"`
	Ready   int    `json:"ready"`
	Version string `json:"version,omitempty"`
	Route   string `json:"route,omitempty"`
	Removed bool   `json:"removed,omitempty"`
	// Strategy is the target revision's release strategy, as its spec
	// says: rolling, blueGreen, canary or parallelRun.
	Strategy string `json:"strategy,omitempty"`
	// Traffic is set when one revision takes the live traffic (blue/
	// green); absent, every ready instance shares it.
	Traffic   *Traffic   `json:"traffic,omitempty"`
	Instances []Instance `json:"instances"`
	// Canary is the latest canary rollout, in flight or ended.
	Canary *Canary `json:"canary,omitempty"`
	// ParallelRun is the latest parallel run, in flight or ended.
	ParallelRun *ParallelRun `json:"parallelRun,omitempty"`
	// Autoscale is set when the target revision has a scale section.
	Autoscale *Autoscale `json:"autoscale,omitempty"`
}

// Autoscale is a service's autoscaling: its bounds and target, and the
// count the autoscaler set last, with why and when.
type Autoscale struct {
	Min int `json:"min"`
	Max int `json:"max"`
	// Target is the load one instance should carry, as the spec says
	// it: "concurrency 10", "rps 200", "cpu 70%".
	Target string `json:"target"`
	// ScaledToZero: no instance runs; the next request wakes one.
	ScaledToZero bool `json:"scaledToZero,omitempty"`
	// Reason and ChangedAt are the autoscaler's last change of the
	// count (absent before its first). On Kubernetes they are the
	// HorizontalPodAutoscaler's last decision, ChangedAt its last scale
	// time.
	Reason    string    `json:"reason,omitempty"`
	ChangedAt time.Time `json:"changedAt,omitzero"`
	// HPA is set in an environment on Kubernetes, where a
	// HorizontalPodAutoscaler sizes the service instead of Slipway's
	// autoscaler: its state as its controller last reported it.
	HPA *HPA `json:"hpa,omitempty"`
}

// HPA is a revision's HorizontalPodAutoscaler as its controller last
// reported it (its status).
type HPA struct {
	Name     string `json:"name"`
	Revision int    `json:"revision"`
	// Current is the count the revision ran at the HPA's last look,
	// Desired the count it chose then.
	Current int `json:"current"`
	Desired int `json:"desired"`
	// Metrics are what it measured, against their targets.
	Metrics []AutoscaleMetric `json:"metrics,omitempty"`
	// LastScaleTime is when it last changed the count (absent: never).
	LastScaleTime time.Time `json:"lastScaleTime,omitzero"`
	// Conditions are AbleToScale, ScalingActive and ScalingLimited,
	// with their controller's reason and message.
	Conditions []AutoscaleCondition `json:"conditions,omitempty"`
}

// AutoscaleMetric is one metric an autoscaler measured, against its
// target, in the spec's unit (cpu: a percentage of resources.cpu, else
// of one core).
type AutoscaleMetric struct {
	Name    string  `json:"name"`
	Current float64 `json:"current"`
	Target  float64 `json:"target"`
	Unit    string  `json:"unit,omitempty"`
}

// AutoscaleCondition is one condition of an autoscaler: True, False or
// Unknown, with the machine reason and the message.
type AutoscaleCondition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// Traffic says which revision takes a service's live traffic.
type Traffic struct {
	Active        int    `json:"active"`
	Preview       int    `json:"preview,omitempty"`
	PreviewHeader string `json:"previewHeader,omitempty"`
	// PreviewSecret is the value PreviewHeader must carry to reach the
	// Preview revision.
	PreviewSecret string `json:"previewSecret,omitempty"`
	// Kept is a previous revision still running (for a fast rollback).
	Kept int `json:"kept,omitempty"`
	// Canary takes Weight percent beside Active; CanaryHeader reaches it
	// at any weight.
	Canary       int    `json:"canary,omitempty"`
	Weight       int    `json:"weight,omitempty"`
	CanaryHeader string `json:"canaryHeader,omitempty"`
	// Mirror gets copies of MirrorPercent of the requests.
	Mirror        int `json:"mirror,omitempty"`
	MirrorPercent int `json:"mirrorPercent,omitempty"`
}

// Instance is one running copy of a revision.
type Instance struct {
	ID        string    `json:"id"`
	Revision  int       `json:"revision"`
	PID       int       `json:"pid"`
	Port      int       `json:"port"`
	State     string    `json:"state"`
	Ready     bool      `json:"ready"`
	Restarts  int       `json:"restarts"`
	LastExit  string    `json:"lastExit,omitempty"`
	Message   string    `json:"message,omitempty"`
	StartedAt time.Time `json:"startedAt,omitempty"`
	// Node is the node a Kubernetes pod runs on (its ID is the pod's
	// name; it has no PID or port).
	Node string `json:"node,omitempty"`
}

// Revision is one numbered snapshot of a service.
type Revision struct {
	Service   string          `json:"service"`
	Number    int             `json:"number"`
	State     string          `json:"state"`
	Reason    string          `json:"reason,omitempty"`
	Version   string          `json:"version,omitempty"`
	Digest    string          `json:"digest,omitempty"`
	CreatedAt time.Time       `json:"createdAt"`
	Current   bool            `json:"current"`
	Spec      json.RawMessage `json:"spec"`
}

// Operation is an apply or rollback of the app.
type Operation struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	State     string    `json:"state"`
	Terminal  bool      `json:"terminal"`
	Changes   []Change  `json:"changes"`
	Message   string    `json:"message,omitempty"`
	Failure   *Failure  `json:"failure,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// EventsAfter: the operation's events have sequence numbers above it
	// (GET /v1/events?after=EventsAfter).
	EventsAfter int64 `json:"eventsAfter,omitempty"`
}

// Succeeded reports whether the operation converged every change.
func (o Operation) Succeeded() bool { return o.State == "Succeeded" }

// Change is what an operation does to one service (To 0 = removal).
type Change struct {
	Service string `json:"service"`
	From    int    `json:"from"`
	To      int    `json:"to"`
	Started bool   `json:"started"`
	Done    bool   `json:"done"`
}

// Failure names the service and instance that failed an operation.
type Failure struct {
	Service  string   `json:"service"`
	Instance string   `json:"instance,omitempty"`
	Reason   string   `json:"reason"`
	Logs     []string `json:"logs,omitempty"`
}

// Event is one entry of the event log.
type Event struct {
	Seq       int64     `json:"seq"`
	Time      time.Time `json:"time"`
	Type      string    `json:"type"`
	Service   string    `json:"service,omitempty"`
	Revision  int       `json:"revision,omitempty"`
	Instance  string    `json:"instance,omitempty"`
	Operation int64     `json:"operation,omitempty"`
	Message   string    `json:"message"`
	// By is who made the change (token:NAME, uid:1000 (alice)), as the
	// server established it from the credentials; empty for a
	// controller's own step.
	By   string          `json:"by,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Certificate is one host's certificate from ACME, as the environment's
// TLS router last reported it (GET /v1/certificates).
type Certificate struct {
	Host string `json:"host"`
	// State is CertificateObtained, CertificateRenewed or
	// CertificateFailed (the host keeps the certificate it had, if any).
	State string    `json:"state"`
	Since time.Time `json:"since"`
	// Error says why the last attempt failed.
	Error string `json:"error,omitempty"`
}

// The states of a Certificate.
const (
	CertificateObtained = "obtained"
	CertificateRenewed  = "renewed"
	CertificateFailed   = "failed"
)

// Problem is one thing wrong with a spec or request.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// Error kinds; the server maps each to one HTTP status.
const (
	KindInvalid      = "invalid"      // 422 (400 for a malformed request, 415 for a wrong Content-Type)
	KindUnauthorized = "unauthorized" // 401: a token is required
	KindForbidden    = "forbidden"    // 403: a cross-site or rebinding request, or a role too weak
	KindRateLimited  = "rateLimited"  // 429: too many requests; Retry-After says when to retry
	KindNotFound     = "not_found"    // 404
	KindConflict     = "conflict"     // 409
	KindUnavailable  = "unavailable"  // 503; 507 when the server's disk is full
	KindInternal     = "internal"     // 500
)

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong.
type ErrorDetail struct {
	Kind     string    `json:"kind"`
	Message  string    `json:"message"`
	Problems []Problem `json:"problems,omitempty"`
}

// Token is an API token as GET /v1/tokens lists it: never its value.
type Token struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy,omitempty"`
	// LastUsedAt is when the server last accepted it since it started
	// (zero: not since).
	LastUsedAt time.Time `json:"lastUsedAt,omitzero"`
}

// TokenRequest is POST /v1/tokens's body.
type TokenRequest struct {
	Name string `json:"name"`
	// Role is viewer, deployer, admin or evaluator.
	Role string `json:"role"`
}

// TokenCreated is POST /v1/tokens's answer: the only time the token's
// value is shown.
type TokenCreated struct {
	Token
	Value string `json:"value"`
}
