package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is a process the benchmark started in its own process group, with
// its output kept in memory for error messages.
type child struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{} // closed once the process has exited
	err  error         // Wait's result, set before done closes
}

// startChild starts cmd in its own process group and reaps it when it exits.
func startChild(cmd *exec.Cmd) (*child, error) {
	c := &child{cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	return c, nil
}

// exited reports whether the process has exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, and SIGKILL if the process is
// still there after grace.
func (c *child) stop(grace time.Duration) error {
	pid := c.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-time.After(grace):
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	select {
	case <-c.done:
		return fmt.Errorf("pid %d ignored SIGTERM for %s and was killed", pid, grace)
	case <-time.After(grace):
		return fmt.Errorf("pid %d still running after SIGKILL", pid)
	}
}

// signalGroups sends sig to each process group (pgid == the leader's pid).
func signalGroups(pids []int, sig syscall.Signal) {
	for _, pid := range pids {
		if pid > 0 {
			_ = syscall.Kill(-pid, sig)
		}
	}
}

// lockedBuffer is a bytes.Buffer that a child's output and a reader share.
type lockedBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// tail returns the last n lines written.
func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimRight(l.b.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
