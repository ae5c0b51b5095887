package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Artifact is an immutable file a service runs.
type Artifact struct {
	// Path, relative to the spec file, where the artifact is read from at
	// apply time; also where it appears in the instance's directory.
	Path string `yaml:"path" json:"path"`
	// Version is the user's label for it (v1.0.0).
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
	// Digest is "sha256:<hex>" of the content. Filled in at apply time by
	// the client; set by hand it pins the content.
	Digest string `yaml:"digest,omitempty" json:"digest,omitempty"`
	// Commit is the source revision the artifact was built from (a git
	// commit, `git log -1 --format=%H`), and CommitTime when it was
	// committed (`git log -1 --format=%cI`). Both are optional; with both,
	// the DORA metrics measure the lead time for changes (commit time to
	// running in production).
	Commit     CommitID  `yaml:"commit,omitempty" json:"commit,omitempty"`
	CommitTime Timestamp `yaml:"commitTime,omitempty" json:"commitTime,omitempty"`
	// Commits are every commit the artifact carries that the version
	// pushed before it did not (newest first), when `slipway artifact
	// push --git` read them: each one's lead time counts. Not written in
	// a spec; set when a pushed version is deployed.
	Commits []ArtifactCommit `yaml:"-" json:"commits,omitempty"`
}

// ArtifactCommit is one commit an artifact carries.
type ArtifactCommit struct {
	ID   CommitID  `json:"id"`
	Time Timestamp `json:"time"`
}

// CommitID is a source revision: 7 to 64 hexadecimal digits (a git SHA-1
// or SHA-256, whole or abbreviated), kept in lower case.
type CommitID string

var commitID = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// ParseCommitID checks s and returns it in lower case.
func ParseCommitID(s string) (CommitID, error) {
	if !commitID.MatchString(s) {
		return "", fmt.Errorf("must be a commit id of 7 to 64 hex digits (git log -1 --format=%%H), got %q", s)
	}
	return CommitID(strings.ToLower(s)), nil
}

// UnmarshalYAML reads a commit id; YAML may see an all-digit one as a
// number, which is read as written.
func (c *CommitID) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("must be a commit id like 4f2a9c1, got %s", describe(n))
	}
	v, err := ParseCommitID(n.Value)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Timestamp is an instant written in RFC 3339 (2025-03-01T09:30:00Z, or
// with an offset: 2025-03-01T10:30:00+01:00), kept as written.
type Timestamp string

// ParseTimestamp checks that s is an RFC 3339 time.
func ParseTimestamp(s string) (Timestamp, error) {
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return "", fmt.Errorf("must be a time in RFC 3339 like 2025-03-01T09:30:00Z (git log -1 --format=%%cI), got %q", s)
	}
	return Timestamp(s), nil
}

// Time returns the instant; ok is false when the timestamp is empty (or
// was never checked, and does not parse).
func (t Timestamp) Time() (when time.Time, ok bool) {
	when, err := time.Parse(time.RFC3339, string(t))
	return when, t != "" && err == nil
}

// UnmarshalYAML reads an RFC 3339 timestamp.
func (t *Timestamp) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("must be a time like 2025-03-01T09:30:00Z, got %s", describe(n))
	}
	v, err := ParseTimestamp(n.Value)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// CheckArtifacts checks that every artifact without a pinned digest is a
// regular file at baseDir/path (baseDir is the spec file's directory). It
// returns every missing file at once, as a *Problems error with the line
// of each artifact path. Artifacts with a digest are fetched by digest
// and need no local file.
func (a *App) CheckArtifacts(baseDir string) error {
	var ps Problems
	for _, name := range sortedNames(a.Services) {
		s := a.Services[name]
		if s == nil || s.Artifact == nil || s.Artifact.Digest != "" || s.Artifact.Path == "" {
			continue
		}
		path := "services." + name + ".artifact.path"
		if msg := checkFile(baseDir, s.Artifact.Path); msg != "" {
			pos := a.index.nearest(path)
			ps = append(ps, Problem{File: a.file, Line: pos.line, Column: pos.column, Path: path, Message: msg})
		}
	}
	return ps.err()
}

// checkFile says what is wrong with the artifact file, or "".
func checkFile(baseDir, rel string) string {
	fi, err := os.Stat(filepath.Join(baseDir, filepath.FromSlash(rel)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("file %s does not exist", rel)
	case err != nil:
		return fmt.Sprintf("cannot read file %s: %v", rel, err)
	case fi.IsDir():
		return fmt.Sprintf("%s is a directory; an artifact must be a regular file (pack a directory as an archive)", rel)
	case !fi.Mode().IsRegular():
		return fmt.Sprintf("%s is not a regular file", rel)
	}
	return ""
}

// Digest returns the "sha256:<hex>" digest of a file's content, reading
// it as a stream.
func Digest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("digest: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("digest %s: %w", path, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
