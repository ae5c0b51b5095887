package main

import (
	"fmt"
	"os"
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

// cpuTime is the process's utime + stime (fields 14 and 15).
func cpuTime(pid int) (time.Duration, error) {
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

// treeCPU is the CPU time of pid and of its live children: nginx's master
// and its worker. (A child that exited in the window is not counted; none
// does during a run.)
func treeCPU(pid int) (time.Duration, error) {
	total, err := cpuTime(pid)
	if err != nil {
		return 0, err
	}
	for _, c := range children(pid) {
		if t, err := cpuTime(c); err == nil { // it may just have exited
			total += t
		}
	}
	return total, nil
}

// children lists the processes whose parent is pid (field 4).
func children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
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
