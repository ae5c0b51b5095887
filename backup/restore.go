package backup

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
)

// Report says what a restore did.
type Report struct {
	Manifest Manifest
	// Files is how many files were unpacked.
	Files int
	// Problems are the store's invariants found broken in the restored
	// databases (store.Check), "env: problem" each: the data is as the
	// server had it, so they do not stop the restore; they are reported.
	Problems []string
	// Adopted counts, per environment, the instance processes the restored
	// records name that a server there will adopt; Strays those running
	// from the source folder that no record names (started after the
	// backup), which the server's sweep will stop; Gone the records whose
	// process no longer runs (the server starts them again).
	Adopted, Strays, Gone map[string]int
}

// Restore unpacks the backup read from r into dir, a new data folder: it
// refuses one that exists and is not empty. It then checks every database
// (SQLite's checks refuse a damaged copy; broken invariants are reported
// in Report.Problems) and writes the adoption records of the instances still running
// from the backup's source folder (adopt.go). On failure it removes what
// it unpacked.
func Restore(ctx context.Context, r io.Reader, dir string, now time.Time) (rep Report, err error) {
	if err := emptyOrAbsent(dir); err != nil {
		return rep, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	rep.Manifest, rep.Files, err = unpack(r, dir)
	if err != nil {
		return rep, err
	}
	for _, db := range rep.Manifest.Databases {
		path := filepath.Join(dir, filepath.FromSlash(db.Path))
		if err := sqlite.Check(ctx, path); err != nil {
			return rep, fmt.Errorf("restore: environment %s: %w", db.Env, err)
		}
		problems, err := Invariants(ctx, path)
		if err != nil {
			return rep, fmt.Errorf("restore: environment %s: %w", db.Env, err)
		}
		for _, p := range problems {
			rep.Problems = append(rep.Problems, db.Env+": "+p)
		}
	}
	if err := adoptAll(ctx, dir, &rep, now); err != nil {
		return rep, err
	}
	return rep, nil
}

// emptyOrAbsent refuses a dir that holds anything.
func emptyOrAbsent(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("restore into %s: %w", dir, err)
	case len(entries) > 0:
		return fmt.Errorf("restore into %s: the folder is not empty (%d entries): restore into a new one", dir, len(entries))
	}
	return nil
}

// unpack writes every regular file of the tar under dir and returns its
// manifest, which must come first.
func unpack(r io.Reader, dir string) (Manifest, int, error) {
	var m Manifest
	tr := tar.NewReader(r)
	n := 0
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, n, fmt.Errorf("restore: read backup: %w", err)
		}
		if n == 0 {
			if err := readManifest(hdr, tr, &m); err != nil {
				return m, n, err
			}
			n++
			continue
		}
		if err := unpackFile(hdr, tr, dir); err != nil {
			return m, n, err
		}
		n++
	}
	if n == 0 {
		return m, n, errors.New("restore: the backup is empty")
	}
	return m, n, nil
}

// readManifest decodes the tar's first entry, the manifest.
func readManifest(hdr *tar.Header, r io.Reader, m *Manifest) error {
	if hdr.Name != manifestName {
		return fmt.Errorf("restore: not a slipway backup: its first file is %q, not %s", hdr.Name, manifestName)
	}
	if err := json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(m); err != nil {
		return fmt.Errorf("restore: %s: %w", manifestName, err)
	}
	if m.Version != manifestVersion {
		return fmt.Errorf("restore: %s: unknown version %d", manifestName, m.Version)
	}
	for _, db := range m.Databases {
		if !filepath.IsLocal(db.Path) {
			return fmt.Errorf("restore: %s: database path %q is outside the data folder", manifestName, db.Path)
		}
	}
	return nil
}

// unpackFile writes one regular file of the tar under dir, refusing a
// name that leads outside it.
func unpackFile(hdr *tar.Header, r io.Reader, dir string) error {
	if hdr.Typeflag != tar.TypeReg || !filepath.IsLocal(hdr.Name) || strings.Contains(hdr.Name, `\`) {
		return fmt.Errorf("restore: refusing backup entry %q (not a plain file inside the data folder)", hdr.Name)
	}
	dst := filepath.Join(dir, filepath.FromSlash(hdr.Name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("restore %s: %w", hdr.Name, err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, os.FileMode(hdr.Mode).Perm())
	if err != nil {
		return fmt.Errorf("restore %s: %w", hdr.Name, err)
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore %s: %w", hdr.Name, err)
	}
	return nil
}

// Check checks one database file: SQLite's integrity and foreign-key
// checks (sqlite.Check), then the store's invariants (store.Check).
func Check(ctx context.Context, path string) error {
	if err := sqlite.Check(ctx, path); err != nil {
		return err
	}
	problems, err := Invariants(ctx, path)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("check %s: %s", path, strings.Join(problems, "; "))
	}
	return nil
}

// Invariants opens the database at path and returns the store's
// invariants it breaks (store.Check).
func Invariants(ctx context.Context, path string) ([]string, error) {
	db, err := sqlite.Open(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var problems []string
	err = db.View(ctx, func(tx store.Tx) error {
		problems, err = store.Check(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	return problems, nil
}
