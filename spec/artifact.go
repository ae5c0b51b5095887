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
)

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
