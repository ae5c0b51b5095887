package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// versionDoc is a pushed version (store.Version) as stored in
// versions.data. Kind is empty for a file (every version stored before
// images had no kind).
type versionDoc struct {
	Service    string      `json:"service"`
	Version    string      `json:"version"`
	Kind       string      `json:"kind,omitempty"`
	Digest     string      `json:"digest"`
	Image      string      `json:"image,omitempty"`
	Path       string      `json:"path"`
	Size       int64       `json:"size"`
	Commit     string      `json:"commit,omitempty"`
	CommitTime time.Time   `json:"commitTime,omitzero"`
	Commits    []commitDoc `json:"commits,omitempty"`
	PushedAt   time.Time   `json:"pushedAt"`
}

// commitDoc is one source commit a version carries.
type commitDoc struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
}

func toVersionDoc(v store.Version) versionDoc {
	return versionDoc{
		Service: v.Service, Version: v.Version, Kind: kindDoc(v.Kind), Digest: v.Digest, Image: v.Image,
		Path: v.Path, Size: v.Size, Commit: string(v.Commit), CommitTime: v.CommitTime,
		Commits: each(v.Commits, func(c store.Commit) commitDoc {
			return commitDoc{ID: string(c.ID), Time: c.Time}
		}),
		PushedAt: v.PushedAt,
	}
}

func fromVersionDoc(d versionDoc) store.Version {
	return store.Version{
		Service: d.Service, Version: d.Version, Kind: versionKind(d.Kind), Digest: d.Digest, Image: d.Image,
		Path: d.Path, Size: d.Size, Commit: spec.CommitID(d.Commit), CommitTime: d.CommitTime,
		Commits: each(d.Commits, func(c commitDoc) store.Commit {
			return store.Commit{ID: spec.CommitID(c.ID), Time: c.Time}
		}),
		PushedAt: d.PushedAt,
	}
}

// kindDoc stores a file version without a kind, as every version was
// stored before images.
func kindDoc(k store.VersionKind) string {
	if k == store.VersionFile {
		return ""
	}
	return string(k)
}

// versionKind reads a stored kind; none is a file.
func versionKind(s string) store.VersionKind {
	if s == "" {
		return store.VersionFile
	}
	return store.VersionKind(s)
}
