package process

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"golang.org/x/sys/unix"
)

// cgroupParent is the cgroup, under each hierarchy's root, that holds one
// child cgroup per instance.
const cgroupParent = "slipway"

// cpuPeriod is the CFS period, in microseconds, used for CPU limits.
const cpuPeriod = 100000

// cgroups creates, enters and removes per-instance cgroups. cgroupsV1 and
// cgroupsV2 implement it.
type cgroups interface {
	// create makes the instance's cgroups and writes the limits in r.
	create(id string, r spec.Resources) error
	// enter changes cmd so that the process is inside the instance's
	// cgroups before it runs user code. The returned func releases what
	// enter opened; call it once cmd has started (or failed to).
	enter(id string, cmd *exec.Cmd) (release func(), err error)
	// kill sends SIGKILL to every process left in the instance's cgroups.
	kill(id string)
	// dirs returns the instance's cgroup directories.
	dirs(id string) []string
}

// delegateJoin lets an instance running as c join its own v1 cgroups:
// the v1 wrapper, already running as the instance's user, writes its PID
// into each cgroup.procs, so those files (and only those: not their
// parents', not the root's) are given to it. On v2 the server clones the
// process straight in and nothing is delegated.
func delegateJoin(cg cgroups, id string, c *credential) error {
	if _, v1 := cg.(*cgroupsV1); !v1 || c == nil {
		return nil
	}
	for _, dir := range cg.dirs(id) {
		if err := os.Chown(filepath.Join(dir, "cgroup.procs"), c.UID, c.GID); err != nil {
			return fmt.Errorf("delegate cgroup %s: %w", dir, err)
		}
	}
	return nil
}

// detectCgroups returns the cgroup version mounted at root (v2 when
// root/cgroup.controllers exists, else v1 when root/memory exists), with
// the slipway parent cgroups created and ready for children.
func detectCgroups(root string) (cgroups, error) {
	if _, err := os.Stat(filepath.Join(root, "cgroup.controllers")); err == nil {
		return newCgroupsV2(root)
	}
	if _, err := os.Stat(filepath.Join(root, "memory", "cgroup.procs")); err == nil {
		return newCgroupsV1(root)
	}
	return nil, fmt.Errorf("no cgroup v1 or v2 hierarchy at %s", root)
}

// removeCgroups removes the instance's cgroup directories. rmdir fails
// with EBUSY until the last process has left, which can lag the process's
// death a little, so it retries for a short while.
func removeCgroups(c cgroups, id string) error {
	var errs []error
	for _, dir := range c.dirs(id) {
		errs = append(errs, rmdirRetry(dir))
	}
	return errors.Join(errs...)
}

// rmdirRetry removes an empty cgroup directory, retrying while busy.
func rmdirRetry(dir string) error {
	var err error
	for range 50 {
		err = unix.Rmdir(dir)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("remove cgroup %s: %w", dir, err)
}

// writeFile writes one cgroup control file.
func writeFile(dir, name, value string) error {
	if err := os.WriteFile(filepath.Join(dir, name), []byte(value), 0); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// killProcs sends SIGKILL to every PID listed in dir/cgroup.procs.
func killProcs(dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
}

// cpuQuota turns cores into a CFS quota in microseconds per cpuPeriod,
// never below the kernel's 1ms minimum.
func cpuQuota(cores float64) int64 {
	return max(int64(cores*cpuPeriod), 1000)
}
