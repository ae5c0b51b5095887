package artifact_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/artifact"
)

// corrupt appends to a stored object, as an instance with a hard link to
// it once could.
func corrupt(t *testing.T, path string) {
	t.Helper()
	if err := os.Chmod(path, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\necho changed\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// putScript stores a script and returns its digest and stored path.
func putScript(t *testing.T, s *artifact.Store) (digest, path string) {
	t.Helper()
	digest, err := s.Put(strings.NewReader(script))
	if err != nil {
		t.Fatal(err)
	}
	path, err = s.Path(digest)
	if err != nil {
		t.Fatal(err)
	}
	return digest, path
}

const script = "#!/bin/sh\necho original\n"

func TestCorruptObjectIsNotUsed(t *testing.T) {
	s := artifact.New(t.TempDir())
	digest, path := putScript(t, s)
	corrupt(t, path)
	_, err := s.Path(digest)
	if !errors.Is(err, artifact.ErrCorrupt) || !strings.Contains(err.Error(), digest) {
		t.Fatalf("Path of a corrupt object: %v, want ErrCorrupt naming %s", err, digest)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("corrupt object still stored: %v", err)
	}
	if s.Has(digest) {
		t.Fatal("Has answers true for a removed corrupt object: the CLI would not upload it again")
	}
	if _, err := s.Open(digest); !errors.Is(err, artifact.ErrNotFound) {
		t.Fatalf("Open after removal: %v, want ErrNotFound", err)
	}
	if err := s.PutVerified(strings.NewReader(script), digest); err != nil {
		t.Fatalf("re-upload: %v", err)
	}
	assertIntact(t, s, digest)
}

func TestUploadReplacesCorruptObject(t *testing.T) {
	s := artifact.New(t.TempDir())
	digest, path := putScript(t, s)
	corrupt(t, path)
	// A new store (a restarted server) has checked nothing yet.
	s = artifact.New(strings.TrimSuffix(path, "/sha256/"+strings.TrimPrefix(digest, "sha256:")))
	if err := s.PutVerified(strings.NewReader(script), digest); err != nil {
		t.Fatalf("upload over a corrupt object: %v", err)
	}
	assertIntact(t, s, digest)
}

func TestCorruptionAfterCheckIsSeen(t *testing.T) {
	s := artifact.New(t.TempDir())
	digest, path := putScript(t, s) // checked once, remembered
	corrupt(t, path)
	if _, err := s.Path(digest); !errors.Is(err, artifact.ErrCorrupt) {
		t.Fatalf("Path after a change: %v, want ErrCorrupt", err)
	}
}

func TestCopyFile(t *testing.T) {
	s := artifact.New(t.TempDir())
	digest, path := putScript(t, s)
	dst := t.TempDir() + "/app.sh"
	if err := artifact.CopyFile(path, dst, digest, 0o555); err != nil {
		t.Fatal(err)
	}
	src, _ := os.Stat(path)
	got, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(src, got) || got.Mode().Perm() != 0o555 {
		t.Fatalf("copy is %v (same file as the object: %v), want a file of its own, mode 0555", got.Mode(), os.SameFile(src, got))
	}
	corrupt(t, path)
	bad := t.TempDir() + "/app.sh"
	err = artifact.CopyFile(path, bad, digest, 0o555)
	if !errors.Is(err, artifact.ErrCorrupt) || !strings.Contains(err.Error(), digest) {
		t.Fatalf("copy of a corrupt object: %v, want ErrCorrupt naming %s", err, digest)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Fatalf("a corrupt copy was left: %v", err)
	}
}

// assertIntact checks that digest is stored with the script's bytes.
func assertIntact(t *testing.T, s *artifact.Store, digest string) {
	t.Helper()
	path, err := s.Path(digest)
	if err != nil {
		t.Fatalf("Path: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != script {
		t.Fatalf("stored bytes = %q, %v; want the original", data, err)
	}
}
