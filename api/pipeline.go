package api

import "time"

// HeaderEnv names the environment a request is about (the query parameter
// env does too); neither means the server's "default" environment.
const HeaderEnv = "X-Slipway-Env"

// Environment is one environment a server hosts (GET /v1/environments).
type Environment struct {
	Name string `json:"name"`
	// Router is where its users' traffic goes (http://host:port).
	Router     string   `json:"router,omitempty"`
	Production bool     `json:"production,omitempty"`
	Services   []string `json:"services,omitempty"`
	// Down is set while the environment is being taken down.
	Down bool `json:"down,omitempty"`
}

// DownRequest asks for an environment to be taken down (POST
// /v1/down?env=NAME); the server answers 202 Accepted with the
// Environment, Down set, and takes it down in the background: it is down
// once GET /v1/environments shows it without Down.
type DownRequest struct {
	// By is who asks, recorded with the request.
	By string `json:"by,omitempty"`
}

// Commit is one source commit a version carries.
type Commit struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
}

// Version is an artifact pushed for a service under a version label
// (POST /v1/versions, after PUT /v1/artifacts/{digest}).
//
// An image version sets Image instead of Digest and Path: a reference the
// server pulls (with the credentials of its Docker config), or one
// uploaded first (PUT /v1/images) named by digest. The response names it
// pinned (repo:tag@sha256:...) with Kind "image"; a file's Kind is "file".
type Version struct {
	Service    string    `json:"service"`
	Version    string    `json:"version"`
	Kind       string    `json:"kind,omitempty"`
	Digest     string    `json:"digest"`
	Image      string    `json:"image,omitempty"`
	Path       string    `json:"path"`
	Size       int64     `json:"size"`
	Commit     string    `json:"commit,omitempty"`
	CommitTime time.Time `json:"commitTime,omitzero"`
	Commits    []Commit  `json:"commits,omitempty"`
	PushedAt   time.Time `json:"pushedAt,omitzero"`
}

// DeployRequest deploys a pushed version into an environment
// (POST /v1/services/{name}/deploy?env=NAME).
type DeployRequest struct {
	Version string `json:"version"`
	By      string `json:"by,omitempty"`
}

// PromoteRequest promotes the version running in From into To, through
// To's gates (POST /v1/services/{name}/promote-env). Version, when set,
// must be the one From runs.
type PromoteRequest struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Version string `json:"version,omitempty"`
	By      string `json:"by,omitempty"`
}

// ApproveRequest approves the promotion of a service waiting for an
// approval gate in an environment (POST /v1/services/{name}/approve?env=).
type ApproveRequest struct {
	By string `json:"by"`
	// Reject, when set, fails the gate instead, with Reason.
	Reject bool   `json:"reject,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Gate is one gate of a promotion and what happened at it.
type Gate struct {
	Kind       string    `json:"kind"`
	Spec       string    `json:"spec,omitempty"`
	State      string    `json:"state"`
	Reason     string    `json:"reason,omitempty"`
	StartedAt  time.Time `json:"startedAt,omitzero"`
	EndedAt    time.Time `json:"endedAt,omitzero"`
	Output     string    `json:"output,omitempty"`
	ExitCode   int       `json:"exitCode,omitempty"`
	ApprovedBy string    `json:"approvedBy,omitempty"`
}

// Promotion takes a version of a service into an environment.
type Promotion struct {
	ID              int64     `json:"id"`
	Service         string    `json:"service"`
	Version         string    `json:"version"`
	Digest          string    `json:"digest"`
	From            string    `json:"from,omitempty"`
	To              string    `json:"to"`
	State           string    `json:"state"`
	Reason          string    `json:"reason,omitempty"`
	Gates           []Gate    `json:"gates,omitempty"`
	By              string    `json:"by,omitempty"`
	CreatedAt       time.Time `json:"createdAt"`
	GatesPassedAt   time.Time `json:"gatesPassedAt,omitzero"`
	Operation       int64     `json:"operation,omitempty"`
	Revision        int       `json:"revision,omitempty"`
	DeployStartedAt time.Time `json:"deployStartedAt,omitzero"`
	FinishedAt      time.Time `json:"finishedAt,omitzero"`
}

// Stage is where a service stands in one environment of its pipeline.
type Stage struct {
	Env string `json:"env"`
	// From is the environment it is promoted from ("" for the first).
	From string `json:"from,omitempty"`
	// Gates are the environment's gates as the spec says them.
	Gates []string `json:"gates,omitempty"`
	// Version runs there now (stable), with its revision and since when.
	Version  string    `json:"version,omitempty"`
	Revision int       `json:"revision,omitempty"`
	Phase    string    `json:"phase,omitempty"`
	Since    time.Time `json:"since,omitzero"`
	// Promotion is the latest promotion into the environment.
	Promotion *Promotion `json:"promotion,omitempty"`
	// Waiting says what that promotion waits for, if anything.
	Waiting string `json:"waiting,omitempty"`
}

// Pipeline is a service's path through the environments
// (GET /v1/pipeline/{service}).
type Pipeline struct {
	Service  string    `json:"service"`
	Stages   []Stage   `json:"stages"`
	Versions []Version `json:"versions"`
	// LeadTimes are, per version that reached production, how long each
	// step took: push to first deploy, then each environment to the next.
	Flow []VersionFlow `json:"flow,omitempty"`
}

// VersionFlow is how long one version took to move through the
// environments (the feedback loop, measured).
type VersionFlow struct {
	Version string `json:"version"`
	// Steps in order: where it went, when it got there, how long the
	// gates and the rollout took.
	Steps []FlowStep `json:"steps"`
}

// FlowStep is one environment a version reached.
type FlowStep struct {
	Env           string    `json:"env"`
	Requested     time.Time `json:"requested"`
	GatesSeconds  float64   `json:"gatesSeconds"`
	DeploySeconds float64   `json:"deploySeconds"`
	Finished      time.Time `json:"finished,omitzero"`
	State         string    `json:"state"`
}

// Image is an OCI image the server stored (PUT /v1/images?name=REPO: the
// body is a docker-save tarball, or an OCI image layout folder as a tar).
// Ref is name@digest, what a version or a spec's image: names it by.
type Image struct {
	Digest       string `json:"digest"`
	Ref          string `json:"ref"`
	Size         int64  `json:"size"`
	Architecture string `json:"architecture"`
}
