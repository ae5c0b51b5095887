package process

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat's CPU times: 100 on
// every Linux architecture Go runs on.
const clockTicks = 100

// CPU returns the CPU time the instance has used (the autoscaler's
// `target: {cpu}` reads it twice and takes the rate). On cgroup v2 it is
// the instance's cgroup's usage_usec (cpu.stat); on v1, whose cpu
// controller counts nothing (cpuacct is a hierarchy of its own, which
// instances do not join), and without cgroups, the sum over the
// processes in its cgroup (or its process group's leader) of their own
// and their waited-for children's time. ErrNotFound (wrapped) for an
// unknown instance.
func (d *Driver) CPU(id string) (time.Duration, error) {
	d.mu.Lock()
	inst, err := d.lookup(id)
	var rec record
	var cg cgroups
	if err == nil {
		rec, cg = inst.rec, d.cgroups()
	}
	d.mu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("cpu of instance %s: %w", id, err)
	}
	if rec.Phase != instdir.PhaseRunning {
		return 0, fmt.Errorf("cpu of instance %s: not running: %w", id, workload.ErrNotFound)
	}
	if !rec.Cgroup || cg == nil {
		return procCPU(rec.PID)
	}
	dir := cg.dirs(id)[0] // v2: the one; v1: the cpu hierarchy's
	if _, v2 := cg.(*cgroupsV2); v2 {
		return CgroupCPU(dir)
	}
	return pidsCPU(dir)
}

// CgroupCPU reads usage_usec from a v2 cgroup's cpu.stat (the
// container driver reads its instances' with it too).
func CgroupCPU(dir string) (time.Duration, error) {
	data, err := os.ReadFile(filepath.Join(dir, "cpu.stat"))
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "usage_usec "); ok {
			us, err := strconv.ParseInt(v, 10, 64)
			return time.Duration(us) * time.Microsecond, err
		}
	}
	return 0, fmt.Errorf("%s/cpu.stat: no usage_usec", dir)
}

// pidsCPU sums procCPU over a v1 cgroup's processes. A process that
// ended between the two reads is skipped.
func pidsCPU(dir string) (time.Duration, error) {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return 0, err
	}
	var sum time.Duration
	for _, f := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		if t, err := procCPU(pid); err == nil {
			sum += t
		}
	}
	return sum, nil
}

// procCPU is a process's utime+stime+cutime+cstime (/proc/PID/stat
// fields 14-17, after the command name, which may hold spaces).
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	f := strings.Fields(string(data[i+1:])) // f[0] is field 3 (state)
	if len(f) < 15 {
		return 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	var ticks int64
	for _, s := range f[11:15] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
