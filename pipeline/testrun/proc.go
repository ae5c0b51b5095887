package testrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// grace is how long the process group has between SIGTERM and SIGKILL.
const grace = 2 * time.Second

// killWait bounds the wait for the shell to end after SIGKILL; only a
// process stuck in the kernel takes longer.
const killWait = 5 * time.Second

// drainWait bounds the wait for the end of the output once the group is
// dead: only a process that left the group can hold the pipe longer.
const drainWait = 500 * time.Millisecond

// proc is a started shell and the goroutines that watch it.
type proc struct {
	cmd    *exec.Cmd
	out    *os.File      // the read end of the output pipe
	exited chan struct{} // closed when the shell has ended; it is not reaped until finish
	copied chan struct{} // closed when copying the output has stopped
}

// stopping says whether and how Run stopped the shell.
type stopping struct {
	timedOut bool
	cause    string // why it was stopped ("timed out after 1m0s"); empty if it ended by itself
	how      string // what it took ("killed (SIGKILL) after 2s grace"); set with cause
}

// start starts the shell in its own session and process group, with its
// output going to out, and starts watching it.
func start(c Command, env []string, out io.Writer) (*proc, error) {
	if err := checkDir(c.Dir); err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:        "/bin/sh",
		Args:        []string{"sh", "-c", c.Run},
		Dir:         c.Dir,
		Env:         env, // never nil: nil would mean the server's environment
		Stdout:      w,   // an *os.File: exec starts no copying goroutine of its own
		Stderr:      w,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	if c.Start != nil {
		err = c.Start(cmd)
	} else {
		err = cmd.Start()
	}
	w.Close() // the shell has its own copy; ours would hold off EOF
	if err != nil {
		r.Close()
		return nil, err
	}
	p := &proc{cmd: cmd, out: r, exited: make(chan struct{}), copied: make(chan struct{})}
	go p.watch()
	go p.copy(out)
	return p, nil
}

// checkDir checks that dir, if set, is a directory. Without it, a
// missing directory fails the fork as "fork/exec /bin/sh: no such file
// or directory", which blames the shell.
func checkDir(dir string) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist", dir)
	case err != nil:
		return fmt.Errorf("directory: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// watch closes p.exited when the shell ends, without reaping it: while it
// is a zombie its PID, which is the group's ID, cannot be reused, so
// signals to the group reach only what the shell started.
func (p *proc) watch() {
	defer close(p.exited)
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, p.cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return // ended, or ECHILD, which finish's Wait reports
		}
	}
}

// copy copies the output into out until EOF, or until drain closes the
// pipe.
func (p *proc) copy(out io.Writer) {
	defer close(p.copied)
	_, _ = io.Copy(out, p.out) // a read error only ends the output
}

// supervise waits for the shell to end, for the timeout or for ctx, and
// stops the group in the latter two cases. Whatever is left in the group
// once the shell has ended is killed.
func (p *proc) supervise(ctx context.Context, timeout time.Duration) stopping {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var s stopping
	select {
	case <-p.exited:
	case <-timer.C:
		s.timedOut, s.cause = true, fmt.Sprintf("timed out after %v", timeout)
	case <-ctx.Done():
		s.cause = "canceled: " + context.Cause(ctx).Error()
	}
	if s.cause != "" {
		if p.ended() {
			s = stopping{} // it ended at that very moment: its exit status stands
		} else {
			s.how = p.stop()
		}
	}
	p.signal(unix.SIGKILL)
	return s
}

// stop sends SIGTERM to the group, then SIGKILL after grace, and says
// what it took.
func (p *proc) stop() string {
	p.signal(unix.SIGTERM)
	if p.await(grace) {
		return "stopped (SIGTERM)"
	}
	p.signal(unix.SIGKILL)
	if p.await(killWait) {
		return fmt.Sprintf("killed (SIGKILL) after %v grace", grace)
	}
	return fmt.Sprintf("still running %v after SIGKILL", killWait)
}

// finish reaps the shell, if it has ended, and waits for the rest of its
// output. It returns the shell's exit code (-1 when killed by a signal or
// still running) and its state ("exit status 1", "signal: killed").
func (p *proc) finish() (exitCode int, state string) {
	exitCode, state = -1, "still running"
	if p.ended() {
		err := p.cmd.Wait() // the outcome is in ProcessState, if there is one
		if ps := p.cmd.ProcessState; ps != nil {
			exitCode, state = ps.ExitCode(), ps.String()
		} else {
			state = "exit status unknown: " + err.Error()
		}
	} else {
		go func() { _ = p.cmd.Wait() }() // reaped whenever the kernel lets it go
	}
	p.drain()
	return exitCode, state
}

// drain waits up to drainWait for the output to end, then cuts it off.
func (p *proc) drain() {
	timer := time.NewTimer(drainWait)
	defer timer.Stop()
	select {
	case <-p.copied:
	case <-timer.C:
	}
	p.out.Close() // unblocks a read still waiting
	<-p.copied
}

// signal sends sig to the shell's process group. ESRCH (nobody left) is
// not an error.
func (p *proc) signal(sig unix.Signal) {
	_ = unix.Kill(-p.cmd.Process.Pid, sig)
}

// ended reports whether the shell has ended.
func (p *proc) ended() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// await waits up to d for the shell to end and reports whether it has.
func (p *proc) await(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-p.exited:
		return true
	case <-timer.C:
		return p.ended()
	}
}
