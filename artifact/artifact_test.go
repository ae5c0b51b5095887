package artifact_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/slipway-dev/slipway/artifact"
)

func digestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// files lists the names in dir/sha256 (temp files included).
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "sha256"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestNewDoesNoIO(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s := artifact.New(dir)
	if s.Has(digestOf("x")) {
		t.Error("Has on an empty store")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("New or Has created %s: %v", dir, err)
	}
}

func TestPut(t *testing.T) {
	dir := t.TempDir()
	s := artifact.New(dir)
	const content = "#!/bin/sh\necho hello\n"
	for range 2 { // the second Put is a no-op
		got, err := s.Put(strings.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		if got != digestOf(content) {
			t.Fatalf("digest: got %s, want %s", got, digestOf(content))
		}
	}
	want := digestOf(content)
	if names := files(t, dir); len(names) != 1 || names[0] != strings.TrimPrefix(want, "sha256:") {
		t.Errorf("files: %v, want just the digest", names)
	}
	path, err := s.Path(want)
	if err != nil || !s.Has(want) {
		t.Fatalf("Path: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o555 {
		t.Errorf("mode: %v, %v; want 0555", info.Mode(), err)
	}
	f, err := s.Open(want)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if b, _ := io.ReadAll(f); string(b) != content {
		t.Errorf("content: %q", b)
	}
}

func TestConcurrentPutSameContent(t *testing.T) {
	dir := t.TempDir()
	s := artifact.New(dir)
	content := strings.Repeat("artifact ", 100_000)
	var wg sync.WaitGroup
	digests := make([]string, 16)
	errs := make([]error, 16)
	for i := range digests {
		wg.Go(func() { digests[i], errs[i] = s.Put(strings.NewReader(content)) })
	}
	wg.Wait()
	for i := range digests {
		if errs[i] != nil || digests[i] != digestOf(content) {
			t.Errorf("Put %d: %s, %v", i, digests[i], errs[i])
		}
	}
	if names := files(t, dir); len(names) != 1 {
		t.Errorf("files after concurrent Puts: %v, want one", names)
	}
	f, err := s.Open(digestOf(content))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if b, _ := io.ReadAll(f); string(b) != content {
		t.Error("content changed")
	}
}

func TestPutVerified(t *testing.T) {
	dir := t.TempDir()
	s := artifact.New(dir)
	if err := s.PutVerified(strings.NewReader("good"), digestOf("good")); err != nil {
		t.Fatal(err)
	}
	err := s.PutVerified(strings.NewReader("evil"), digestOf("other"))
	if !errors.Is(err, artifact.ErrDigestMismatch) {
		t.Fatalf("mismatch: got %v, want ErrDigestMismatch", err)
	}
	if s.Has(digestOf("evil")) || s.Has(digestOf("other")) {
		t.Error("mismatched content was stored")
	}
	if names := files(t, dir); len(names) != 1 {
		t.Errorf("files after mismatch: %v, want only the good one", names)
	}
	if err := s.PutVerified(strings.NewReader("x"), "sha256:nope"); !errors.Is(err, artifact.ErrInvalidDigest) {
		t.Errorf("malformed want: got %v, want ErrInvalidDigest", err)
	}
}

func TestFailedReadLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	s := artifact.New(dir)
	r := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(errors.New("disk gone")))
	if _, err := s.Put(r); err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Fatalf("Put with a failing reader: %v", err)
	}
	if names := files(t, dir); len(names) != 0 {
		t.Errorf("files after a failed Put: %v", names)
	}
}

func TestMalformedDigests(t *testing.T) {
	dir := t.TempDir()
	s := artifact.New(dir)
	valid := digestOf("x")
	hex := strings.TrimPrefix(valid, "sha256:")
	for _, d := range []string{
		"",
		"sha256:",
		hex,
		"sha512:" + hex,
		"SHA256:" + hex,
		"sha256:" + strings.ToUpper(hex),
		"sha256:" + hex[:63],
		"sha256:" + hex + "0",
		"sha256:../../../../etc/passwd",
		"sha256:" + hex[:60] + "/../",
		"sha256:" + hex[:62] + "..",
		"sha256:.tmp-123",
		"sha256:" + hex[:63] + "\x00",
	} {
		if _, err := s.Path(d); !errors.Is(err, artifact.ErrInvalidDigest) {
			t.Errorf("Path(%q): got %v, want ErrInvalidDigest", d, err)
		}
		if _, err := s.Open(d); !errors.Is(err, artifact.ErrInvalidDigest) {
			t.Errorf("Open(%q): got %v, want ErrInvalidDigest", d, err)
		}
		if s.Has(d) {
			t.Errorf("Has(%q) = true", d)
		}
	}
	if _, err := s.Path(valid); !errors.Is(err, artifact.ErrNotFound) {
		t.Errorf("Path of a missing digest: got %v, want ErrNotFound", err)
	}
	if _, err := s.Open(valid); !errors.Is(err, artifact.ErrNotFound) {
		t.Errorf("Open of a missing digest: got %v, want ErrNotFound", err)
	}
}
