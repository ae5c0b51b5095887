package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

func TestArtifactCommit(t *testing.T) {
	src := `app: shop
services:
  web:
    run: [./bin/web]
    artifact:
      path: ./bin/web
      commit: 4F2A9C1E
      commitTime: 2025-03-01T10:30:00+01:00
  digits:
    run: [./bin/digits]
    artifact: {path: ./bin/digits, commit: 1234567}
`
	app := mustParse(t, src)
	a := app.Services["web"].Artifact
	if a.Commit != "4f2a9c1e" || a.CommitTime != "2025-03-01T10:30:00+01:00" {
		t.Errorf("artifact = %+v; want commit in lower case and the time as written", a)
	}
	when, ok := a.CommitTime.Time()
	if want := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC); !ok || !when.Equal(want) {
		t.Errorf("CommitTime.Time() = %v, %v; want %v", when, ok, want)
	}
	if d := app.Services["digits"].Artifact; d.Commit != "1234567" || d.CommitTime != "" {
		t.Errorf("all-digit commit read as %+v", d)
	}
	if _, ok := Timestamp("").Time(); ok {
		t.Error("an empty timestamp has a time")
	}
}

func TestArtifactCommitProblems(t *testing.T) {
	ps := problemsOf(t, web+`  api:
    run: [./bin/api]
    artifact:
      path: ./bin/api
      commit: not-a-sha
      commitTime: yesterday
  old:
    run: [./bin/old]
    artifact: {path: ./bin/old, commit: [abc], commitTime: 2025-03-01}
`)
	want := []string{
		`slipway.yaml:9: services.api.artifact.commit: must be a commit id of 7 to 64 hex digits (git log -1 --format=%H), got "not-a-sha"`,
		`slipway.yaml:10: services.api.artifact.commitTime: must be a time in RFC 3339 like 2025-03-01T09:30:00Z (git log -1 --format=%cI), got "yesterday"`,
		`slipway.yaml:13: services.old.artifact.commit: must be a commit id like 4f2a9c1, got a list`,
		`slipway.yaml:13: services.old.artifact.commitTime: must be a time in RFC 3339 like 2025-03-01T09:30:00Z (git log -1 --format=%cI), got "2025-03-01"`,
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestArtifactCommitChangesRevision(t *testing.T) {
	base := "app: shop\nservices:\n  web:\n    run: [./bin/web]\n    artifact: {path: ./bin/web, commit: %s, commitTime: \"2025-03-01T09:30:00Z\"}\n"
	old := mustParse(t, fmt.Sprintf(base, "aaaaaaa"))
	changed := Diff(old.Services, mustParse(t, fmt.Sprintf(base, "bbbbbbb")).Services)
	if len(changed.Changed) != 1 || changed.Changed[0].Fields[0] != (FieldChange{Path: "artifact.commit", Old: "aaaaaaa", New: "bbbbbbb"}) {
		t.Errorf("Diff of a new commit = %+v", changed)
	}
	if same := Diff(old.Services, mustParse(t, fmt.Sprintf(base, "aaaaaaa")).Services); len(same.Changed) != 0 {
		t.Errorf("Diff of the same commit = %+v", same)
	}
}
