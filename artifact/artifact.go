package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// fileMode is the mode of stored artifacts: read-only, executable.
const fileMode = 0o555

// Store is a content-addressed file store rooted at a directory. Safe for
// concurrent use, by goroutines and by processes sharing the directory.
//
// Every object is checked against its digest before the store hands it out
// (Path, Open, Has): a corrupt object is removed and reported as
// ErrCorrupt, and an upload of its digest stores it again. A check is
// remembered while the file's inode, size and change time stay the same
// (writing to a file, or changing its mode, moves its ctime, which no
// unprivileged process can set back).
type Store struct {
	dir string

	mu       sync.Mutex // guards verified
	verified map[string]stamp
}

// New returns a store rooted at dir. It does no I/O: directories are
// created by the first Put.
func New(dir string) *Store { return &Store{dir: dir, verified: map[string]stamp{}} }

// Put stores r's content and returns its digest, "sha256:<hex>". Putting
// content that is already stored is a no-op that returns the same digest.
func (s *Store) Put(r io.Reader) (string, error) {
	return s.put(r, "")
}

// PutVerified stores r's content only if its digest is want; otherwise it
// returns ErrDigestMismatch and leaves nothing behind.
func (s *Store) PutVerified(r io.Reader, want string) error {
	if _, err := parseDigest(want); err != nil {
		return fmt.Errorf("put artifact: %w", err)
	}
	_, err := s.put(r, want)
	return err
}

// Has reports whether an artifact with digest is stored, intact.
func (s *Store) Has(digest string) bool {
	_, err := s.Path(digest)
	return err == nil
}

// Path returns the file holding digest's content, once it has checked
// that the content hashes to digest: ErrInvalidDigest when digest is
// malformed, ErrNotFound when it is not stored, ErrCorrupt (and the object
// is removed) when its bytes changed. Use the file through CopyFile, never
// a link: a link shares the stored bytes with whoever can write the link.
func (s *Store) Path(digest string) (string, error) {
	hex, err := parseDigest(digest)
	if err != nil {
		return "", err
	}
	path := filepath.Join(s.dir, algorithm, hex)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%w: %s", ErrNotFound, digest)
	} else if err != nil {
		return "", fmt.Errorf("stat artifact %s: %w", digest, err)
	}
	if err := s.verify(digest, path); err != nil {
		return "", err
	}
	return path, nil
}

// Open opens digest's content for reading.
func (s *Store) Open(digest string) (*os.File, error) {
	path, err := s.Path(digest)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open artifact %s: %w", digest, err)
	}
	return f, nil
}

// put writes r to a temp file, checks its digest against want (unless
// empty) and renames it into place.
func (s *Store) put(r io.Reader, want string) (string, error) {
	dir := filepath.Join(s.dir, algorithm)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("put artifact: %w", err)
	}
	// Only the server reads the store (an older release made it 0755);
	// instances get copies.
	if err := os.Chmod(s.dir, 0o700); err != nil {
		return "", fmt.Errorf("put artifact: %w", err)
	}
	tmp, digest, err := writeTemp(dir, r)
	if err != nil {
		return "", fmt.Errorf("put artifact: %w", err)
	}
	defer os.Remove(tmp) // fails harmlessly once renamed
	if want != "" && digest != want {
		return "", fmt.Errorf("put artifact: %w: got %s, want %s", ErrDigestMismatch, digest, want)
	}
	if err := s.install(tmp, digest, filepath.Join(dir, digest[len(prefix):])); err != nil {
		return "", fmt.Errorf("put artifact %s: %w", digest, err)
	}
	return digest, nil
}

// writeTemp copies r into a new read-only temp file in dir, hashing it on
// the way, and syncs it. It returns the file's name and digest; on error
// it leaves no file behind.
func writeTemp(dir string, r io.Reader) (name, digest string, err error) {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return "", "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), r); err != nil {
		return "", "", fmt.Errorf("write: %w", err)
	}
	if err := f.Chmod(fileMode); err != nil {
		return "", "", err
	}
	if err := f.Sync(); err != nil {
		return "", "", fmt.Errorf("sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", "", err
	}
	return f.Name(), prefix + hex.EncodeToString(h.Sum(nil)), nil
}

// install renames tmp to final unless final exists intact (same digest,
// same content), then syncs the directory so the rename survives a crash.
// A corrupt final is replaced. Two concurrent installs of one content both
// succeed: rename replaces atomically and either file holds the same
// bytes.
func (s *Store) install(tmp, digest, final string) error {
	if _, err := os.Lstat(final); err == nil && s.verify(digest, final) == nil {
		return nil
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(final))
}
