package process

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// procStat is what the driver reads from /proc/PID/stat.
type procStat struct {
	State     byte   // field 3: R, S, D, Z, ...
	PGID      int    // field 5
	StartTime uint64 // field 22: clock ticks since boot
}

// ended reports whether the process has finished running: a zombie (or a
// dead task) has ended even though /proc/PID still exists.
func (s procStat) ended() bool { return s.State == 'Z' || s.State == 'X' }

// readStat reads /proc/PID/stat.
func readStat(pid int) (procStat, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	return parseStat(data)
}

// parseStat parses the content of /proc/PID/stat. The command name (field
// 2) is in parentheses and may itself contain spaces and parentheses, so
// the fields are counted from the last ')'.
func parseStat(data []byte) (procStat, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return procStat{}, errors.New("parse stat: no command name")
	}
	fields := bytes.Fields(data[end+1:])
	// fields[0] is field 3 of the file.
	const state, pgrp, start = 3 - 3, 5 - 3, 22 - 3
	if len(fields) <= start || len(fields[state]) != 1 {
		return procStat{}, errors.New("parse stat: too few fields")
	}
	pgid, err := strconv.Atoi(string(fields[pgrp]))
	if err != nil {
		return procStat{}, fmt.Errorf("parse stat: pgrp: %w", err)
	}
	st, err := strconv.ParseUint(string(fields[start]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("parse stat: starttime: %w", err)
	}
	return procStat{State: fields[state][0], PGID: pgid, StartTime: st}, nil
}

// alive reports whether pid is still the process that started at
// startTime and has not ended.
func alive(pid int, startTime uint64) bool {
	if pid <= 0 {
		return false
	}
	st, err := readStat(pid)
	return err == nil && !st.ended() && st.StartTime == startTime
}

// findOrphan looks for the process an interrupted Start left behind: a
// live process group leader whose current directory is workDir. It returns
// 0 when there is none. Directories are compared as files (device and
// inode), not by path: an instance in a mount namespace of its own sees
// its work directory under another path.
func findOrphan(workDir string) (pid int, st procStat) {
	want, err := os.Stat(workDir)
	if err != nil {
		return 0, procStat{}
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, procStat{}
	}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, err := os.Stat(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || !os.SameFile(cwd, want) {
			continue
		}
		if s, err := readStat(p); err == nil && s.PGID == p && !s.ended() {
			return p, s
		}
	}
	return 0, procStat{}
}

// StartTime returns the start time of pid in clock ticks since boot
// (/proc/PID/stat field 22).
func StartTime(pid int) (uint64, error) {
	st, err := readStat(pid)
	return st.StartTime, err
}
