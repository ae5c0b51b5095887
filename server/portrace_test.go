package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

// grabbingPorts hands out the kernel's free ports, and the first time
// opens a listener of its own on the port it hands out: another process
// taking the port between its allocation and the instance's start.
type grabbingPorts struct {
	freePorts
	t *testing.T

	mu      sync.Mutex // guards grabbed
	grabbed int
}

func (g *grabbingPorts) Allocate() (int, error) {
	port, err := g.freePorts.Allocate()
	if err != nil {
		return 0, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.grabbed == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			g.t.Errorf("grab port %d: %v", port, err)
			return port, nil
		}
		g.t.Cleanup(func() { ln.Close() })
		g.grabbed = port
	}
	return port, nil
}

func (g *grabbingPorts) taken() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.grabbed
}

// listenSpec runs a real process that listens on ${PORT}, and exits at
// once (EADDRINUSE) when it cannot.
const listenSpec = `app: shop
services:
  web:
    run: ["python3", "-c", "import os, socket, time; s = socket.socket(); s.bind(('127.0.0.1', int(os.environ['PORT']))); s.listen(); time.sleep(600)"]
    health: {readiness: {tcp: true}}
    stopGrace: 1s
`

// TestPortTakenBeforeStart: a port handed out to an instance and taken by
// another process before the instance binds it is not a crash: the
// instance gets another port and runs, with no crash or restart counted.
func TestPortTakenBeforeStart(t *testing.T) {
	cfg := Default()
	cfg.DataDir, cfg.APIAddr, cfg.RouterAddr, cfg.PrometheusURL = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", ""
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.SystemSocket = "" // not the real /run/slipway
	cfg.StopOnExit = true
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ports := &grabbingPorts{t: t}
	s.ports = ports
	c := runGivenServer(t, s, cfg.DataDir)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.Apply(ctx, api.ApplyRequest{File: "slipway.yaml", Spec: listenSpec}); err != nil {
		t.Fatal(err)
	}
	var last api.Service
	for ctx.Err() == nil {
		last, err = c.Service(ctx, "web")
		if err == nil && len(last.Instances) == 1 {
			in := last.Instances[0]
			if in.Ready && in.Port != ports.taken() {
				if in.Restarts != 0 || in.LastExit != "" {
					t.Errorf("instance restarted %d times (last exit %q); want a new port before any crash", in.Restarts, in.LastExit)
				}
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no ready instance on another port than the taken %d: %+v", ports.taken(), last.Instances)
}

// runGivenServer runs s (on data folder dir) until the test ends and
// returns a client of its TCP API with the admin token it wrote.
func runGivenServer(t *testing.T, s *Server, dir string) *client.Client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-s.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("server: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	token, err := os.ReadFile(client.AdminTokenFor(dir))
	if err != nil {
		t.Fatal(err)
	}
	return client.New(s.Addr(), client.WithToken(strings.TrimSpace(string(token))))
}
