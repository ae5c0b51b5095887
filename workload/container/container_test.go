package container_test

import (
	"archive/tar"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/container"
	"github.com/slipway-dev/slipway/workload/instdir"
	"github.com/slipway-dev/slipway/workload/process"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// run starts s on d, waits for it to end, and returns its logs.
func run(t *testing.T, d *container.Driver, s workload.InstanceSpec) (workload.Status, []string) {
	t.Helper()
	if _, err := d.Start(context.Background(), s); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background(), s.ID, 0) })
	st := workloadtest.WaitEnded(t, d, s.ID)
	lines, err := d.Logs(context.Background(), s.ID, 100)
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	return st, lines
}

func TestExitRecordedWhileNoDriverRuns(t *testing.T) {
	imagetest.NeedContainers(t)
	d, dir := newDriver(t)
	s := shellSpec(t, newID("exit"), "sleep 0.3; exit 7")
	if _, err := d.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	// The first driver is gone (never asked again); the container ends
	// with nobody watching but its monitor.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, s.ID, "exit.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the monitor wrote no exit status")
		}
		time.Sleep(20 * time.Millisecond)
	}
	d2 := container.New(dir, container.Options{})
	t.Cleanup(func() { _ = d2.Stop(context.Background(), s.ID, 0) }) // waits for the monitor
	st, err := d2.Status(context.Background(), s.ID)
	if err != nil || st.Running || st.Exit != "exit status 7" || st.ExitedAt.IsZero() {
		t.Fatalf("new driver's Status = %+v, %v; want ended with exit status 7", st, err)
	}
}

func TestKilledContainerEndsWithItsSignal(t *testing.T) {
	imagetest.NeedContainers(t)
	d, _ := newDriver(t)
	s := shellSpec(t, newID("kill"), "echo up; sleep 60")
	st, err := d.Start(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background(), s.ID, 0) })
	workloadtest.WaitLog(t, d, s.ID, "up")
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	end := workloadtest.WaitEnded(t, d, s.ID)
	if end.Exit != "signal: killed" {
		t.Fatalf("Exit = %q, want signal: killed", end.Exit)
	}
	// And it starts again in place.
	again, err := d.Start(context.Background(), s)
	if err != nil || !again.Running || again.PID == st.PID {
		t.Fatalf("restart = %+v, %v", again, err)
	}
}

func TestMemoryLimitKills(t *testing.T) {
	imagetest.NeedContainers(t)
	d, _ := newDriver(t)
	s := shellSpec(t, newID("mem"), `dd if=/dev/zero of=/dev/null bs=96M count=1 2>/dev/null; echo "dd=$?"; dd if=/dev/zero of=/dev/null bs=8M count=1 2>/dev/null; echo "small=$?"`)
	s.Resources.Memory = 32 << 20
	_, lines := run(t, d, s)
	// SIGKILL by the OOM killer: status 128+9.
	if !slices.Contains(lines, "dd=137") || !slices.Contains(lines, "small=0") {
		t.Fatalf("a 96 MiB buffer under a 32 MiB limit, then an 8 MiB one: logs %q, want dd=137 and small=0", lines)
	}
}

func TestPidsLimitRefusesForks(t *testing.T) {
	imagetest.NeedContainers(t)
	d, _ := newDriver(t)
	s := shellSpec(t, newID("pids"), `i=0; while [ $i -lt 30 ]; do sleep 5 & i=$((i+1)); done; echo done`)
	s.Resources.PIDs = 8
	_, lines := run(t, d, s)
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "can't fork") }) {
		t.Fatalf("30 forks under a limit of 8: logs %q, want a refused fork", lines)
	}
}

func TestIsolation(t *testing.T) {
	imagetest.NeedContainers(t)
	d, dir := newDriver(t)
	s := shellSpec(t, newID("iso"), strings.Join([]string{
		"touch /bin/planted && echo wrote-root",
		"touch /etc/hosts && echo wrote-hosts",
		"echo hi > /work/mine && echo wrote-work",
		"echo hi > /tmp/t && echo wrote-tmp",
		`echo "procs=$(ls /proc | grep -c '^[0-9]')"`,
		`echo "uid=$(id -u)"`,
		`echo "cwd=$(pwd)"`,
	}, "; "))
	s.Command = []string{"sh", "-c", s.Command[2]}
	s.Env["PATH"] = "/bin"
	_, lines := run(t, d, s)
	for _, bad := range []string{"wrote-root", "wrote-hosts"} {
		if slices.Contains(lines, bad) {
			t.Errorf("instance could write: %s (logs %q)", bad, lines)
		}
	}
	for _, good := range []string{"wrote-work", "wrote-tmp", "cwd=/work"} {
		if !slices.Contains(lines, good) {
			t.Errorf("missing %q in logs %q", good, lines)
		}
	}
	if slices.Contains(lines, "uid=0") {
		t.Errorf("runs as root: %q", lines)
	}
	for _, l := range lines {
		if n, ok := strings.CutPrefix(l, "procs="); ok {
			if k, _ := strconv.Atoi(n); k == 0 || k > 5 {
				t.Errorf("instance sees %s processes in /proc, want only its own few", n)
			}
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, s.ID, "work", "mine")); err != nil || string(data) != "hi\n" {
		t.Errorf("work/mine on the host = %q, %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(s.Image.Rootfs, "bin", "planted")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the shared root filesystem changed")
	}
}

