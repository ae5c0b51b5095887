package monkey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/client"
)

// server is one `slipway server` child, in its own process group.
type server struct {
	bin, data   string
	api, router string // addresses
	cmd         *exec.Cmd
	out         *syncBuffer
	done        chan struct{}
	client      *client.Client
	// token is the server's admin token (DATA/admin.token, written at
	// its first start): the TCP API takes one on every request.
	token string
}

// syncBuffer keeps a child's output for a failure's report.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 1<<20 {
		s.b.Reset()
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr is a loopback address nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer starts a server over data with its router at router and
// waits until its API answers.
func startServer(ctx context.Context, bin, data, router string) (*server, error) {
	for try := 0; ; try++ {
		api, err := freeAddr()
		if err != nil {
			return nil, err
		}
		s := &server{bin: bin, data: data, api: api, router: router, out: &syncBuffer{}, done: make(chan struct{}),
			client: client.New("http://" + api)}
		s.cmd = exec.Command(bin, "server", "--data", data, "--api", api, "--router", router, "--log-level", "warn", "--no-system-socket")
		s.cmd.Env = append(os.Environ(), "SLIPWAY_TOKEN=") // its own admin token, kept in DATA/admin.token
		s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if err := s.cmd.Start(); err != nil {
			return nil, fmt.Errorf("start server: %w", err)
		}
		go func() { _ = s.cmd.Wait(); close(s.done) }()
		err = s.waitHealthy(ctx)
		if err == nil {
			err = s.readToken()
		}
		if err == nil {
			return s, nil
		}
		s.kill()
		if try >= 5 {
			return nil, err
		}
		time.Sleep(500 * time.Millisecond) // the router's port, just freed, or an API port race
	}
}

// readToken reads the server's admin token and gives it to its client.
func (s *server) readToken() error {
	b, err := os.ReadFile(client.AdminTokenFor(s.data))
	if err != nil {
		return fmt.Errorf("admin token: %w", err)
	}
	s.token = strings.TrimSpace(string(b))
	s.client = client.New("http://"+s.api, client.WithToken(s.token))
	return nil
}

// waitHealthy waits up to 20s for GET /v1/health.
func (s *server) waitHealthy(ctx context.Context) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("server exited before it was healthy:\n%s", tail(s.out.String(), 20))
		default:
		}
		hctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := s.client.Health(hctx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("server not healthy within 20s")
}

// kill sends SIGKILL to the server's process group (only the server is
// in it: instances run in sessions of their own) and waits for it.
func (s *server) kill() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
}

// alive reports whether the server process still runs.
func (s *server) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// cli runs the slipway CLI against s, bounded by timeout, and returns its
// combined output.
func (s *server) cli(ctx context.Context, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, append([]string{"--server", "http://" + s.api}, args...)...)
	cmd.Env = append(os.Environ(), "SLIPWAY_SERVER=", "SLIPWAY_TOKEN="+s.token)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("slipway %v: %w: %s", args, err, out)
	}
	return string(out), nil
}
