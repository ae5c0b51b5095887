package benchkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/client"
)

// Bounds a benchmark's server gets unless it needs others.
const (
	HealthyTimeout = 15 * time.Second // start -> /v1/health answers
	StopGrace      = 10 * time.Second // SIGTERM -> gone, before SIGKILL
)

// Server is one `slipway server` child process, in its own process
// group, over its own data directory, with its API and router on free
// loopback ports. Stop ends it and every instance it started.
type Server struct {
	Data                string // its --data
	APIAddr, RouterAddr string // host:port
	URL                 string // the API's base URL
	// Token is the server's admin token (the TCP API takes one on every
	// request): given to it at start, for the client and the CLI.
	Token  string
	Client *Client
	Proc   *Child
}

// Client is the API client a Server carries.
type Client = client.Client

// StartServer starts `bin server --data data` with extra args on free
// loopback ports and waits (at most healthy) until its API answers
// /v1/health.
func StartServer(ctx context.Context, bin, data string, healthy time.Duration, args ...string) (*Server, error) {
	apiAddr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	routerAddr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	argv := append([]string{"server", "--data", data, "--api", apiAddr, "--router", routerAddr, "--log-level", "warn", "--no-system-socket"}, args...)
	token, err := NewToken()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, argv...)
	cmd.Env = append(os.Environ(), "SLIPWAY_TOKEN="+token) // names its admin token; ps does not show it
	proc, err := StartChild("slipway server", cmd)
	if err != nil {
		return nil, err
	}
	s := &Server{Data: data, APIAddr: apiAddr, RouterAddr: routerAddr, URL: "http://" + apiAddr, Token: token,
		Client: client.New("http://"+apiAddr, client.WithToken(token)), Proc: proc}
	if err := s.waitHealthy(ctx, healthy); err != nil {
		return nil, errors.Join(err, s.Stop(10*time.Second))
	}
	return s, nil
}

func (s *Server) waitHealthy(ctx context.Context, timeout time.Duration) error {
	_, err := Poll(ctx, "server healthy at "+s.URL, timeout, 20*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		if s.Proc.Exited() {
			return false, "", fmt.Errorf("server exited: %w\n%s", s.Proc.Err(), s.Proc.Tail(20))
		}
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := s.Client.Health(ctx); err != nil {
			return false, err.Error(), nil
		}
		return true, "", nil
	})
	return err
}

// Annotate adds the server's last log lines to a non-nil err.
func (s *Server) Annotate(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w\nserver log (last lines):\n%s", err, s.Proc.Tail(20))
}

// Stop stops the instances the server reports (SIGTERM to each process
// group), then the server (SIGKILL after grace), then any instance still
// running under its data directory: a server that stops leaves its
// instances running, for the next one to adopt.
func (s *Server) Stop(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var groups []int
	if svcs, err := s.Client.Services(ctx); err == nil {
		for _, svc := range svcs {
			for _, in := range svc.Instances {
				groups = append(groups, in.PID)
			}
		}
	}
	SignalGroups(groups, syscall.SIGTERM)
	err := s.Proc.Stop(grace)
	return errors.Join(err, Sweep(s.Data, grace))
}

// Close stops the server and every instance it started, each given
// StopGrace.
func (s *Server) Close() error { return s.Stop(StopGrace) }

// NewToken returns a random admin token for a server a benchmark starts.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// CLIEnv is the environment for the slipway CLI run against s: its
// token, and no other server's settings.
func (s *Server) CLIEnv() []string {
	return append(os.Environ(), "SLIPWAY_TOKEN="+s.Token, "SLIPWAY_SERVER=")
}

// Command is the slipway CLI (bin) run with args against s: --server
// first, and CLIEnv.
func (s *Server) Command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, append([]string{"--server", s.URL}, args...)...)
	cmd.Env = s.CLIEnv()
	return cmd
}
