package process

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
)

// scan adopts every instance in the directory that d does not know yet.
// Directories without a readable instance.json are skipped. d.mu is held.
func (d *Driver) scan() error {
	ids, err := instdir.Unseen(d.dir, func(id string) bool { _, ok := d.insts[id]; return ok })
	for _, id := range ids {
		if _, err := d.lookup(id); err != nil && !errors.Is(err, workload.ErrNotFound) {
			d.opts.Logger.Warn("skip instance directory", "dir", id, "err", err)
		}
	}
	return err
}

// lookup returns the instance with the given ID, reading its record from
// disk (adopting it) if d has not seen it. d.mu is held.
func (d *Driver) lookup(id string) (*instance, error) {
	if inst, ok := d.insts[id]; ok {
		return inst, nil
	}
	if validID(id) != nil {
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

// refresh brings an instance d did not start (or started through a
// monitor) up to date: a monitor's exit.json ends it with the real exit
// status, whenever it ended; an adopted process that is gone (or whose PID
// now belongs to another process) with no monitor left has ended
// unwatched; an instance left "starting" by a server that died mid-Start
// is matched to its orphan, if there is one, or waits while its monitor
// starts it. Children of d are left alone: their waiter records how they
// end. d.mu is held.
func (d *Driver) refresh(inst *instance) {
	if inst.done != nil || inst.rec.Phase == instdir.PhaseEnded {
		return
	}
	if inst.rec.Spec.RecordExit {
		if e, ok := instdir.ReadExit(inst.dir); ok {
			d.endedAt(inst, e.Exit, e.ExitedAt)
			return
		}
	}
	monitor := alive(inst.rec.MonitorPID, inst.rec.MonitorStart)
	switch inst.rec.Phase {
	case instdir.PhaseRunning:
		if !monitor && !alive(inst.rec.PID, inst.rec.StartTime) {
			d.ended(inst, instdir.ExitUnwatched)
		}
	case instdir.PhaseStarting:
		pid, st := findOrphan(filepath.Join(inst.dir, "work"))
		if pid == 0 {
			if !monitor {
				d.ended(inst, "never started: the server stopped while starting it")
			}
			return
		}
		inst.rec.Phase, inst.rec.PID, inst.rec.StartTime = instdir.PhaseRunning, pid, st.StartTime
		d.save(inst)
	}
}

// ended records that an instance has ended and releases its cgroups.
// d.mu is held.
func (d *Driver) ended(inst *instance, exit string) { d.endedAt(inst, exit, d.now()) }

// endedAt is ended at a known time (a monitor's). d.mu is held.
func (d *Driver) endedAt(inst *instance, exit string, at time.Time) {
	inst.rec.Phase, inst.rec.Exit, inst.rec.ExitedAt = instdir.PhaseEnded, exit, at
	d.releaseCgroups(inst)
	d.save(inst)
}

// save writes the instance's record, logging a failure: the in-memory
// state is still right, and the next save will try again.
func (d *Driver) save(inst *instance) {
	if err := writeRecord(inst.dir, inst.rec); err != nil {
		d.opts.Logger.Warn("save instance record", "id", inst.rec.Spec.ID, "err", err)
	}
}

// releaseCgroups removes the instance's cgroups, if it has any. d.mu is
// held.
func (d *Driver) releaseCgroups(inst *instance) {
	if !inst.rec.Cgroup {
		return
	}
	cg := d.cgroups()
	if cg == nil {
		return
	}
	if err := removeCgroups(cg, inst.rec.Spec.ID); err != nil {
		d.opts.Logger.Warn("release cgroups", "id", inst.rec.Spec.ID, "err", err)
		return
	}
	inst.rec.Cgroup = false
}

// cgroups returns the cgroup manager, detecting it on first use; nil when
// cgroups are unavailable, which is logged once. d.mu is held.
func (d *Driver) cgroups() cgroups {
	if !d.cgDone {
		d.cgDone = true
		cg, err := detectCgroups(d.opts.CgroupRoot)
		if err != nil {
			d.opts.Logger.Warn(fmt.Sprintf("cgroups unavailable: %v; instances run without resource limits", err))
			return nil
		}
		d.cg = cg
	}
	return d.cg
}
