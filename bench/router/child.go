package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopTimeout bounds SIGTERM -> gone, and then SIGKILL -> gone.
const stopTimeout = 5 * time.Second

// child is a process the benchmark started in its own process group, with
// its output kept in memory for error messages.
type child struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{} // closed once the process has exited
	err  error         // Wait's result, set before done closes
}

// startChild starts cmd in its own process group and reaps it when it exits.
func startChild(name string, cmd *exec.Cmd) (*child, error) {
	c := &child{name: name, cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	return c, nil
}

// pid is the process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// stop sends SIGTERM to the process group, and SIGKILL if the process is
// still there after stopTimeout.
func (c *child) stop() error {
	pid := c.pid()
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-time.After(stopTimeout):
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	select {
	case <-c.done:
		return fmt.Errorf("%s (pid %d) ignored SIGTERM for %s and was killed", c.name, pid, stopTimeout)
	case <-time.After(stopTimeout):
		return fmt.Errorf("%s (pid %d) still running after SIGKILL", c.name, pid)
	}
}

// waitListening waits until addr accepts TCP connections, the process
// exits, or timeout passes.
func (c *child) waitListening(ctx context.Context, addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-c.done:
			return fmt.Errorf("%s exited before listening on %s: %v\n%s", c.name, addr, c.err, c.out.tail(20))
		case <-ctx.Done():
			return fmt.Errorf("%s not listening on %s after %s: %w\n%s", c.name, addr, timeout, err, c.out.tail(20))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
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
