package process

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
)

// Running is a live instance process found on this machine: its instance
// ID and the pid and start time that identify it.
type Running struct {
	ID        string
	PID       int
	StartTime uint64
}

// Alive reports whether pid is a live process started at startTime
// (clock ticks since boot): not ended, and not a reused pid.
func Alive(pid int, startTime uint64) bool { return alive(pid, startTime) }

// FindRunning returns the live instance processes under dir, a Driver's
// directory (perhaps another data folder's): the process group leaders
// whose working directory is dir/ID/work. It is how a restore finds the
// instances a server over dir left running, including those it started
// after the records it is restored from were taken.
func FindRunning(dir string) ([]Running, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	prefix := filepath.Clean(dir) + "/"
	var out []Running
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || !strings.HasPrefix(cwd, prefix) {
			continue
		}
		id, rest, ok := strings.Cut(strings.TrimPrefix(cwd, prefix), "/")
		if !ok || rest != "work" || validID(id) != nil {
			continue
		}
		if st, err := readStat(pid); err == nil && st.PGID == pid && !st.ended() {
			out = append(out, Running{ID: id, PID: pid, StartTime: st.StartTime})
		}
	}
	return out, nil
}

// Adopt writes, under dir (a Driver's directory), the record of a process
// that runs elsewhere as instance r.ID, so that a Driver over dir adopts
// it by pid and start time as it adopts its own: it may stop it, and
// notices when it ends. Its logs stay where the process writes them. It
// returns os.ErrExist when dir already has that instance.
func Adopt(dir string, r Running, now time.Time) error {
	if err := validID(r.ID); err != nil {
		return err
	}
	inst := filepath.Join(dir, r.ID)
	if err := os.Mkdir(inst, 0o755); err != nil {
		return err
	}
	// Cgroup: the process may have cgroups, named by its ID as every
	// Driver names them; they are released when it ends (none is fine).
	return writeRecord(inst, record{Cgroup: true, Record: instdir.Record{Phase: instdir.PhaseRunning,
		PID: r.PID, StartTime: r.StartTime, StartedAt: now, Spec: workload.InstanceSpec{ID: r.ID}}})
}
