package container_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/container"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// serverEnv makes the test binary act as a server: a Driver over the
// directory it names starts the instance in specEnv, prints "pid N" and
// waits to be killed.
const (
	serverEnv = "CONTAINER_TEST_SERVER_DIR"
	specEnv   = "CONTAINER_TEST_SPEC"
)

// actAsServer is the test binary's life as a server (see serverEnv).
func actAsServer(dir string) int {
	var s workload.InstanceSpec
	if err := json.Unmarshal([]byte(os.Getenv(specEnv)), &s); err != nil {
		fmt.Println("error", err)
		return 1
	}
	st, err := container.New(dir, container.Options{}).Start(context.Background(), s)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("pid", st.PID)
	select {}
}

// TestSurvivesKillOfTheServer starts a container from another process (a
// server), kills that process with SIGKILL, and adopts the container from
// a new Driver: still running with the same PID, stoppable, and its exit
// recorded by the monitor the dead server started.
func TestSurvivesKillOfTheServer(t *testing.T) {
	imagetest.NeedContainers(t)
	_, dir := newDriver(t)
	s := shellSpec(t, newID("survive"), "trap 'echo bye; exit 0' TERM; echo up; while :; do sleep 0.1; done")
	data, _ := json.Marshal(s)
	self, _ := os.Executable()
	srv := exec.Command(self, "-test.run=^$")
	srv.Env = append(os.Environ(), serverEnv+"="+dir, specEnv+"="+string(data))
	out, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	var pid int
	if _, err := fmt.Sscanf(line, "pid %d", &pid); err != nil {
		srv.Process.Kill()
		t.Fatalf("server said %q", line)
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()

	d := container.New(dir, container.Options{})
	t.Cleanup(func() { _ = d.Stop(context.Background(), s.ID, 0) })
	st, err := d.Status(context.Background(), s.ID)
	if err != nil || !st.Running || st.PID != pid {
		t.Fatalf("after kill -9 of the server: %+v, %v; want running PID %d", st, err, pid)
	}
	workloadtest.WaitLog(t, d, s.ID, "up")
	if err := d.Stop(context.Background(), s.ID, 5*time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	end := workloadtest.WaitEnded(t, d, s.ID)
	lines, _ := d.Logs(context.Background(), s.ID, 10)
	if end.Exit != "exit status 0" || !strings.Contains(strings.Join(lines, "\n"), "bye") {
		t.Fatalf("ended %+v with logs %q; want a clean exit on SIGTERM, recorded", end, lines)
	}
}

// TestNonRootServerIsRefused runs the test binary as nobody, as a server
// that is not root, and checks that Start says why it cannot run images.
func TestNonRootServerIsRefused(t *testing.T) {
	imagetest.NeedContainers(t)
	s := shellSpec(t, newID("nonroot"), "true")
	// Folders nobody can reach (t.TempDir's parent is root's, 0700).
	bin, err := os.MkdirTemp("", "nonroot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bin) })
	if err := os.Chmod(bin, 0o777); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	body, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin+"/test", body, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := bin
	data, _ := json.Marshal(s)
	srv := exec.Command(bin+"/test", "-test.run=^$")
	srv.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", serverEnv + "=" + dir + "/containers", specEnv + "=" + string(data)}
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, _ := srv.CombinedOutput()
	if !strings.Contains(string(out), container.ErrNotRoot.Error()) {
		t.Fatalf("a server as nobody said %q, want %q", out, container.ErrNotRoot)
	}
}
