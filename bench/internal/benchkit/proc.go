package benchkit

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat times. It is 100 on
// every Linux architecture Go supports (sysconf(_SC_CLK_TCK) needs cgo).
const clockTicks = 100

// statFields returns the fields of /proc/PID/stat after the command name,
// so that index 0 is field 3 (state) and field n is at index n-3.
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, fmt.Errorf("read stat of pid %d: %w", pid, err)
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, fmt.Errorf("parse stat of pid %d: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return nil, fmt.Errorf("parse stat of pid %d: %d fields", pid, len(f))
	}
	return f, nil
}

// statInt returns field n of /proc/PID/stat as an integer.
func statInt(f []string, n int) (int64, error) {
	v, err := strconv.ParseInt(f[n-3], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat field %d: %w", n, err)
	}
	return v, nil
}

// CPUTime is the process's utime + stime (fields 14 and 15 of
// /proc/PID/stat), to the 10ms of a clock tick.
func CPUTime(pid int) (time.Duration, error) {
	f, err := statFields(pid)
	if err != nil {
		return 0, err
	}
	u, err := statInt(f, 14)
	if err != nil {
		return 0, err
	}
	s, err := statInt(f, 15)
	return time.Duration(u+s) * time.Second / clockTicks, err
}

// TreeCPU is the CPU time of pid and of its live children (nginx's master
// and its worker). A child that exited in between is not counted.
func TreeCPU(pid int) (time.Duration, error) {
	total, err := CPUTime(pid)
	if err != nil {
		return 0, err
	}
	for _, c := range children(pid) {
		if t, err := CPUTime(c); err == nil { // it may just have exited
			total += t
		}
	}
	return total, nil
}

// children lists the processes whose parent is pid (field 4).
func children(pid int) []int {
	var out []int
	for _, p := range allPIDs() {
		f, err := statFields(p)
		if err != nil {
			continue
		}
		if pp, err := statInt(f, 4); err == nil && int(pp) == pid {
			out = append(out, p)
		}
	}
	return out
}

// allPIDs lists the processes in /proc.
func allPIDs() []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// bootTime is when the machine booted, to the 10ms of /proc/uptime (the
// whole seconds of btime in /proc/stat are too coarse here).
func bootTime() (time.Time, error) {
	now := time.Now()
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return time.Time{}, fmt.Errorf("read uptime: %w", err)
	}
	up, _, _ := strings.Cut(string(b), " ")
	secs, err := strconv.ParseFloat(up, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse uptime %q: %w", up, err)
	}
	return now.Add(-time.Duration(secs * float64(time.Second))), nil
}

// startTime is when pid started (field 22, ticks since boot), as wall time.
func startTime(pid int, boot time.Time) (time.Time, error) {
	f, err := statFields(pid)
	if err != nil {
		return time.Time{}, err
	}
	t, err := statInt(f, 22)
	if err != nil {
		return time.Time{}, err
	}
	return boot.Add(time.Duration(t) * time.Second / clockTicks), nil
}

// LatestStart is the wall-clock start time of the last of pids to start
// (field 22 of /proc/PID/stat, placed in wall time with /proc/uptime).
func LatestStart(pids []int) (time.Time, error) {
	boot, err := bootTime()
	if err != nil {
		return time.Time{}, err
	}
	var latest time.Time
	for _, pid := range pids {
		t, err := startTime(pid, boot)
		if err != nil {
			return time.Time{}, err
		}
		if t.After(latest) {
			latest = t
		}
	}
	return latest, nil
}

// VMRSS is the resident set size of pid, in bytes (VmRSS of /proc/PID/status).
func VMRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read status of pid %d: %w", pid, err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmRSS of pid %d: %w", pid, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("pid %d: no VmRSS in status", pid)
}

// alive reports whether pid is a live process (not a zombie).
func alive(pid int) bool {
	f, err := statFields(pid)
	return err == nil && f[0] != "Z" && f[0] != "X"
}

// PIDsUnder lists live processes whose working directory is under dir:
// every instance a server started over a data directory, even ones it
// started after its instance list was read. An instance of a root server
// sees its directory in a mount namespace of its own, under another path,
// so a process whose working directory is an instance's work directory
// (dir/instances/ID/work, dir/envs/NAME/instances/ID/work) counts too.
func PIDsUnder(dir string) []int {
	works := workDirs(dir)
	var pids []int
	for _, pid := range allPIDs() {
		path := filepath.Join("/proc", strconv.Itoa(pid), "cwd")
		cwd, err := os.Readlink(path)
		if err != nil || !alive(pid) {
			continue
		}
		if strings.HasPrefix(cwd, dir+string(filepath.Separator)) || isOneOf(path, works) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// workDirs are the instances' work directories under a data directory.
func workDirs(dir string) []os.FileInfo {
	var out []os.FileInfo
	for _, pattern := range []string{"instances/*/work", "envs/*/instances/*/work", "*/work"} {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil {
				out = append(out, fi)
			}
		}
	}
	return out
}

// isOneOf reports whether path is the same directory as one of dirs.
func isOneOf(path string, dirs []os.FileInfo) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	for _, d := range dirs {
		if os.SameFile(fi, d) {
			return true
		}
	}
	return false
}

// TreeRSS is the resident set size of pid and of its live children
// (nginx's master and its worker), in bytes.
func TreeRSS(pid int) (int64, error) {
	total, err := VMRSS(pid)
	if err != nil {
		return 0, err
	}
	for _, c := range children(pid) {
		if n, err := VMRSS(c); err == nil { // it may just have exited
			total += n
		}
	}
	return total, nil
}
