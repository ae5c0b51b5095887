package benchkit

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

// Child is a process a benchmark started in its own process group, with
// its output kept in memory for error messages.
type Child struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{} // closed once the process has exited
	err  error         // Wait's result, set before done closes
}

// StartChild starts cmd in its own process group, its output going to the
// child's buffer, and reaps it when it exits. name is for messages.
func StartChild(name string, cmd *exec.Cmd) (*Child, error) {
	c := &Child{name: name, cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	return c, nil
}

// PID is the process id, which is also its process group id.
func (c *Child) PID() int { return c.cmd.Process.Pid }

// Exited reports whether the process has exited.
func (c *Child) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Err is how the process ended (Wait's result); nil until it has Exited.
func (c *Child) Err() error {
	if !c.Exited() {
		return nil
	}
	return c.err
}

// Tail returns the last n lines the process wrote to stdout and stderr.
func (c *Child) Tail(n int) string { return c.out.tail(n) }

// Stop sends SIGTERM to the process group, and SIGKILL if the process is
// still there after grace. It returns an error if SIGKILL was needed or
// did not help within another grace.
func (c *Child) Stop(grace time.Duration) error {
	pid := c.PID()
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-time.After(grace):
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	select {
	case <-c.done:
		return fmt.Errorf("%s (pid %d) ignored SIGTERM for %s and was killed", c.name, pid, grace)
	case <-time.After(grace):
		return fmt.Errorf("%s (pid %d) still running after SIGKILL", c.name, pid)
	}
}

// WaitListening waits until addr accepts TCP connections, the process
// exits, or timeout passes.
func (c *Child) WaitListening(ctx context.Context, addr string, timeout time.Duration) error {
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
			return fmt.Errorf("%s exited before listening on %s: %v\n%s", c.name, addr, c.err, c.Tail(20))
		case <-ctx.Done():
			return fmt.Errorf("%s not listening on %s after %s: %w\n%s", c.name, addr, timeout, err, c.Tail(20))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// SignalGroups sends sig to each process group (pgid == the leader's pid).
func SignalGroups(pids []int, sig syscall.Signal) {
	for _, pid := range pids {
		if pid > 0 {
			_ = syscall.Kill(-pid, sig)
		}
	}
}

// FreeAddr returns a loopback address with a port nobody listens on now.
func FreeAddr() (string, error) {
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
