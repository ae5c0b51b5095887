package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/workload/instdir"
	"golang.org/x/sys/unix"
)

// monitorArg0 is the argv[0] with which the driver re-executes its own
// binary (/proc/self/exe) as the monitor of an instance whose spec sets
// RecordExit. init recognises it before main runs, in the server and in
// test binaries alike, as the container driver's monitor does.
const monitorArg0 = "slipway-job-monitor"

// The monitor's file descriptors beyond stdio (cmd.ExtraFiles).
const (
	monitorLaunchFD = 3 // read: the launch message, JSON, to EOF
	monitorStatusFD = 4 // write: the status protocol (instdir.ReadStarted)
	monitorCgroupFD = 5 // the instance's cgroup v2 directory, when launch.CgroupFD
)

func init() {
	if len(os.Args) > 0 && os.Args[0] == monitorArg0 {
		os.Exit(monitorMain())
	}
}

// launch is what the driver hands a monitor: the command it built for
// the instance (path resolved, environment with its secrets, cgroups
// entered), sent on a pipe so that no secret is on a command line or on
// disk.
type launch struct {
	Path string   `json:"path"`
	Args []string `json:"args"`
	Env  []string `json:"env"`
	// Dir is the instance's directory: the confinement's and exit.json's.
	Dir  string      `json:"dir"`
	User *credential `json:"user,omitempty"`
	// CgroupFD: the process is cloned into the cgroup open at
	// monitorCgroupFD (v2).
	CgroupFD bool `json:"cgroupFD,omitempty"`
}

// launchOf is what a monitor needs to start cmd as startConfined would.
func launchOf(cmd *exec.Cmd, dir string, c *credential) launch {
	return launch{Path: cmd.Path, Args: cmd.Args, Env: cmd.Env, Dir: dir, User: c,
		CgroupFD: cmd.SysProcAttr.UseCgroupFD}
}

// command is the instance's exec.Cmd in the monitor: in a session of its
// own, as the instance's user, its output the monitor's (the instance's
// log files).
func (l launch) command() *exec.Cmd {
	cmd := &exec.Cmd{Path: l.Path, Args: l.Args, Env: l.Env, Stdout: os.Stdout, Stderr: os.Stderr,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true}}
	setCredential(cmd, l.User)
	if l.CgroupFD {
		cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, monitorCgroupFD
	}
	return cmd
}

// monitorMain is an instance's monitor: the process's parent, which
// outlives the server so that its exit status is never lost. It runs
// detached (its own session, as the server's user: root only to wait and
// write exit.json in the server's directory), its stdout and stderr the
// instance's logs:
//
//  1. it reads the launch on fd 3 and starts the process confined exactly
//     as the driver would (startConfined: the instance's user, no
//     capabilities, no_new_privs, its mount namespace and cgroup);
//  2. it says "ok PID" (or "error: why") on fd 4 and closes it;
//  3. it waits for the process and writes exit.json atomically.
//
// It exits 0 once exit.json is written, 1 otherwise.
func monitorMain() int {
	for _, fd := range []int{monitorLaunchFD, monitorStatusFD, monitorCgroupFD} {
		unix.CloseOnExec(fd) // the process inherits none of them
	}
	status := os.NewFile(monitorStatusFD, "status")
	l, err := readLaunch(os.NewFile(monitorLaunchFD, "launch"))
	if err != nil {
		instdir.ReportFailed(status, err)
		return 1
	}
	cmd := l.command()
	if err := startConfined(cmd, l.Dir, l.User, func(err error) { instdir.ReportWarning(status, err) }); err != nil {
		instdir.ReportFailed(status, err)
		return 1
	}
	instdir.ReportStarted(status, cmd.Process.Pid)
	status.Close()
	if l.CgroupFD {
		unix.Close(monitorCgroupFD)
	}
	_ = cmd.Wait() // the outcome is in ProcessState
	if err := instdir.WriteExit(l.Dir, instdir.Exit{Exit: cmd.ProcessState.String(), ExitedAt: time.Now()}); err != nil {
		fmt.Fprintf(os.Stderr, "slipway job monitor: record the exit (%s): %v\n", cmd.ProcessState, err)
		return 1
	}
	return 0
}

