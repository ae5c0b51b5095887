package stack

import (
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Deploy records an operation that moves a service to a pushed version:
// a new revision with the spec the service runs now (as applied to this
// environment, with its overrides) and the version's artifact, the very
// file, by digest. promotion is the promotion it carries out (0 for
// none). When the service already runs that digest there is nothing to
// do: Deploy returns a nil operation and the current revision.
func Deploy(tx store.Tx, service string, v store.Version, promotion int64, now time.Time) (*store.Operation, int, error) {
	svc, err := tx.GetService(service)
	if errors.Is(err, store.ErrNotFound) || (err == nil && svc.Removed) {
		return nil, 0, store.NotFoundf("service %q is not in this environment: apply the spec to it first (slipway apply -f slipway.yaml --env NAME)", service)
	}
	if err != nil {
		return nil, 0, err
	}
	cur, err := tx.GetRevision(service, svc.Revision)
	if err != nil {
		return nil, 0, err
	}
	next, err := withVersion(cur.Spec, v)
	if err != nil {
		return nil, 0, err
	}
	if runningDigest(cur.Spec) == v.Digest && svc.Phase != store.PhaseFailed {
		return nil, svc.Revision, nil
	}
	if err := refuseIfBusy(tx); err != nil {
		return nil, 0, err
	}
	rev, err := tx.CreateRevision(store.Revision{Service: service, Spec: *next, State: store.RevisionPending, CreatedAt: now})
	if err != nil {
		return nil, 0, fmt.Errorf("create revision of %s: %w", service, err)
	}
	op, err := tx.CreateOperation(store.Operation{Kind: store.KindDeploy, State: store.OperationRunning, Promotion: promotion,
		Changes: []store.Change{{Service: service, From: svc.Revision, To: rev.Number}}, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return nil, 0, err
	}
	err = started(tx, &op, store.Event{Time: now, Type: store.EventDeployStarted, Service: service, Revision: rev.Number, Operation: op.ID,
		Message: fmt.Sprintf("deploy of %s version %s (%s) as revision %d (operation %d)", service, v.Version, artifact.Short(v.Digest), rev.Number, op.ID)})
	return &op, rev.Number, err
}

// withVersion returns the service's spec running version v: a file as
// its artifact, or an image as its image, pinned by digest. A version
// carried by a promotion but never pushed (applied from a spec in the
// environment it comes from) has no kind and no reference: it takes the
// service's own kind, and an image keeps the service's repository.
func withVersion(cur spec.Service, v store.Version) (*spec.Service, error) {
	if err := CheckVersionKind(cur, v); err != nil {
		return nil, err
	}
	next := cur.Clone()
	switch {
	case cur.RunsImage():
		next.Image = v.Image
		if next.Image == "" {
			next.Image = spec.PinImage(cur.Image, v.Digest)
		}
	case cur.Artifact == nil:
		return nil, store.Invalidf("service %s runs a command, not an artifact: give it `artifact: {path: FILE}` in the spec to deploy pushed versions", cur.Name)
	default:
		next.Artifact = versionArtifact(cur.Artifact.Path, v)
	}
	return next, nil
}

// CheckVersionKind refuses a version of the other kind than what the
// service runs: a file onto an image, an image onto a command. A
// version without a kind (carried by a promotion, never pushed) takes
// the service's.
func CheckVersionKind(cur spec.Service, v store.Version) error {
	switch {
	case cur.RunsImage() && v.Kind == store.VersionFile:
		return store.Invalidf("service %s runs an image, and version %s is a file: push the image (slipway artifact push --image REF) or deploy a version that is one", cur.Name, v.Version)
	case !cur.RunsImage() && v.Kind.IsImage():
		return store.Invalidf("service %s runs a command, and version %s is an image: give the service `image:` in the spec (an environment's overrides may) to deploy images", cur.Name, v.Version)
	}
	return nil
}

// runningDigest is the digest of the file or image a service runs.
func runningDigest(s spec.Service) string {
	if s.RunsImage() {
		return spec.ImageDigest(s.Image)
	}
	if s.Artifact != nil {
		return s.Artifact.Digest
	}
	return ""
}

// versionArtifact is a pushed version as a revision's artifact, placed at
// path in the instance's directory (the name the service's command
// expects).
func versionArtifact(path string, v store.Version) *spec.Artifact {
	a := &spec.Artifact{Path: path, Version: v.Version, Digest: v.Digest, Commit: v.Commit}
	if !v.CommitTime.IsZero() {
		a.CommitTime = spec.Timestamp(v.CommitTime.UTC().Format(time.RFC3339))
	}
	for _, c := range v.Commits {
		a.Commits = append(a.Commits, spec.ArtifactCommit{ID: c.ID, Time: spec.Timestamp(c.Time.UTC().Format(time.RFC3339))})
	}
	return a
}
