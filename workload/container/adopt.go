package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
	"github.com/slipway-dev/slipway/workload/process"
)

// validIDs are the IDs a runtime accepts as container IDs, which also
// name a directory: no dot first (.runtime is the state root).
var validIDs = regexp.MustCompile(`^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$`)

// scan adopts every instance in the directory that d does not know yet.
// d.mu is held.
func (d *Driver) scan() error {
	ids, err := instdir.Unseen(d.dir, func(id string) bool { _, ok := d.insts[id]; return ok })
	for _, id := range ids {
		if _, err := d.lookup(id); err != nil && !errors.Is(err, workload.ErrNotFound) {
			d.opts.Logger.Warn("skip instance directory", "dir", id, "err", err)
		}
	}
	return err
}

// lookup returns the instance with the given ID, reading its record (and
// so adopting it) if d has not seen it. d.mu is held.
func (d *Driver) lookup(id string) (*instance, error) {
	if inst, ok := d.insts[id]; ok {
		return inst, nil
	}
	if !validIDs.MatchString(id) {
		return nil, workload.ErrNotFound
	}
	rec, err := instdir.Load[record](d.dir, id)
	if err != nil {
		return nil, err
	}
	inst := &instance{dir: filepath.Join(d.dir, id), rec: rec}
	d.insts[id] = inst
	return inst, nil
}

// refresh brings an instance up to date: the monitor's exit.json ends
// it with the real status, whether or not a server was running when the
// container ended; a container gone with its monitor (both killed) ends
// it unwatched. An instance left "starting" by a server that died
// mid-Start is running if its monitor got the container going, ended if
// neither is there. d.mu is held.
func (d *Driver) refresh(inst *instance) {
	if inst.rec.Phase == instdir.PhaseEnded {
		return
	}
	if e, ok := instdir.ReadExit(inst.dir); ok {
		d.ended(inst, e.Exit, e.ExitedAt)
		return
	}
	monitor := process.Alive(inst.rec.MonitorPID, inst.rec.MonitorStart)
	switch inst.rec.Phase {
	case instdir.PhaseRunning:
		if !monitor && !process.Alive(inst.rec.PID, inst.rec.StartTime) {
			d.ended(inst, instdir.ExitUnwatched, d.now())
		}
	case instdir.PhaseStarting:
		if pid, st, ok := containerPID(inst.dir); ok {
			inst.rec.Phase, inst.rec.PID, inst.rec.StartTime = instdir.PhaseRunning, pid, st
			d.save(inst)
		} else if !monitor {
			d.ended(inst, "never started: the server stopped while starting it", d.now())
		}
	}
}

// containerPID reads the runtime's PID file and identifies the process.
func containerPID(dir string) (pid int, startTime uint64, ok bool) {
	data, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscan(string(data), &pid); err != nil || pid <= 0 {
		return 0, 0, false
	}
	st, err := process.StartTime(pid)
	if err != nil {
		return 0, 0, false
	}
	return pid, st, true
}

// ended records that an instance has ended. d.mu is held.
func (d *Driver) ended(inst *instance, exit string, at time.Time) {
	inst.rec.Phase, inst.rec.Exit, inst.rec.ExitedAt = instdir.PhaseEnded, exit, at
	d.save(inst)
}

// save writes the instance's record, logging a failure: the in-memory
// state is still right, and the next save tries again.
func (d *Driver) save(inst *instance) {
	if err := writeRecord(inst.dir, inst.rec); err != nil {
		d.opts.Logger.Warn("save instance record", "id", inst.rec.Spec.ID, "err", err)
	}
}