// readLaunch reads the launch message to EOF.
func readLaunch(r io.ReadCloser) (launch, error) {
	defer r.Close()
	var l launch
	data, err := io.ReadAll(r)
	if err == nil {
		err = json.Unmarshal(data, &l)
	}
	if err == nil && (l.Path == "" || len(l.Args) == 0 || l.Dir == "") {
		err = fmt.Errorf("incomplete launch %q", data)
	}
	if err != nil {
		return launch{}, fmt.Errorf("read launch: %w", err)
	}
	return l, nil
}

// startMonitored starts cmd (built by spawn: logs, user, cgroups entered)
// through a monitor, detached, records the monitor (so that a server that
// dies now finds it), and returns the process's PID once the monitor says
// it runs. d.mu is held, for as long as a monitor takes to start (a few
// milliseconds): only job runs go this way.
func (d *Driver) startMonitored(ctx context.Context, inst *instance, cmd *exec.Cmd, c *credential) (int, error) {
	msg, err := json.Marshal(launchOf(cmd, inst.dir, c))
	if err != nil {
		return 0, err
	}
	files, err := monitorFiles(cmd)
	if err != nil {
		return 0, err
	}
	mon := &exec.Cmd{
		Path: "/proc/self/exe", Args: []string{monitorArg0}, Env: []string{}, Dir: "/",
		Stdout: cmd.Stdout, Stderr: cmd.Stderr, ExtraFiles: files.child,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true}, // nothing sent to the server's group or terminal reaches it
	}
	err = mon.Start()
	closeAll(files.child) // the monitor's now: a monitor that dies is EOF on status
	if err != nil {
		closeAll([]*os.File{files.launch, files.status})
		return 0, fmt.Errorf("start monitor: %w", err)
	}
	go mon.Wait() // reap it if it ends while this server runs
	inst.rec.MonitorPID = mon.Process.Pid
	inst.rec.MonitorStart, _ = StartTime(mon.Process.Pid)
	d.save(inst)
	_, werr := files.launch.Write(msg)
	files.launch.Close()
	pid, err := instdir.ReadStarted(ctx, files.status, d.warnNoMount)
	files.status.Close()
	if err != nil {
		_ = mon.Process.Kill() // stuck: the start fails, nothing of it may go on unseen
		return 0, errors.Join(err, werr)
	}
	return pid, nil
}

// monitorPipes are the driver's ends of a monitor's pipes, and the files
// the monitor gets (in the order of its file descriptors from 3).
type monitorPipes struct {
	launch, status *os.File
	child          []*os.File
}

// monitorFiles makes the launch and status pipes and, when cmd is cloned
// into a cgroup v2, a copy of that cgroup's descriptor (the original is
// closed by spawn's release).
func monitorFiles(cmd *exec.Cmd) (monitorPipes, error) {
	lr, lw, err := os.Pipe()
	if err != nil {
		return monitorPipes{}, err
	}
	sr, sw, err := os.Pipe()
	if err != nil {
		closeAll([]*os.File{lr, lw})
		return monitorPipes{}, err
	}
	p := monitorPipes{launch: lw, status: sr, child: []*os.File{lr, sw}}
	if cmd.SysProcAttr.UseCgroupFD {
		fd, err := unix.Dup(cmd.SysProcAttr.CgroupFD)
		if err != nil {
			closeAll(append(p.child, lw, sr))
			return monitorPipes{}, fmt.Errorf("pass the cgroup to the monitor: %w", err)
		}
		unix.CloseOnExec(fd)
		p.child = append(p.child, os.NewFile(uintptr(fd), "cgroup"))
	}
	return p, nil
}

// closeAll closes files, ignoring errors (pipe ends and descriptors
// already handed on).
func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
