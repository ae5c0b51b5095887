package container

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/workload/instdir"
	"github.com/slipway-dev/slipway/workload/process"
)

// killWait bounds the wait for a container to be gone after SIGKILL, and
// for its monitor to record how it ended.
const killWait = 5 * time.Second

// pollInterval is how often Stop looks for the end.
const pollInterval = 10 * time.Millisecond

// Stop sends SIGTERM to the container's init (runtime kill), waits up to
// grace, then SIGKILL (the kernel then kills everything in its pid
// namespace), waits for the monitor to record the exit, and deletes the
// container from the runtime (its cgroup with it). As with Docker without
// an init, a program that runs as pid 1 and sets no SIGTERM handler is
// not ended by SIGTERM (the kernel ignores default-action signals to a
// namespace's init) and is killed after the grace.
func (d *Driver) Stop(ctx context.Context, id string, grace time.Duration) error {
	d.mu.Lock()
	inst, err := d.lookup(id)
	if err != nil {
		d.mu.Unlock()
		return fmt.Errorf("stop instance %s: %w", id, err)
	}
	d.refresh(inst)
	running := inst.rec.Phase != instdir.PhaseEnded
	d.mu.Unlock()

	if running {
		d.kill(id, "TERM")
		if !d.waitEnded(ctx, inst, grace) {
			d.kill(id, "KILL")
			if !d.waitEnded(context.Background(), inst, killWait) {
				return fmt.Errorf("stop instance %s: still running %v after SIGKILL", id, killWait)
			}
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.waitMonitor(inst)
	d.deleteContainer(id)
	return nil
}

// waitMonitor waits (up to killWait) for an ended instance's monitor to
// finish deleting the container and exit, so that nothing writes in the
// instance's directory once Stop or Remove returns. d.mu is held.
func (d *Driver) waitMonitor(inst *instance) {
	deadline := time.Now().Add(killWait)
	for process.Alive(inst.rec.MonitorPID, inst.rec.MonitorStart) && time.Now().Before(deadline) {
		time.Sleep(pollInterval)
	}
}

// kill sends a signal to the container's init through the runtime.
func (d *Driver) kill(id, sig string) {
	_ = exec.Command(d.runtime, "--root", d.stateRoot(), "kill", id, sig).Run() // not running: nothing to do
}

// waitEnded waits up to wait (or until ctx ends) for the instance to be
// recorded ended, and reports whether it is.
func (d *Driver) waitEnded(ctx context.Context, inst *instance, wait time.Duration) bool {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		d.mu.Lock()
		d.refresh(inst)
		done := inst.rec.Phase == instdir.PhaseEnded
		d.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-tick.C:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// ExecStream runs argv inside the instance's container (runtime exec):
// its namespaces, user, capabilities (none), no_new_privs, cgroup,
// working directory and environment, writing the combined output to out
// as it comes; when ctx ends the exec gets SIGTERM, then SIGKILL after
// 2s.
func (d *Driver) ExecStream(ctx context.Context, id string, argv []string, out io.Writer) error {
	d.mu.Lock()
	_, err := d.lookup(id)
	d.mu.Unlock()
	if err != nil {
		return fmt.Errorf("exec in instance %s: %w", id, err)
	}
	if len(argv) == 0 {
		return fmt.Errorf("exec in instance %s: no command", id)
	}
	if d.runtimeErr != nil {
		return fmt.Errorf("exec in instance %s: %w", id, d.runtimeErr)
	}
	args := append([]string{"--root", d.stateRoot(), "exec", id}, slices.Clone(argv)...)
	cmd := exec.CommandContext(ctx, d.runtime, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 2 * time.Second
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
