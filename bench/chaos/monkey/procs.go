package monkey

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a live instance process found by its working directory.
type proc struct {
	pid int
	id  string // the instance it runs for
}

// instanceProcs lists the live process group leaders whose working
// directory is an instance's under data (data/instances/ID/work, or an
// environment's data/envs/NAME/instances/ID/work).
func instanceProcs(data string) []proc {
	entries, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || !strings.HasPrefix(cwd, data+"/") || filepath.Base(cwd) != "work" {
			continue
		}
		parent := filepath.Dir(cwd)
		if filepath.Base(filepath.Dir(parent)) != "instances" {
			continue
		}
		if pgid, err := syscall.Getpgid(pid); err != nil || pgid != pid || !alive(pid) {
			continue
		}
		out = append(out, proc{pid: pid, id: filepath.Base(parent)})
	}
	return out
}

// alive reports whether pid is a live process (not a zombie).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}

// endInstances kills every instance process under data (each is the
// leader of its own group): the processes the suite's servers started.
func endInstances(data string) {
	for range 50 {
		ps := instanceProcs(data)
		if len(ps) == 0 {
			return
		}
		for _, p := range ps {
			_ = syscall.Kill(-p.pid, syscall.SIGKILL)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
