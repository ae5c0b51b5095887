package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const resourcesSpec = `app: limits
services:
  order:
    run: ["./bin/order", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    instances: 1
    resources: {memory: 64Mi, pids: 32, cpu: 0.5}
    health:
      readiness: {http: /healthz, interval: 200ms}
`

func TestResourcesAreApplied(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("cgroup limits need root")
	}
	if err := writable("/sys/fs/cgroup"); err != nil {
		t.Skipf("cgroups are not writable here: %v", err)
	}
	srv := startServer(t, t.TempDir())
	file := writeSpec(t, specDir(t), "slipway.yaml", resourcesSpec)
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	svcs := srv.waitConverged(10*time.Second, map[string]int{"order": 1})
	svc, _ := find(svcs, "order")
	pid := svc.Instances[0].PID

	groups := procCgroups(t, pid)
	limits := map[string]string{}
	if path, ok := groups[""]; ok && fileExists("/sys/fs/cgroup/cgroup.controllers") { // v2
		dir := filepath.Join("/sys/fs/cgroup", path)
		limits["memory"] = readTrim(t, filepath.Join(dir, "memory.max"))
		limits["pids"] = readTrim(t, filepath.Join(dir, "pids.max"))
		limits["cpu"] = readTrim(t, filepath.Join(dir, "cpu.max"))
	} else { // v1
		limits["memory"] = readTrim(t, filepath.Join("/sys/fs/cgroup/memory", groups["memory"], "memory.limit_in_bytes"))
		limits["pids"] = readTrim(t, filepath.Join("/sys/fs/cgroup/pids", groups["pids"], "pids.max"))
		cpuDir := filepath.Join("/sys/fs/cgroup/cpu", cpuGroup(groups))
		limits["cpu"] = readTrim(t, filepath.Join(cpuDir, "cpu.cfs_quota_us")) + " " + readTrim(t, filepath.Join(cpuDir, "cpu.cfs_period_us"))
	}
	t.Logf("pid %d cgroups %v limits %v", pid, groups, limits)
	if limits["memory"] != "67108864" {
		t.Errorf("memory limit = %q; want 67108864", limits["memory"])
	}
	if limits["pids"] != "32" {
		t.Errorf("pids.max = %q; want 32", limits["pids"])
	}
	if cpu := limits["cpu"]; cpu != "50000 100000" {
		t.Errorf("cpu quota/period = %q; want 50000 100000 (half a core)", cpu)
	}
}

// procCgroups maps each controller in /proc/pid/cgroup to its path; the
// v2 unified entry is under "".
func procCgroups(t *testing.T, pid int) map[string]string {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			m[c] = parts[2]
		}
	}
	return m
}

// cpuGroup is the v1 cpu controller's path (it may be mounted as cpu,cpuacct).
func cpuGroup(groups map[string]string) string {
	if p, ok := groups["cpu"]; ok {
		return p
	}
	return groups["cpu,cpuacct"]
}

func readTrim(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("read %s: %v", path, err)
		return ""
	}
	return strings.TrimSpace(string(b))
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// writable checks that a directory can be created under the cgroup root
// of the memory controller (v1) or the unified hierarchy (v2).
func writable(root string) error {
	dir := filepath.Join(root, "memory")
	if fileExists(filepath.Join(root, "cgroup.controllers")) {
		dir = root
	}
	probe := filepath.Join(dir, fmt.Sprintf("slipway-e2e-probe-%d", os.Getpid()))
	if err := os.Mkdir(probe, 0o755); err != nil {
		return err
	}
	return os.Remove(probe)
}
