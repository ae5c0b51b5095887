package process

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestCgroupV2Enter checks that a process is cloned straight into its v2
// cgroup. It needs only a writable cgroup2 mount, not its controllers, so
// it also runs on hybrid v1 machines (at /sys/fs/cgroup/unified).
func TestCgroupV2Enter(t *testing.T) {
	root := ""
	for _, r := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		if _, err := os.Stat(filepath.Join(r, "cgroup.controllers")); err == nil {
			root = r
			break
		}
	}
	if root == "" || os.Geteuid() != 0 {
		t.Skip("needs root and a cgroup2 mount")
	}
	c := &cgroupsV2{parent: filepath.Join(root, cgroupParent)}
	id := "enter-" + strconv.Itoa(os.Getpid())
	if err := os.MkdirAll(c.dirs(id)[0], 0o755); err != nil {
		t.Skipf("cgroup2 not writable: %v", err)
	}
	t.Cleanup(func() { _ = removeCgroups(c, id) })
	cmd := exec.Command("sleep", "60")
	release, err := c.enter(id, cmd)
	if err != nil {
		t.Fatal(err)
	}
	err = cmd.Start()
	release()
	if err != nil {
		t.Fatalf("start with CgroupFD: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitMember(t, c.dirs(id)[0], cmd.Process.Pid)
}
