package e2e

// `slipway artifact push --git DIR` reads the commit and its time from a
// checkout, and every commit since the previous version's: each one's
// lead time counts in the DORA metrics.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

func TestArtifactPushReadsCommitsFromGit(t *testing.T) {
	s := startServer(t, t.TempDir())
	repo := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	commit := func(msg string) string {
		if err := os.WriteFile(filepath.Join(repo, "f"), []byte(msg), 0o644); err != nil {
			t.Fatal(err)
		}
		git("add", "f")
		git("commit", "-q", "-m", msg)
		return git("rev-parse", "HEAD")
	}
	file := filepath.Join(t.TempDir(), "order")
	data, err := os.ReadFile(bin.order)
	if err != nil {
		t.Fatal(err)
	}
	push := func(version string, extra byte) {
		if err := os.WriteFile(file, append(data, extra), 0o755); err != nil {
			t.Fatal(err)
		}
		s.mustCLI("artifact", "push", file, "--service", "order", "--version", version, "--git", repo)
	}

	c1 := commit("one")
	push("v1", 1)
	c2, c3 := commit("two"), commit("three")
	push("v2", 2)

	var vs []api.Version
	if err := s.getJSON("/v1/versions?service=order", &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 {
		t.Fatalf("versions: %+v", vs)
	}
	if vs[0].Commit != c1 || len(vs[0].Commits) != 1 {
		t.Errorf("v1: commit %s with %d commits; want %s, the first", vs[0].Commit, len(vs[0].Commits), c1)
	}
	var ids []string
	for _, c := range vs[1].Commits {
		ids = append(ids, c.ID)
	}
	if vs[1].Commit != c3 || strings.Join(ids, ",") != c3+","+c2 {
		t.Errorf("v2: commit %s carrying %v; want %s carrying %s,%s (newest first, not v1's)", vs[1].Commit, ids, c3, c3, c2)
	}
	if vs[1].CommitTime.IsZero() {
		t.Error("v2 has no commit time")
	}

	// The same label with other bytes is refused; the same bytes again is
	// not an error.
	if r := s.cli("artifact", "push", file, "--service", "order", "--version", "v1"); r.code == 0 || !strings.Contains(r.stderr, "already pushed with digest") {
		t.Errorf("re-pushing v1 with v2's bytes: %s", r)
	}
	s.mustCLI("artifact", "push", file, "--service", "order", "--version", "v2")
	if r := s.cli("artifact", "push", file, "--service", "order", "--version", "v3", "--git", repo, "--commit", c1); r.code == 0 ||
		!strings.Contains(r.stderr, "--git reads the commit") {
		t.Errorf("--git with --commit: %s", r)
	}
}