// appImage is busybox plus an app directory as the working directory and
// a non-root user.
func appImage(t *testing.T) *workload.Image {
	return testImage(t, "app", func() (v1.Image, error) {
		files, err := imagetest.Busybox()
		if err != nil {
			return nil, err
		}
		files = slices.DeleteFunc(files, func(f imagetest.File) bool { return f.Name == "etc/passwd" })
		files = append(files,
			imagetest.File{Name: "app/", Type: tar.TypeDir},
			imagetest.File{Name: "app/hello.txt", Body: []byte("hello from the image\n"), Mode: 0o644},
			imagetest.File{Name: "etc/passwd", Body: []byte("root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/app:/bin/sh\n"), Mode: 0o644},
		)
		l, err := imagetest.Layer(files...)
		if err != nil {
			return nil, err
		}
		return imagetest.Image(imagetest.Options{User: "app", WorkingDir: "/app", Cmd: []string{"sh"}}, l)
	})
}

func TestUsers(t *testing.T) {
	imagetest.NeedContainers(t)
	d, _ := newDriver(t)
	cases := []struct {
		name string
		img  *workload.Image
		user string
		want func(uid, gid int) bool
	}{
		{"image user by name", appImage(t), "", func(u, g int) bool { return u == 1000 && g == 1001 }},
		{"root image gets a dynamic user", busybox(t), "", func(u, g int) bool {
			return u >= process.DynamicUIDFirst && u <= process.DynamicUIDLast && g == u
		}},
		{"spec names root", busybox(t), "root", func(u, g int) bool { return u == 0 }},
		{"spec wins over image", appImage(t), "4242:4343", func(u, g int) bool { return u == 4242 && g == 4343 }},
	}
	for _, c := range cases {
		s := shellSpec(t, newID("user"), `echo "ids=$(id -u) $(id -g)"`)
		s.Image, s.User = c.img, c.user
		_, lines := run(t, d, s)
		var u, g int
		for _, l := range lines {
			if rest, ok := strings.CutPrefix(l, "ids="); ok {
				f := strings.Fields(rest)
				u, _ = strconv.Atoi(f[0])
				g, _ = strconv.Atoi(f[1])
			}
		}
		if !c.want(u, g) {
			t.Errorf("%s: runs as %d:%d (logs %q)", c.name, u, g, lines)
		}
	}
}

func TestWorkingDirKeepsImageFiles(t *testing.T) {
	imagetest.NeedContainers(t)
	d, dir := newDriver(t)
	s := shellSpec(t, newID("wd"), "cat hello.txt; echo mine > new.txt && echo wrote; pwd")
	s.Image = appImage(t)
	_, lines := run(t, d, s)
	for _, want := range []string{"hello from the image", "wrote", "/app"} {
		if !slices.Contains(lines, want) {
			t.Fatalf("logs %q, want %q", lines, want)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, s.ID, "work", "new.txt")); string(data) != "mine\n" {
		t.Fatalf("work/new.txt = %q", data)
	}
	if _, err := os.Stat(filepath.Join(s.Image.Rootfs, "app", "new.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the write reached the shared root filesystem")
	}
}

func TestExecRunsInside(t *testing.T) {
	imagetest.NeedContainers(t)
	d, _ := newDriver(t)
	s := shellSpec(t, newID("exec"), "echo $$ > /work/pid; echo up; sleep 60")
	if _, err := d.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background(), s.ID, 0) })
	workloadtest.WaitLog(t, d, s.ID, "up")
	out, err := workload.ExecOutput(context.Background(), d, s.ID, []string{"sh", "-c", "id -u; cat /work/pid; pwd"})
	if err != nil {
		t.Fatalf("Exec: %v: %s", err, out)
	}
	f := strings.Fields(string(out))
	if len(f) != 3 || f[0] == "0" || f[1] != "1" || f[2] != "/work" {
		t.Fatalf("Exec output %q, want a non-root uid, pid 1's file, /work", out)
	}
	if _, err := workload.ExecOutput(context.Background(), d, "never", []string{"true"}); !errors.Is(err, workload.ErrNotFound) {
		t.Fatalf("Exec of unknown = %v", err)
	}
}

