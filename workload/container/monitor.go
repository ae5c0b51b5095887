package container

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/workload/instdir"
)

// monitorArg0 is the argv[0] with which the driver re-executes its own
// binary as a container's monitor. init recognises it before main runs,
// in the server and in test binaries alike (the re-exec pattern of
// Docker's reexec package).
const monitorArg0 = "slipway-container-monitor"

func init() {
	if len(os.Args) > 0 && os.Args[0] == monitorArg0 {
		os.Exit(monitorMain(os.Args[1:]))
	}
}

// monitorArgs is what the driver passes to a monitor.
type monitorArgs struct {
	Runtime string // path of runc or crun
	Root    string // the runtime's private state root
	Dir     string // the instance's directory (bundle/, logs, exit.json)
	ID      string
}

func (a monitorArgs) argv() []string {
	return []string{monitorArg0, a.Runtime, a.Root, a.Dir, a.ID}
}

// monitorMain is a container's monitor, the small process that outlives
// the server so that an exit status is never lost (as conmon or a
// containerd shim). It runs detached (its own session, started by the
// driver with its stdout and stderr on the instance's logs and a status
// pipe on fd 3):
//
//  1. it makes itself a child subreaper, so that the container's init,
//     orphaned when `runtime run --detach` returns, becomes its child;
//  2. it runs the container detached, its stdio the monitor's own (the
//     instance's log files: no pipe through any process that could die);
//  3. it says "ok PID" (or "error: why") on fd 3 and closes it;
//  4. it waits for the container's init and writes exit.json, then
//     deletes the container from the runtime's state.
//
// It exits 0 once exit.json is written, 1 when the container never
// started.
func monitorMain(args []string) int {
	if len(args) != 4 {
		fmt.Fprintln(os.Stderr, "slipway container monitor: want RUNTIME ROOT DIR ID")
		return 2
	}
	a := monitorArgs{Runtime: args[0], Root: args[1], Dir: args[2], ID: args[3]}
	status := os.NewFile(3, "status")
	pid, err := monitorStart(a)
	if err != nil {
		instdir.ReportFailed(status, err)
		status.Close()
		// A container created but not started stays in the runtime's
		// state (and cgroups) until deleted.
		_ = exec.Command(a.Runtime, "--root", a.Root, "delete", "--force", a.ID).Run()
		return 1
	}
	instdir.ReportStarted(status, pid)
	status.Close()
	ws := reap(pid)
	_ = instdir.WriteExit(a.Dir, instdir.Exit{Exit: describe(ws), ExitedAt: time.Now()})
	_ = exec.Command(a.Runtime, "--root", a.Root, "delete", "--force", a.ID).Run()
	return 0
}

// monitorStart runs the container detached and returns its init's PID.
func monitorStart(a monitorArgs) (int, error) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return 0, fmt.Errorf("become subreaper: %w", err)
	}
	cmd := exec.Command(a.Runtime, "--root", a.Root, "--log", filepath.Join(a.Dir, runtimeLog),
		"run", "--detach", "--bundle", filepath.Join(a.Dir, bundleDir), "--pid-file", filepath.Join(a.Dir, pidFile), a.ID)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s run: %v: %s", filepath.Base(a.Runtime), err, lastRuntimeError(a.Dir))
	}
	data, err := os.ReadFile(filepath.Join(a.Dir, pidFile))
	if err != nil {
		return 0, fmt.Errorf("read container pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("container pid file %q: not a PID", data)
	}
	return pid, nil
}

// reap waits for pid (an adopted orphan: the container's init), reaping
// any other orphan that lands here meanwhile.
func reap(pid int) syscall.WaitStatus {
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			// ECHILD: the init never became our child (a kernel without
			// subreapers); wait for it to vanish instead.
			for syscall.Kill(pid, 0) == nil {
				time.Sleep(50 * time.Millisecond)
			}
			return ws
		}
		if got == pid {
			return ws
		}
	}
}

// describe says how a process ended, in the words of
// os.ProcessState.String ("exit status 3", "signal: killed"), which the
// process driver reports too.
func describe(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return "exit status " + strconv.Itoa(ws.ExitStatus())
	case ws.Signaled():
		return "signal: " + ws.Signal().String()
	}
	return "ended (status unknown)"
}

// lastRuntimeError is the last message the runtime logged (its errors go
// to runtime.log, in logrus's text format: msg="...").
func lastRuntimeError(dir string) string {
	f, err := os.Open(filepath.Join(dir, runtimeLog))
	if err != nil {
		return "no runtime log"
	}
	defer f.Close()
	last := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, "error") {
			last = line
		}
	}
	if _, msg, ok := strings.Cut(last, `msg="`); ok {
		last = strings.TrimSuffix(strings.ReplaceAll(msg, `\"`, `"`), `"`)
	}
	return last
}
