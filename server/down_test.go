package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/store"
)

// start runs a real server on dir (loopback, free ports) until the test
// ends or stop is called.
func start(t *testing.T, dir string) (c *client.Client, stop func()) {
	t.Helper()
	cfg := Default()
	cfg.DataDir, cfg.APIAddr, cfg.RouterAddr, cfg.PrometheusURL = dir, "127.0.0.1:0", "127.0.0.1:0", ""
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.SystemSocket = "" // not the real /run/slipway
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-s.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("server: %v", err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	return client.New("unix://" + s.SocketPath()), stop // the owner: an admin
}

// environments lists the server's environments by name.
func environments(t *testing.T, c *client.Client) map[string]api.Environment {
	t.Helper()
	envs, err := c.Environments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]api.Environment{}
	for _, e := range envs {
		out[e.Name] = e
	}
	return out
}

// TestServerImportsRegistry starts a server on a data folder of a server
// that kept its registry in environments.json, with staging hosted and
// the default environment going down: staging is opened, the take-down
// finished, the file renamed; a second start opens staging from the
// store.
func TestServerImportsRegistry(t *testing.T) {
	dir := t.TempDir()
	legacy := `[{"name": "staging", "router": "127.0.0.1:0"}, {"name": "default", "router": "", "down": true}]`
	if err := os.WriteFile(filepath.Join(dir, legacyRegistry), []byte(legacy), 0o644); err != nil {
		t.Fatal(err)
	}
	c, stop := start(t, dir)
	if err := c.WaitDown(context.Background(), 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	envs := environments(t, c)
	if _, ok := envs["staging"]; !ok || len(envs) != 2 {
		t.Fatalf("environments after the import: %+v", envs)
	}
	if _, err := os.Stat(filepath.Join(dir, legacyRegistry+importedSuffix)); err != nil {
		t.Errorf("environments.json.imported: %v", err)
	}
	stop()
	c, _ = start(t, dir)
	if envs := environments(t, c); len(envs) != 2 || envs["staging"].Down || envs["default"].Down {
		t.Errorf("environments after a restart: %+v", envs)
	}
}

// TestDownIsDesiredState asks for an environment to go down, twice: each
// request returns once recorded, the take-down finishes on its own, and
// the registry records the last one with who asked.
func TestDownIsDesiredState(t *testing.T) {
	dir := t.TempDir()
	c, stop := start(t, dir)
	ctx := context.Background()
	if err := c.Down(ctx, "ana"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitDown(ctx, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := c.Down(ctx, "bo"); err != nil { // "bo" is what the client claims: ignored
		t.Fatalf("down again once down: %v", err)
	}
	if err := c.WaitDown(ctx, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	stop()
	hub := openHub(t, dir)
	var rec store.Environment
	err := hub.View(ctx, func(tx store.Tx) error {
		var err error
		rec, err = tx.GetEnvironment("default")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.GoingDown() || rec.LastDown == nil || rec.LastDown.By != uidName(uint32(os.Getuid())) || rec.LastDown.DoneAt.IsZero() {
		t.Errorf("registry record: %+v, last down %+v", rec, rec.LastDown)
	}
}

// TestDownTwice: a second request while the first is in flight is a
// conflict.
func TestDownTwice(t *testing.T) {
	h := &hosted{m: map[string]*parts{}}
	p := &parts{name: "staging"}
	p.down.Store(true)
	h.m["staging"] = p
	err := h.Down(context.Background(), "staging", "ana")
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("down while going down: %v, want a conflict", err)
	}
}
