package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Snapshotter writes a consistent copy of one database to a new file
// (*sqlite.Store's Backup).
type Snapshotter interface {
	Backup(ctx context.Context, dst string) error
}

// Source is one environment's database to back up.
type Source struct {
	Database
	Store Snapshotter
}

// Snapshot is a backup taken but not yet streamed: the databases' copies
// in a temporary folder. Stream it, then Close it.
type Snapshot struct {
	manifest  Manifest
	tmp       string
	files     map[string]string // tar path -> copy on disk
	artifacts string
}

// Take copies every source's database into a new temporary folder under
// tmpParent (VACUUM INTO: consistent, online) and returns the snapshot to
// stream. Every copy is taken before anything is streamed, so a failure
// (a full disk) is reported before the first byte. dataDir is the data
// folder backed up: its artifacts are streamed, and the manifest names
// it.
func Take(ctx context.Context, dataDir, tmpParent string, sources []Source, now time.Time) (*Snapshot, error) {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	tmp, err := os.MkdirTemp(tmpParent, ".backup-")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	s := &Snapshot{tmp: tmp, files: map[string]string{}, artifacts: filepath.Join(dataDir, "artifacts"),
		manifest: Manifest{Version: manifestVersion, CreatedAt: now.UTC(), Source: dataDir}}
	for i, src := range sources {
		dst := filepath.Join(tmp, fmt.Sprintf("%d.db", i))
		if err := src.Store.Backup(ctx, dst); err != nil {
			s.Close()
			return nil, fmt.Errorf("backup environment %s: %w", src.Env, err)
		}
		s.files[src.Path] = dst
		s.manifest.Databases = append(s.manifest.Databases, src.Database)
	}
	return s, nil
}

// Close removes the snapshot's temporary files.
func (s *Snapshot) Close() error { return os.RemoveAll(s.tmp) }

// Stream writes the snapshot to w as a tar: the manifest, the databases,
// then every artifact (content-addressed and immutable, so the ones the
// databases name are all there).
func (s *Snapshot) Stream(w io.Writer) error {
	tw := tar.NewWriter(w)
	m, err := json.MarshalIndent(s.manifest, "", "  ")
	if err != nil {
		return fmt.Errorf("backup manifest: %w", err)
	}
	if err := writeEntry(tw, manifestName, int64(len(m)), 0o644, bytes.NewReader(m)); err != nil {
		return err
	}
	for _, db := range s.manifest.Databases {
		if err := writeFile(tw, db.Path, s.files[db.Path]); err != nil {
			return err
		}
	}
	if err := s.streamArtifacts(tw); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// streamArtifacts adds every file of the artifact store, skipping
// temporary files being written now.
func (s *Snapshot) streamArtifacts(tw *tar.Writer) error {
	err := filepath.WalkDir(s.artifacts, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() || isTemp(d.Name()) {
			return err
		}
		rel, err := filepath.Rel(filepath.Dir(s.artifacts), p)
		if err != nil {
			return err
		}
		return writeFile(tw, filepath.ToSlash(rel), p)
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backup artifacts: %w", err)
	}
	return nil
}

// isTemp reports whether name is a file the artifact store is writing.
func isTemp(name string) bool {
	return len(name) > 0 && name[0] == '.'
}

// writeFile adds the file at src as name.
func writeFile(tw *tar.Writer, name, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("backup %s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup %s: %w", name, err)
	}
	return writeEntry(tw, name, st.Size(), int64(st.Mode().Perm()), f)
}

// writeEntry adds one regular file of size bytes read from r.
func writeEntry(tw *tar.Writer, name string, size, mode int64, r io.Reader) error {
	hdr := &tar.Header{Name: name, Size: size, Mode: mode, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("backup %s: %w", name, err)
	}
	if _, err := io.CopyN(tw, r, size); err != nil {
		return fmt.Errorf("backup %s: %w", name, err)
	}
	return nil
}
