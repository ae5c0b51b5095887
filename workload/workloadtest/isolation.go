package workloadtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/workload"
)

// testNotRoot checks that a test running as root does not run instances
// as root (a spec with no User gets an unprivileged one).
func testNotRoot(t *testing.T, s *suite) {
	spec, _ := s.start(t, PrintUser)
	waitEnded(t, s.Driver, spec.ID)
	lines, err := s.Driver.Logs(context.Background(), spec.ID, 10)
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "uid=") }) {
		t.Fatalf("no uid line in %q", lines)
	}
	if slices.Contains(lines, "uid=0") {
		t.Fatalf("instance runs as root: %q", lines)
	}
}

// artifactScript is the artifact testArtifactReadOnly runs.
const artifactScript = "#!/bin/sh\necho artifact ran\n"

// testArtifactReadOnly checks that an instance runs its artifact and can
// change neither its copy nor the file it came from.
func testArtifactReadOnly(t *testing.T, s *suite) {
	src := filepath.Join(t.TempDir(), "object")
	if err := os.WriteFile(src, []byte(artifactScript), 0o555); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(artifactScript))
	spec, _ := s.startWith(t, ModifyArtifact, func(is *workload.InstanceSpec) {
		is.Artifact, is.ArtifactPath = src, "bin/app.sh"
		is.ArtifactDigest = "sha256:" + hex.EncodeToString(sum[:])
	})
	waitEnded(t, s.Driver, spec.ID)
	lines, err := s.Driver.Logs(context.Background(), spec.ID, 10)
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	if count(lines, "artifact ran") != 2 || slices.Contains(lines, "modified") || slices.Contains(lines, "changed") {
		t.Fatalf("logs = %q, want the artifact to run twice, unchanged", lines)
	}
	if data, _ := os.ReadFile(src); string(data) != artifactScript {
		t.Fatalf("the artifact's source changed: %q", data)
	}
}