func TestNoRuntimeIsAClearError(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	d := container.New(t.TempDir(), container.Options{})
	if !errors.Is(d.Err(), container.ErrNoRuntime) {
		t.Fatalf("Err = %v, want ErrNoRuntime", d.Err())
	}
	_, err := d.Start(context.Background(), workload.InstanceSpec{ID: "x", Command: []string{"x"}, Image: &workload.Image{Rootfs: "/"}})
	if !errors.Is(err, container.ErrNoRuntime) || !strings.Contains(err.Error(), "apt-get install runc") {
		t.Fatalf("Start = %v, want how to install runc", err)
	}
	if all, err := d.Observe(context.Background()); err != nil || len(all) != 0 {
		t.Fatalf("Observe = %v, %v", all, err)
	}
}

// TestArtifactMountpointIgnoresPlantedSymlinks plants, in an instance's
// work directory, a symlink on the artifact's path into the image, and
// checks that a restart neither follows it nor changes the shared root.
func TestArtifactMountpointIgnoresPlantedSymlinks(t *testing.T) {
	imagetest.NeedContainers(t)
	d, dir := newDriver(t)
	src := filepath.Join(t.TempDir(), "tool")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho tool ran\n"), 0o555); err != nil {
		t.Fatal(err)
	}
	s := shellSpec(t, newID("plant"), "ln -s /etc /work/bin 2>/dev/null; ./bin/tool")
	s.Artifact, s.ArtifactPath = src, "bin/tool"
	// The first run replaces bin by a symlink to /etc (inside the image).
	run(t, d, s)
	if err := os.RemoveAll(filepath.Join(dir, s.ID, "work", "bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(dir, s.ID, "work", "bin")); err != nil {
		t.Fatal(err)
	}
	_, lines := run(t, d, s)
	if !slices.Contains(lines, "tool ran") {
		t.Fatalf("logs %q, want the tool to run", lines)
	}
	if _, err := os.Lstat(filepath.Join(s.Image.Rootfs, "etc", "tool")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a mount point was created in the shared root filesystem")
	}
}

// TestFailedStartLeavesNothingRunning: a start whose context's deadline
// passes before the monitor says the container started fails, and leaves
// nothing that could start the container later and run it unseen while
// the instance is recorded as ended: the monitor (with the runtime it
// runs) is dead and the runtime knows no container of the ID. The next
// start works.
func TestFailedStartLeavesNothingRunning(t *testing.T) {
	imagetest.NeedContainers(t)
	d, dir := newDriver(t)
	s := shellSpec(t, newID("abandon"), "echo up; sleep 600")
	t.Cleanup(func() { _ = d.Stop(context.Background(), s.ID, 0) })
	ctx, cancel := context.WithDeadline(context.Background(), time.Now())
	defer cancel()
	if st, err := d.Start(ctx, s); err == nil || st.Running || !strings.HasPrefix(st.Exit, "start failed") {
		t.Fatalf("Start past its deadline = %+v, %v; want a failed start", st, err)
	}
	rec, err := instdir.ReadRecord[instdir.Record](filepath.Join(dir, s.ID))
	if err != nil || rec.MonitorPID == 0 || rec.Phase != instdir.PhaseEnded {
		t.Fatalf("record %+v, %v; want ended, naming its monitor", rec, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for process.Alive(rec.MonitorPID, rec.MonitorStart) {
		if time.Now().After(deadline) {
			t.Fatalf("the failed start's monitor (pid %d) still runs", rec.MonitorPID)
		}
		time.Sleep(20 * time.Millisecond)
	}
	out, err := exec.Command("runc", "--root", filepath.Join(dir, ".runtime"), "list", "-q").CombinedOutput()
	if err != nil || slices.Contains(strings.Fields(string(out)), s.ID) {
		t.Fatalf("runc list: %q, %v; want no container %s", out, err, s.ID)
	}
	if _, err := d.Start(context.Background(), s); err != nil {
		t.Fatalf("the next Start: %v", err)
	}
	workloadtest.WaitLog(t, d, s.ID, "up")
}
