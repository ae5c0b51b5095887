package process

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/slipway-dev/slipway/spec"
)

// cgroupsV2 manages instance cgroups on the unified hierarchy:
// root/slipway/<id>.
type cgroupsV2 struct {
	parent string // root/slipway
}

// newCgroupsV2 creates root/slipway and enables the cpu, memory and pids
// controllers for its children.
func newCgroupsV2(root string) (*cgroupsV2, error) {
	data, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
	if err != nil {
		return nil, err
	}
	have := strings.Fields(string(data))
	for _, c := range []string{"cpu", "memory", "pids"} {
		if !slices.Contains(have, c) {
			return nil, fmt.Errorf("cgroup v2 controller %s not available at %s", c, root)
		}
	}
	parent := filepath.Join(root, cgroupParent)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	for _, dir := range []string{root, parent} {
		if err := writeFile(dir, "cgroup.subtree_control", "+cpu +memory +pids"); err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
	}
	return &cgroupsV2{parent: parent}, nil
}

func (c *cgroupsV2) dirs(id string) []string {
	return []string{filepath.Join(c.parent, id)}
}

func (c *cgroupsV2) create(id string, r spec.Resources) error {
	dir := filepath.Join(c.parent, id)
	if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
		return err
	}
	files := map[string]string{
		"cpu.max":    "max " + strconv.Itoa(cpuPeriod),
		"memory.max": "max",
		"pids.max":   "max",
	}
	if r.CPU > 0 {
		files["cpu.max"] = fmt.Sprintf("%d %d", cpuQuota(r.CPU), cpuPeriod)
	}
	if r.Memory > 0 {
		files["memory.max"] = strconv.FormatInt(int64(r.Memory), 10)
	}
	if r.PIDs > 0 {
		files["pids.max"] = strconv.Itoa(r.PIDs)
	}
	for name, v := range files {
		if err := writeFile(dir, name, v); err != nil {
			return err
		}
	}
	if r.Memory > 0 {
		// Without this a process could go past memory.max into swap. The
		// file is absent when swap accounting is off: best effort.
		_ = writeFile(dir, "memory.swap.max", "0")
	}
	return nil
}

// enter clones the process straight into its cgroup (CLONE_INTO_CGROUP,
// Linux 5.7+), so there is no moment when it runs outside.
func (c *cgroupsV2) enter(id string, cmd *exec.Cmd) (func(), error) {
	f, err := os.Open(filepath.Join(c.parent, id))
	if err != nil {
		return nil, err
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.UseCgroupFD = true
	cmd.SysProcAttr.CgroupFD = int(f.Fd())
	return func() { f.Close() }, nil
}

// kill uses cgroup.kill (Linux 5.14+) when there is one.
func (c *cgroupsV2) kill(id string) {
	dir := filepath.Join(c.parent, id)
	if writeFile(dir, "cgroup.kill", "1") != nil {
		killProcs(dir)
	}
}
