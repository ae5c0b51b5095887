package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// isolationOther is a service whose logs and work dir hold a secret.
const isolationOther = `app: iso
services:
  other:
    run: ["sh", "-c", "echo other-secret; echo other-secret > secret; exec sleep 600"]
`

// isolationProbe is isolationOther plus a service whose artifact, a
// script, tries everything an instance must not do and prints what it
// managed, then sleeps.
const isolationProbe = isolationOther + `  probe:
    run: ["./bin/probe.sh"]
    artifact: {path: ./bin/probe.sh, version: v1}
    env: {DATA: %q, OTHER: %q}
`

// probeScript is the probe's artifact.
const probeScript = `#!/bin/sh
echo uid=$(id -u)
grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status
cat "$DATA/slipway.db" >/dev/null 2>&1 && echo did:read-db
cat "$OTHER/stdout.log" 2>/dev/null | grep -q other-secret && echo did:read-other-log
cat "$OTHER/work/secret" >/dev/null 2>&1 && echo did:read-other-work
for f in /sys/fs/cgroup/cgroup.procs /sys/fs/cgroup/unified/cgroup.procs /sys/fs/cgroup/pids/cgroup.procs /sys/fs/cgroup/memory/cgroup.procs /sys/fs/cgroup/cpu/cgroup.procs; do
	[ -e "$f" ] && (echo $$ > "$f") 2>/dev/null && echo did:escape-cgroup $f
done
echo 'echo did:run-changed-bytes' >> "$0" 2>/dev/null && echo did:modify-artifact
echo probe-done
exec sleep 600
`

func TestInstancesAreIsolated(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("isolation applies when the server runs as root")
	}
	data := t.TempDir()
	srv := startServer(t, data)
	dir := t.TempDir()
	srv.mustCLI("apply", "-f", writeSpec(t, dir, "slipway.yaml", isolationOther), "--wait", "--timeout", "30s")
	other := srv.waitConverged(10*time.Second, map[string]int{"other": 1})
	otherDir := filepath.Join(data, "instances", first(t, other, "other").ID)

	writeProbe(t, dir)
	file := writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(isolationProbe, data, otherDir))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	svcs := srv.waitConverged(10*time.Second, map[string]int{"other": 1, "probe": 1})
	probe := first(t, svcs, "probe")
	lines := waitProbe(t, filepath.Join(data, "instances", probe.ID, "stdout.log"))
	t.Logf("probe said %q", lines)

	for _, want := range []string{"CapEff:\t0000000000000000", "CapBnd:\t0000000000000000", "NoNewPrivs:\t1"} {
		if !slices.Contains(lines, want) {
			t.Errorf("probe: no %q in %q", want, lines)
		}
	}
	if slices.Contains(lines, "uid=0") {
		t.Errorf("instance runs as root")
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "did:") {
			t.Errorf("instance %s", l)
		}
	}
	assertPrivate(t, data, filepath.Join(data, "slipway.db"),
		filepath.Join(data, "instances", probe.ID, "stdout.log"), filepath.Join(data, "instances", probe.ID, "stderr.log"))
}

func TestCorruptArtifactIsRefusedThenReuploaded(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the test corrupts the server's store as root")
	}
	data := t.TempDir()
	srv := startServer(t, data)
	dir := t.TempDir()
	writeProbe(t, dir)
	file := writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(isolationProbe, data, data))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	probe := first(t, srv.waitConverged(10*time.Second, map[string]int{"probe": 1, "other": 1}), "probe")
	waitProbe(t, filepath.Join(data, "instances", probe.ID, "stdout.log"))

	digest := "sha256:" + sha256File(t, filepath.Join(dir, "bin", "probe.sh"))
	object := filepath.Join(data, "artifacts", "sha256", strings.TrimPrefix(digest, "sha256:"))
	appendTo(t, object, "echo did:run-corrupt-bytes\n")
	if err := syscall.Kill(probe.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "a start refused naming the digest", func() (bool, string) {
		in := first(t, srv.services(), "probe")
		msg := in.LastExit + " " + in.Message
		return strings.Contains(msg, digest) && strings.Contains(msg, "corrupt"), msg
	})
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s") // uploads it again
	waitFor(t, 30*time.Second, "the probe running its original bytes", func() (bool, string) {
		in := first(t, srv.services(), "probe")
		return strings.EqualFold(in.State, "running") && in.PID != probe.PID, in.State
	})
	got, err := os.ReadFile(object)
	if err != nil || "sha256:"+sha256File(t, object) != digest {
		t.Fatalf("stored object after re-upload: %q, %v; want the original bytes", got, err)
	}
}

// writeProbe writes the probe's script as dir/bin/probe.sh.
func writeProbe(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "probe.sh"), []byte(probeScript), 0o755); err != nil {
		t.Fatal(err)
	}
}

// first returns the first instance of the named service.
func first(t *testing.T, svcs []api.Service, name string) api.Instance {
	t.Helper()
	svc, ok := find(svcs, name)
	if !ok || len(svc.Instances) == 0 {
		t.Fatalf("no instance of %s in %+v", name, svcs)
	}
	return svc.Instances[0]
}

// waitProbe waits for the probe's last line and returns its lines.
func waitProbe(t *testing.T, log string) []string {
	t.Helper()
	var lines []string
	waitFor(t, 10*time.Second, "the probe to finish", func() (bool, string) {
		data, _ := os.ReadFile(log)
		lines = strings.Split(strings.TrimSpace(string(data)), "\n")
		return slices.Contains(lines, "probe-done"), string(data)
	})
	return lines
}

// assertPrivate checks that the data folder is 0700 and files are
// readable by their owner only.
func assertPrivate(t *testing.T, data string, files ...string) {
	t.Helper()
	fi, err := os.Stat(data)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode %v, want 0700", fi.Mode().Perm())
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %v, want readable by its owner only", f, fi.Mode().Perm())
		}
	}
}

// appendTo appends text to a file, whatever its mode.
func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
