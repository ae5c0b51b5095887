package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckArtifacts(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bin", "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "ok"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	app := mustParse(t, `app: shop
services:
  ok:
    run: [./bin/ok]
    artifact: {path: ./bin/ok}
  missing:
    run: [./bin/order]
    artifact:
      path: ./bin/order
  dir:
    run: [./bin/dir]
    artifact: {path: bin/dir}
  pinned:
    run: [./bin/pinned]
    artifact: {path: bin/pinned, digest: "sha256:`+strings.Repeat("a", 64)+`"}
`)
	err := app.CheckArtifacts(dir)
	var ps *Problems
	if !errors.As(err, &ps) {
		t.Fatalf("CheckArtifacts = %v, want *Problems", err)
	}
	want := "slipway.yaml:9: services.missing.artifact.path: file ./bin/order does not exist\n" +
		"slipway.yaml:12: services.dir.artifact.path: bin/dir is a directory; an artifact must be a regular file (pack a directory as an archive)"
	if err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	delete(app.Services, "missing")
	delete(app.Services, "dir")
	if err := app.CheckArtifacts(dir); err != nil {
		t.Errorf("CheckArtifacts = %v, want nil", err)
	}
}

func TestDigest(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Digest(p)
	want := "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
	if err != nil || got != want {
		t.Errorf("Digest = %q, %v; want %q", got, err, want)
	}
	if _, err := Digest(p + ".missing"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Digest of a missing file = %v, want ErrNotExist", err)
	}
}
