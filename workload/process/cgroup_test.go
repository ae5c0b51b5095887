package process

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/workload"
)

// cgroupDriver returns a Driver over the machine's cgroups, or skips.
func cgroupDriver(t *testing.T) *Driver {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("cgroup tests need root")
	}
	if _, err := detectCgroups("/sys/fs/cgroup"); err != nil {
		t.Skipf("no usable cgroups: %v", err)
	}
	return New(t.TempDir(), Options{Logger: quiet})
}

func TestCgroupLimits(t *testing.T) {
	d := cgroupDriver(t)
	id := "limited-" + strconv.Itoa(os.Getpid())
	s := sleeper(id)
	s.Resources = spec.Resources{CPU: 0.5, Memory: 64 << 20, PIDs: 32}
	st := startSpec(t, d, s)
	dirs := d.cg.dirs(id)
	want := map[string]string{
		"cpu.max":               "50000 100000",
		"cpu.cfs_quota_us":      "50000",
		"cpu.cfs_period_us":     "100000",
		"memory.max":            "67108864",
		"memory.limit_in_bytes": "67108864",
		"pids.max":              "32",
	}
	found := 0
	for _, dir := range dirs {
		for name, v := range want {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				continue // the other cgroup version's file, or another controller's
			}
			found++
			if got := strings.TrimSpace(string(data)); got != v {
				t.Errorf("%s/%s = %q, want %q", dir, name, got, v)
			}
		}
		// On v1 the wrapper enters after Start returns (but before exec).
		waitMember(t, dir, st.PID)
	}
	if found < 3 {
		t.Errorf("found %d limit files in %q, want cpu, memory and pids", found, dirs)
	}
	if err := d.Stop(context.Background(), id, time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	for _, dir := range dirs {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("cgroup %s still there after Stop: %v", dir, err)
		}
	}
}

func TestCgroupOOMKill(t *testing.T) {
	d := cgroupDriver(t)
	s := workload.InstanceSpec{
		ID:        "hog",
		Command:   []string{"sh", "-c", `x=$(head -c 200000000 /dev/zero | tr '\0' a); echo survived`},
		Env:       map[string]string{"PATH": "/usr/bin:/bin"},
		Resources: spec.Resources{Memory: 32 << 20},
	}
	startSpec(t, d, s)
	deadline := time.Now().Add(20 * time.Second)
	for statusOf(t, d, "hog").Running && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	lines, _ := d.Logs(context.Background(), "hog", 10)
	if st := statusOf(t, d, "hog"); st.Running || slices.Contains(lines, "survived") {
		t.Fatalf("hog = %+v, logs %q; want it killed by the OOM killer", st, lines)
	}
}

func TestNoCgroupsRunsWithoutLimits(t *testing.T) {
	d := New(t.TempDir(), Options{Logger: quiet, CgroupRoot: t.TempDir()})
	s := sleeper("unlimited")
	s.Resources = spec.Resources{Memory: 64 << 20}
	if st := startSpec(t, d, s); !st.Running {
		t.Fatalf("Start = %+v, want running without limits", st)
	}
}

// waitMember waits until pid is listed in dir/cgroup.procs.
func waitMember(t *testing.T, dir string, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		procs, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		if slices.Contains(strings.Fields(string(procs)), strconv.Itoa(pid)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/cgroup.procs = %q, want PID %d", dir, procs, pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCgroupEnvIsExact checks that the v1 wrapper shell adds nothing (dash
// would add PWD) to the instance's environment.
func TestCgroupEnvIsExact(t *testing.T) {
	d := cgroupDriver(t)
	id := "env-" + strconv.Itoa(os.Getpid())
	startSpec(t, d, workload.InstanceSpec{
		ID:        id,
		Command:   []string{"env"},
		Env:       map[string]string{"PATH": "/usr/bin:/bin", "A": "b c"},
		Resources: spec.Resources{PIDs: 16},
	})
	for statusOf(t, d, id).Running {
		time.Sleep(10 * time.Millisecond)
	}
	lines, err := d.Logs(context.Background(), id, 10)
	slices.Sort(lines)
	if want := []string{"A=b c", "PATH=/usr/bin:/bin"}; err != nil || !slices.Equal(lines, want) {
		t.Fatalf("environment = %q, %v; want %q", lines, err, want)
	}
}
