package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
)

// Start starts the instance, or returns the status of the one already
// running under s.ID. An ended instance starts again in the same
// directory, appending to its logs. See the package doc for what isolates
// it and how it survives the server.
func (d *Driver) Start(ctx context.Context, s workload.InstanceSpec) (workload.Status, error) {
	if err := validSpec(s); err != nil {
		return workload.Status{}, fmt.Errorf("start instance %s: %w", s.ID, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	inst, err := d.lookup(s.ID)
	switch {
	case errors.Is(err, workload.ErrNotFound):
		inst = &instance{dir: filepath.Join(d.dir, s.ID)}
	case err != nil:
		return workload.Status{}, fmt.Errorf("start instance %s: %w", s.ID, err)
	default:
		d.refresh(inst)
		if inst.rec.Phase != instdir.PhaseEnded {
			return inst.status(), nil
		}
	}
	if err := d.launch(ctx, inst, s); err != nil {
		return inst.status(), fmt.Errorf("start instance %s: %w", s.ID, err)
	}
	d.insts[s.ID] = inst
	return inst.status(), nil
}

// launch prepares the instance's directory and starts its process. On
// failure the instance is recorded as ended. d.mu is held.
func (d *Driver) launch(ctx context.Context, inst *instance, s workload.InstanceSpec) error {
	cred, err := d.credentialFor(s)
	if err != nil {
		return err
	}
	work := filepath.Join(inst.dir, "work")
	if err := makeDirs(inst.dir, cred); err != nil {
		return err
	}
	if err := d.placeArtifact(s, inst.dir, cred); err != nil {
		return err
	}
	if err := instdir.PlaceConfigs(inst.dir, s.Configs, configGroup(cred)); err != nil {
		return err
	}
	if err := linkVolumes(s, work, cred); err != nil {
		return err
	}
	if err := instdir.ClearExit(inst.dir); err != nil { // an earlier run's
		return err
	}
	// Recorded before the fork, so that a later Driver knows to look for
	// an orphan if this server dies before recording the PID.
	inst.rec = record{User: cred, Record: instdir.Record{Phase: instdir.PhaseStarting, StartedAt: d.now(), Spec: s}}
	inst.done = nil
	if err := writeRecord(inst.dir, inst.rec); err != nil {
		return err
	}
	pid, err := d.spawn(ctx, inst, s, work, cred)
	if err != nil {
		d.ended(inst, "start failed: "+err.Error())
		d.insts[s.ID] = inst
		return err
	}
	// A child of d is not reaped yet; a monitor's child may be (it ended
	// at once): its StartTime is then 0, which no process has, and its
	// exit.json says how it ended.
	st, _ := readStat(pid)
	inst.rec.Phase, inst.rec.PID, inst.rec.StartTime = instdir.PhaseRunning, pid, st.StartTime
	go d.saveStarted(s.ID, inst)
	return nil
}

// saveStarted writes the record of a started instance once d.mu is free:
// after Start has returned, so that the instance's checks begin without
// waiting for it (0.3-1 ms on a busy machine, a cold start's included). A
// server that dies before it leaves the record "starting", and the next
// one finds the process by its directory (refresh), as after a death
// mid-Start. The record written is inst's as it is then (ended already,
// perhaps); nothing is written once inst is no longer d's instance id
// (removed, or started again).
func (d *Driver) saveStarted(id string, inst *instance) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.insts[id] != inst {
		return
	}
	if err := writeRecord(inst.dir, inst.rec); err != nil {
		d.opts.Logger.Warn("save instance record; a restarted server will look for the process by its directory",
			"id", id, "err", err)
	}
}

// spawn starts the process with its logs, environment, user and cgroups,
// as d's child (reaped by d) or, when s.RecordExit, as its monitor's, and
// returns its PID. d.mu is held.
func (d *Driver) spawn(ctx context.Context, inst *instance, s workload.InstanceSpec, work string, cred *credential) (int, error) {
	cmd, err := command(s, inst.dir, work, cred)
	if err != nil {
		return 0, err
	}
	setCredential(cmd, cred)
	stdout, stderr, err := OpenLogs(inst.dir)
	if err != nil {
		return 0, err
	}
	defer stdout.Close() // the child has its own copy
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	release := d.enterCgroups(inst, s, cmd, cred)
	defer release()
	if s.RecordExit {
		return d.startMonitored(ctx, inst, cmd, cred)
	}
	if err := startConfined(cmd, inst.dir, cred, d.warnNoMount); err != nil {
		return 0, err
	}
	inst.done = make(chan struct{})
	go d.reap(inst, cmd)
	return cmd.Process.Pid, nil
}

// withDefaultPIDs is r with the pids limit an instance gets when its spec
// sets none.
func withDefaultPIDs(r spec.Resources) spec.Resources {
	if r.PIDs <= 0 {
		r.PIDs = DefaultPIDs
	}
	return r
}

// enterCgroups gives the instance its cgroups (always: with no limits in
// its spec it still gets DefaultPIDs) when cgroups work; otherwise it runs
// without (logged). d.mu is held.
func (d *Driver) enterCgroups(inst *instance, s workload.InstanceSpec, cmd *exec.Cmd, cred *credential) (release func()) {
	cg := d.cgroups()
	if cg == nil {
		return func() {}
	}
	inst.rec.Cgroup = true // so that a failure below is cleaned up too
	err := cg.create(s.ID, withDefaultPIDs(s.Resources))
	if err == nil {
		err = delegateJoin(cg, s.ID, cred)
	}
	if err != nil {
		d.opts.Logger.Warn("create cgroup; instance runs without resource limits", "id", s.ID, "err", err)
		d.releaseCgroups(inst)
		return func() {}
	}
	release, err = cg.enter(s.ID, cmd)
	if err != nil {
		d.opts.Logger.Warn("enter cgroup; instance runs without resource limits", "id", s.ID, "err", err)
		d.releaseCgroups(inst)
		return func() {}
	}
	return release
}

// reap waits for a child of d and records how it ended.
func (d *Driver) reap(inst *instance, cmd *exec.Cmd) {
	_ = cmd.Wait() // the outcome is in ProcessState
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ended(inst, cmd.ProcessState.String())
	close(inst.done)
}

// command builds the exec.Cmd for s: in its own session and process
// group, with exactly s.Env. It has no Dir: startConfined starts it in
// the work directory, and a program inside the instance's directory is
// named relative to it ("./app", "../artifact/app"), since the instance's
// user may not walk the data folder's path.
func command(s workload.InstanceSpec, dir, work string, cred *credential) (*exec.Cmd, error) {
	path, err := lookPath(s.Command[0], s.Env, work, cred)
	if err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(work, path); err == nil && strings.HasPrefix(path, dir+string(filepath.Separator)) {
		path = "./" + rel
	}
	env := make([]string, 0, len(s.Env))
	for k, v := range s.Env {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return &exec.Cmd{
		Path: path,
		Args: slices.Clone(s.Command),
		Env:  env,
		// Setsid: a new session and process group (pgid == pid) with no
		// controlling terminal, so neither the server's death nor a
		// Ctrl-C or hangup in its terminal reaches the instance.
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}, nil
}

// lookPath resolves a command name. A name with a slash is taken relative
// to the work directory. A bare name is searched in the instance's PATH,
// or in the server's PATH when the instance's environment has none, for a
// file the instance's user (cred; nil: the server's) may run: root's PATH
// can name directories only root may enter (~/.pyenv/shims).
func lookPath(name string, env map[string]string, work string, cred *credential) (string, error) {
	if strings.Contains(name, "/") {
		if !filepath.IsAbs(name) {
			name = filepath.Join(work, name)
		}
		return name, executable(name)
	}
	path, ok := env["PATH"]
	if !ok {
		path = os.Getenv("PATH")
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(work, dir)
		}
		if p := filepath.Join(dir, name); executable(p) == nil && runnableBy(p, cred) {
			return p, nil
		}
	}
	return "", fmt.Errorf("command %q not found in PATH %q", name, path)
}

// executable returns nil if path is a regular file someone may execute.
func executable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}

// warnNoMount logs, once per Driver, that instances run without a mount
// namespace of their own.
func (d *Driver) warnNoMount(err error) {
	if d.mountWarned.CompareAndSwap(false, true) {
		d.opts.Logger.Warn("no mount namespace for instances: they see their work directory at its real path, which their user may not be able to walk", "err", err)
	}
}

// linkVolumes prepares each volume the instance mounts (its user's) and
// links it into the working directory.
func linkVolumes(s workload.InstanceSpec, work string, cred *credential) error {
	uid, gid := -1, -1
	if cred != nil {
		uid, gid = cred.UID, cred.GID
	}
	for _, m := range s.Mounts {
		if err := workload.PrepareVolume(m.Source, uid, gid); err != nil {
			return err
		}
		if err := workload.LinkVolume(work, m.At, m.Source, uid, gid); err != nil {
			return err
		}
	}
	return nil
}
