package process

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// rootLayout is a data folder laid out as the server lays it out: mode
// 0700, a database only its owner reads, and the driver's directory.
type rootLayout struct {
	data, db string
	d        *Driver
}

// newRootLayout builds a rootLayout, or skips when the test is not root
// (isolation applies only to a server running as root).
func newRootLayout(t *testing.T) rootLayout {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("instances run as the server's user when it is not root")
	}
	data := t.TempDir()
	if err := os.Chmod(data, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(data, "slipway.db")
	if err := os.WriteFile(db, []byte("secret database"), 0o600); err != nil {
		t.Fatal(err)
	}
	return rootLayout{data: data, db: db, d: New(filepath.Join(data, "instances"), Options{Logger: quiet})}
}

// probe runs script as an instance of service and returns its log lines
// once it has ended.
func (l rootLayout) probe(t *testing.T, id, service, script string) []string {
	t.Helper()
	s := workload.InstanceSpec{
		ID: id, Service: service,
		Command: []string{"sh", "-c", script},
		Env:     map[string]string{"PATH": "/usr/bin:/bin"},
	}
	startSpec(t, l.d, s)
	workloadtest.WaitEnded(t, l.d, id)
	lines, err := l.d.Logs(context.Background(), id, 1000)
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	return lines
}

// rootCgroupProcs lists the root cgroup.procs files present: v2 (the
// unified mount, or /sys/fs/cgroup itself) and each v1 hierarchy.
func rootCgroupProcs() []string {
	var out []string
	for _, p := range []string{"", "unified", "pids", "memory", "cpu", "cpu,cpuacct"} {
		f := filepath.Join("/sys/fs/cgroup", p, "cgroup.procs")
		if _, err := os.Stat(f); err == nil && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func TestInstanceIsNotRoot(t *testing.T) {
	l := newRootLayout(t)
	lines := l.probe(t, "whoami-1", "whoami", "id -u; id -g; id -G")
	if len(lines) < 3 {
		t.Fatalf("id printed %q", lines)
	}
	for i, what := range []string{"uid", "gid", "groups"} {
		if strings.Fields(lines[i])[0] == "0" || strings.Contains(" "+lines[i]+" ", " 0 ") {
			t.Errorf("instance %s = %q, want not root", what, lines[i])
		}
	}
}

func TestInstanceHasNoCapabilities(t *testing.T) {
	l := newRootLayout(t)
	lines := l.probe(t, "caps-1", "caps", "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status")
	want := map[string]string{
		"CapInh": "0000000000000000", "CapPrm": "0000000000000000", "CapEff": "0000000000000000",
		"CapBnd": "0000000000000000", "CapAmb": "0000000000000000", "NoNewPrivs": "1",
	}
	got := map[string]string{}
	for _, line := range lines {
		if k, v, ok := strings.Cut(line, ":"); ok {
			got[k] = strings.TrimSpace(v)
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestInstanceCannotLeaveItsCgroup(t *testing.T) {
	l := newRootLayout(t)
	if _, err := detectCgroups("/sys/fs/cgroup"); err != nil {
		t.Skipf("no usable cgroups: %v", err)
	}
	files := rootCgroupProcs()
	dirs := l.d.cgroups().dirs("cg-1")
	var script strings.Builder
	script.WriteString("grep -q slipway/cg-1 /proc/self/cgroup && echo in-own-cgroup\n")
	fmt.Fprintf(&script, "echo pids.max=$(cat %s/pids.max)\n", dirs[len(dirs)-1])
	for _, f := range files {
		fmt.Fprintf(&script, "echo $$ 2>/dev/null > %s && echo escaped %s\n", f, f)
	}
	lines := l.probe(t, "cg-1", "cg", script.String())
	if !slices.Contains(lines, "in-own-cgroup") {
		t.Errorf("instance with no resources: is not in a cgroup of its own: %q", lines)
	}
	for _, line := range lines {
		if strings.HasPrefix(line, "escaped") {
			t.Errorf("instance %s", line)
		}
	}
	if want := fmt.Sprint("pids.max=", DefaultPIDs); !slices.Contains(lines, want) {
		t.Errorf("instance with no resources: got %q, want %q", lines, want)
	}
}

func TestInstanceCannotReadOthers(t *testing.T) {
	l := newRootLayout(t)
	src := filepath.Join(l.data, "object")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho other-secret-artifact\n"), 0o555); err != nil {
		t.Fatal(err)
	}
	startSpec(t, l.d, workload.InstanceSpec{
		ID: "other-1", Service: "other",
		Command:  []string{"sh", "-c", "./app.sh; echo other-secret-log; echo other-secret-file > secret"},
		Env:      map[string]string{"PATH": "/usr/bin:/bin"},
		Artifact: src, ArtifactPath: "app.sh",
	})
	workloadtest.WaitEnded(t, l.d, "other-1")
	other, _ := l.d.Logs(context.Background(), "other-1", 10)
	if !slices.Contains(other, "other-secret-log") || !slices.Contains(other, "other-secret-artifact") {
		t.Fatalf("other instance printed %q", other)
	}
	otherDir := filepath.Join(l.d.dir, "other-1")
	script := fmt.Sprintf(`
cat %[1]s && echo read-db
cat %[2]s/stdout.log && echo read-log
cat %[2]s/work/secret && echo read-work
ls %[2]s/work && echo list-work
cat %[2]s/artifact/app.sh && echo read-artifact
ls %[3]s && echo list-instances
echo mine > mine && cat "$(/bin/pwd)/mine" && echo wrote-own-work
`, l.db, otherDir, l.d.dir)
	lines := l.probe(t, "nosy-1", "nosy", script)
	all := strings.Join(lines, "\n")
	for _, bad := range []string{"read-db", "read-log", "read-work", "list-work", "read-artifact", "list-instances", "secret database", "other-secret-log", "other-secret-file", "other-secret-artifact"} {
		if strings.Contains(all, bad) {
			t.Errorf("instance of another service could: %s (%q)", bad, lines)
		}
	}
	if !slices.Contains(lines, "wrote-own-work") {
		t.Errorf("instance could not use its own work dir: %q", lines)
	}
}

func TestInstanceDirModes(t *testing.T) {
	l := newRootLayout(t)
	l.probe(t, "modes-1", "modes", "echo hello")
	dir := filepath.Join(l.d.dir, "modes-1")
	for _, c := range []struct {
		path string
		mask os.FileMode // bits that must be clear
	}{
		{filepath.Join(dir, "work"), 0o077},
		{filepath.Join(dir, stdoutLog), 0o077},
		{filepath.Join(dir, stderrLog), 0o077},
		{filepath.Join(dir, "instance.json"), 0o077},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&c.mask != 0 {
			t.Errorf("%s mode %v, want none of %v", c.path, fi.Mode().Perm(), c.mask)
		}
	}
}

func TestInstanceCannotModifyItsArtifact(t *testing.T) {
	l := newRootLayout(t)
	src := filepath.Join(l.data, "store-object")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho original\n"), 0o555); err != nil {
		t.Fatal(err)
	}
	s := workload.InstanceSpec{
		ID: "art-1", Service: "art",
		Command:  []string{"sh", "-c", "./app.sh; echo 'echo changed' >> ./app.sh && echo appended; chmod u+w app.sh && echo chmodded; ./app.sh"},
		Env:      map[string]string{"PATH": "/usr/bin:/bin"},
		Artifact: src, ArtifactPath: "app.sh",
	}
	startSpec(t, l.d, s)
	workloadtest.WaitEnded(t, l.d, s.ID)
	lines, _ := l.d.Logs(context.Background(), s.ID, 100)
	if count := strings.Count(strings.Join(lines, "\n"), "original"); count != 2 {
		t.Errorf("artifact ran %d times unchanged, want 2: %q", count, lines)
	}
	if slices.Contains(lines, "appended") || slices.Contains(lines, "chmodded") || slices.Contains(lines, "changed") {
		t.Errorf("instance changed its artifact: %q", lines)
	}
	if data, _ := os.ReadFile(src); string(data) != "#!/bin/sh\necho original\n" {
		t.Errorf("stored object changed: %q", data)
	}
}

func TestLookPathSkipsWhatTheUserCannotRun(t *testing.T) {
	l := newRootLayout(t)
	private := filepath.Join(l.data, "home", "bin") // under a 0700 folder
	if err := os.MkdirAll(private, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(private, "id"), []byte("#!/bin/sh\necho private\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := workload.InstanceSpec{
		ID: "path-1", Service: "path",
		Command: []string{"id", "-u"},
		Env:     map[string]string{"PATH": private + ":/usr/bin:/bin"},
	}
	startSpec(t, l.d, s)
	workloadtest.WaitEnded(t, l.d, s.ID)
	lines, _ := l.d.Logs(context.Background(), s.ID, 10)
	if len(lines) != 1 || lines[0] == "private" || lines[0] == "0" {
		t.Fatalf("id -u printed %q, want the instance's uid from /usr/bin/id", lines)
	}
}

func TestExecChecksRunAsTheInstance(t *testing.T) {
	l := newRootLayout(t)
	s := workload.InstanceSpec{
		ID: "check-1", Service: "check",
		Command: []string{"sh", "-c", "printf '#!/bin/sh\\nid -u\\n' > check.sh; chmod +x check.sh; echo planted; exec sleep 60"},
		Env:     map[string]string{"PATH": "/usr/bin:/bin"},
	}
	startSpec(t, l.d, s)
	workloadtest.WaitLog(t, l.d, s.ID, "planted")
	for _, argv := range [][]string{{"id", "-u"}, {"./check.sh"}} {
		out, err := workload.ExecOutput(context.Background(), l.d, s.ID, argv)
		got := strings.TrimSpace(string(out))
		if err != nil || got == "" || got == "0" {
			t.Errorf("Exec(%q) = %q, %v; want the instance's uid, not root", argv, got, err)
		}
	}
}

// TestInstanceReachesItsDirUnderAPrivateRunDir: /run/slipway made 0700
// (a root server's runtime folder used to make it so when no system
// socket had made it first, and an earlier release leaves it so until
// the host restarts) kept every instance from entering its work
// directory. Starting an instance opens it to traversal again.
func TestInstanceReachesItsDirUnderAPrivateRunDir(t *testing.T) {
	l := newRootLayout(t)
	parent := filepath.Dir(InstanceMount)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(parent)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(parent, fi.Mode().Perm()|0o011) })
	if err := os.Chmod(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	work := InstanceMount + "/work"
	lines := l.probe(t, "svc-1", "svc", "echo hello > "+work+"/mine && cat "+work+"/mine")
	if !slices.Contains(lines, "hello") {
		t.Fatalf("instance could not use its work dir under a 0700 %s: %q", parent, lines)
	}
}
