package process

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/workload/instdir"
)

// killWait bounds the wait for a process to be gone after SIGKILL.
const killWait = 5 * time.Second

// pollInterval is how often Stop looks at /proc for a process it cannot
// wait for.
const pollInterval = 10 * time.Millisecond

// Stop sends SIGTERM to the instance's process group, waits up to grace
// (or until ctx ends), then sends SIGKILL to the group and to anything
// left in its cgroups, waits for the process to be gone, and removes the
// cgroups. It works for adopted instances, and returns nil for an
// instance that is not running.
func (d *Driver) Stop(ctx context.Context, id string, grace time.Duration) error {
	d.mu.Lock()
	inst, err := d.lookup(id)
	if err != nil {
		d.mu.Unlock()
		return fmt.Errorf("stop instance %s: %w", id, err)
	}
	d.refresh(inst)
	running := inst.rec.Phase == instdir.PhaseRunning
	v := victim{pid: inst.rec.PID, startTime: inst.rec.StartTime, done: inst.done}
	monitor := victim{pid: inst.rec.MonitorPID, startTime: inst.rec.MonitorStart}
	d.mu.Unlock()

	if running {
		err = d.terminate(ctx, id, v, grace)
	}
	if err == nil {
		// A monitor writes exit.json once its process is gone: wait
		// for that, so that the exit recorded is the real one.
		monitor.wait(context.Background(), killWait)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.refresh(inst)
	d.releaseCgroups(inst)
	if err != nil {
		return fmt.Errorf("stop instance %s: %w", id, err)
	}
	return nil
}

// victim is the process Stop ends.
type victim struct {
	pid       int
	startTime uint64
	done      chan struct{} // closed when reaped; nil if not our child
}

// alive reports whether the process is still there: not yet reaped for a
// child of this Driver, else running with the recorded start time.
func (v victim) alive() bool {
	if v.done != nil {
		select {
		case <-v.done:
			return false
		default:
			return true
		}
	}
	return alive(v.pid, v.startTime)
}

// terminate signals the process group: SIGTERM, then SIGKILL after grace.
// SIGKILL goes to the group even when the leader ended in time, to take
// down anything it left behind; the group ID cannot have been reused
// while members remain.
func (d *Driver) terminate(ctx context.Context, id string, v victim, grace time.Duration) error {
	if !v.alive() {
		return nil
	}
	_ = unix.Kill(-v.pid, unix.SIGTERM) // ESRCH: already gone
	graceful := v.wait(ctx, grace)
	_ = unix.Kill(-v.pid, unix.SIGKILL)
	d.mu.Lock()
	if cg := d.cg; cg != nil {
		cg.kill(id)
	}
	d.mu.Unlock()
	if graceful || v.wait(context.Background(), killWait) {
		return nil
	}
	return fmt.Errorf("process %d still running %v after SIGKILL", v.pid, killWait)
}

// wait waits up to d for the process to be gone and reports whether it is.
func (v victim) wait(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for v.alive() {
		select {
		case <-v.done: // nil (never ready) for an adopted process
		case <-tick.C:
		case <-timer.C:
			return !v.alive()
		case <-ctx.Done():
			return !v.alive()
		}
	}
	return true
}
