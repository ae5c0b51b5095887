package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/process"
)

// CPU returns the CPU time a running instance's container has used, from
// the cgroup the runtime made for it (the autoscaler's `target: {cpu}`
// reads it twice and takes the rate): cgroup v2's cpu.stat usage_usec,
// v1's cpuacct.usage (the runtime joins the container to every
// controller, cpuacct included). ErrNotFound (wrapped) for an unknown
// or ended instance.
func (d *Driver) CPU(id string) (time.Duration, error) {
	d.mu.Lock()
	inst, err := d.lookup(id)
	if err == nil {
		d.refresh(inst)
		if !inst.status().Running {
			err = fmt.Errorf("not running: %w", workload.ErrNotFound)
		}
	}
	d.mu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("cpu of instance %s: %w", id, err)
	}
	rel := strings.TrimPrefix(cgroupsPath(id), "/")
	if cgroupV2(d.opts.CgroupRoot) {
		return process.CgroupCPU(filepath.Join(d.opts.CgroupRoot, rel))
	}
	var errs []error
	for _, hier := range []string{"cpuacct", "cpu,cpuacct", "cpuacct,cpu"} {
		b, err := os.ReadFile(filepath.Join(d.opts.CgroupRoot, hier, rel, "cpuacct.usage"))
		if err == nil {
			ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
			return time.Duration(ns), err
		}
		errs = append(errs, err)
	}
	return 0, fmt.Errorf("cpu of instance %s: %w", id, errors.Join(errs...))
}

// cgroupsPath is the cgroup the runtime puts an instance's container in.
func cgroupsPath(id string) string { return "/slipway/container-" + id }
