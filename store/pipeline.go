package store

import (
	"strings"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// Version is an artifact pushed for a service under a version label
// (`slipway artifact push`): the very file, or OCI image, every
// environment runs when the version is deployed or promoted. Immutable
// once stored.
type Version struct {
	Service string `json:"service"`
	Version string `json:"version"`
	// Kind says whether the version is a file or an image.
	Kind VersionKind `json:"kind"`
	// Digest is "sha256:<hex>" of the file in the artifact store, or the
	// image's manifest digest in the image store.
	Digest string `json:"digest"`
	// Image is the reference the image was pushed from, pinned to Digest
	// (repo:tag@sha256:...); empty for a file. Deploy and promote write
	// it as the service's image:, so a tag never moves a version.
	Image string `json:"image,omitempty"`
	// Path is the file name the artifact takes in an instance's
	// directory (the pushed file's base name); empty for an image.
	Path string `json:"path"`
	// Size is the file's size, or the image's (its compressed layers and
	// config).
	Size int64 `json:"size"`
	// Commit and CommitTime are the source revision it was built from;
	// Commits every commit it carries that the previous version did not
	// (from git, newest first; Commit is the first), for lead time.
	Commit     spec.CommitID `json:"commit,omitempty"`
	CommitTime time.Time     `json:"commitTime,omitzero"`
	Commits    []Commit      `json:"commits,omitempty"`
	PushedAt   time.Time     `json:"pushedAt"`
}

// VersionKind is what a version holds: a file run by a command, or an
// OCI image run as containers. Closed set: VersionFile, VersionImage.
type VersionKind string

const (
	// VersionFile is a file in the artifact store (the only kind before
	// images; versions stored then read as files).
	VersionFile VersionKind = "file"
	// VersionImage is an OCI image in the image store, by manifest digest.
	VersionImage VersionKind = "image"
)

// String returns the kind's name.
func (k VersionKind) String() string { return string(k) }

// IsImage reports whether the version is an OCI image.
func (k VersionKind) IsImage() bool { return k == VersionImage }

// Check reports every key field of v that is empty (PutVersion of every
// store refuses such a version with it).
func (v Version) Check() error {
	var empty []string
	for _, f := range []struct{ name, value string }{
		{"service", v.Service}, {"version", v.Version}, {"digest", v.Digest},
	} {
		if f.value == "" {
			empty = append(empty, f.name)
		}
	}
	if len(empty) > 0 {
		return Invalidf("put version: empty %s", strings.Join(empty, ", "))
	}
	switch {
	case v.Kind != VersionFile && v.Kind != VersionImage:
		return Invalidf("put version: kind %q is neither %s nor %s", v.Kind, VersionFile, VersionImage)
	case v.Kind.IsImage() && !strings.HasSuffix(v.Image, "@"+v.Digest):
		return Invalidf("put version: image %q is not pinned to the version's digest %s", v.Image, v.Digest)
	}
	return nil
}

// Repush is the outcome of pushing v again over a stored version with
// digest stored: nothing for the same file, a conflict for another.
func (v Version) Repush(stored string) error {
	if v.Digest == stored {
		return nil
	}
	return Conflictf("version %s of %s is already pushed with digest %s, not %s: versions are immutable, push the new file under a new version",
		v.Version, v.Service, stored, v.Digest)
}

// Commit is one source commit and when it was made.
type Commit struct {
	ID   spec.CommitID `json:"id"`
	Time time.Time     `json:"time"`
}

// PromotionState is where a promotion stands.
type PromotionState string

// A promotion waits for its gates, then deploys into its target; it ends
// Succeeded when the target environment's rollout of the version
// succeeded, Failed when a gate failed or the rollout did, Cancelled when
// a person cancelled it or a newer promotion of the same service into
// the same environment replaced it.
const (
	PromotionWaiting   PromotionState = "Waiting"
	PromotionDeploying PromotionState = "Deploying"
	PromotionSucceeded PromotionState = "Succeeded"
	PromotionFailed    PromotionState = "Failed"
	PromotionCancelled PromotionState = "Cancelled"
)

// Terminal reports whether the promotion is over.
func (s PromotionState) Terminal() bool {
	return s == PromotionSucceeded || s == PromotionFailed || s == PromotionCancelled
}

// Promotion takes one version of a service into an environment (a
// deploy, From empty, or a promotion from another environment), through
// the target's gates.
type Promotion struct {
	// StoreVersion is the store's version of the record (version.go);
	// Version is the pushed version the promotion takes.
	StoreVersion int64  `json:"-"`
	ID           int64  `json:"id"`
	Service      string `json:"service"`
	Version      string `json:"version"`
	Digest       string `json:"digest"`
	// From is the environment the version comes from ("" for a deploy).
	From string `json:"from,omitempty"`
	// To is the environment it goes into.
	To    string         `json:"to"`
	State PromotionState `json:"state"`
	// Reason says why it failed or was cancelled, or what it waits for.
	Reason string `json:"reason,omitempty"`
	// Gates are the target's gates, in the spec's order, each with its
	// own state.
	Gates []Gate `json:"gates,omitempty"`
	// By is who asked for it.
	By        string    `json:"by,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	// GatesPassedAt is when the last gate passed (the deploy starts then).
	GatesPassedAt time.Time `json:"gatesPassedAt,omitzero"`
	// Operation is the target environment's operation that deploys the
	// version, and Revision the service revision it created.
	Operation int64 `json:"operation,omitempty"`
	Revision  int   `json:"revision,omitempty"`
	// DeployStartedAt is when the target's rollout started; FinishedAt
	// when the promotion ended.
	DeployStartedAt time.Time `json:"deployStartedAt,omitzero"`
	FinishedAt      time.Time `json:"finishedAt,omitzero"`
}

// GateState is where one gate stands.
type GateState string

// Gate states: Pending (not reached yet, or waiting: an approval, a bake
// time), Running (a test command runs), then Passed or Failed.
const (
	GatePending GateState = "Pending"
	GateRunning GateState = "Running"
	GatePassed  GateState = "Passed"
	GateFailed  GateState = "Failed"
)

// Gate is one gate of a promotion, with what happened at it.
type Gate struct {
	// Kind is tests, approval, bake or analysis; Spec says what the
	// gate asks (the command, the bake time).
	Kind  string    `json:"kind"`
	Spec  string    `json:"spec,omitempty"`
	State GateState `json:"state"`
	// Reason says why it failed, or what it waits for.
	Reason    string    `json:"reason,omitempty"`
	StartedAt time.Time `json:"startedAt,omitzero"`
	EndedAt   time.Time `json:"endedAt,omitzero"`
	// Output is the end of a test command's output (at most 64 KiB);
	// ExitCode its exit status.
	Output   string `json:"output,omitempty"`
	ExitCode int    `json:"exitCode,omitempty"`
	// ApprovedBy is who approved (an approval gate).
	ApprovedBy string `json:"approvedBy,omitempty"`
	// Attempt counts the runs of a test command (a restarted server runs
	// an interrupted one again).
	Attempt int `json:"attempt,omitempty"`
	// Def is the gate as the target environment's spec said it when the
	// promotion began (later edits of the spec do not move the goal
	// posts of a promotion in flight); Dir is where its command runs.
	Def spec.Gate `json:"def"`
	Dir string    `json:"dir,omitempty"`
	// Analysis is an analysis gate's run: its measurements and verdict.
	Analysis *AnalysisRun `json:"analysis,omitempty"`
}
