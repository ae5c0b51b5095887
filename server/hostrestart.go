package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/store"
)

// A host restart (a reboot) leaves the store's instance records as they
// were and none of their processes: each would look like a crash, with a
// crash's backoff, and every service would start at once. The server
// notices the restart instead, and marks every instance to start again
// (store.Instance.HostRestart), which the rollout controller starts in
// dependency order, each service once its dependencies are ready.
//
// It notices it two ways: the kernel's boot ID (a new one at every boot)
// differs from the one recorded in the data folder, or the runtime
// directory (on /run, a tmpfs a reboot clears; systemd's
// RuntimeDirectory) has lost its marker. The second is how a test
// simulates a reboot without one: kill every process, clear the runtime
// directory, start the server.

const (
	// bootFile, in the data folder, is the boot ID the server last ran
	// under.
	bootFile = "boot.id"
	// runtimeMarker, in the runtime directory, says a server ran over
	// this data folder since the host started.
	runtimeMarker = "running"
	// bootIDPath is the kernel's boot ID.
	bootIDPath = "/proc/sys/kernel/random/boot_id"
)

// DefaultRuntimeDir is where a server over data keeps what a host
// restart clears: under /run/slipway as root, else under
// $XDG_RUNTIME_DIR (or the temporary directory), one folder per data
// folder (named by a hash of its absolute path).
func DefaultRuntimeDir(data string) string {
	abs, err := filepath.Abs(data)
	if err != nil {
		abs = data
	}
	sum := sha256.Sum256([]byte(abs))
	name := hex.EncodeToString(sum[:6])
	switch {
	case os.Geteuid() == 0:
		return filepath.Join("/run/slipway/data", name)
	case os.Getenv("XDG_RUNTIME_DIR") != "":
		return filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "slipway", name)
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("slipway-%d", os.Getuid()), name)
}

// hostRestarted reports whether the host restarted since a server last
// ran over the data folder. A data folder no server ran over before (no
// boot.id) is not a restart. record notes that a server runs now: called
// once every instance is marked, so that a crash in between finds the
// restart again.
func (s *Server) hostRestarted() (restarted bool, record func() error, err error) {
	rt := s.runtimeDir()
	boot, err := os.ReadFile(bootIDPath)
	if err != nil {
		return false, nil, fmt.Errorf("read the boot ID: %w", err)
	}
	now := strings.TrimSpace(string(boot))
	last, err := os.ReadFile(filepath.Join(s.cfg.DataDir, bootFile))
	ranBefore := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, nil, err
	}
	_, err = os.Stat(filepath.Join(rt, runtimeMarker))
	marked := err == nil
	restarted = ranBefore && (!marked || strings.TrimSpace(string(last)) != now)
	// Only what changed is written: a server restarted on the same boot
	// writes nothing, so it starts on a full disk (where it can still
	// serve reads and say the disk is full) as it did before.
	record = func() error {
		if !marked {
			// Only the server's own folder is private: a parent made
			// here (/run/slipway) also holds the system socket and the
			// instances' mount point, which other users must reach.
			if err := os.MkdirAll(filepath.Dir(rt), 0o755); err != nil {
				return fmt.Errorf("runtime directory %s: %w", rt, err)
			}
			if err := os.MkdirAll(rt, 0o700); err != nil {
				return fmt.Errorf("runtime directory %s: %w", rt, err)
			}
			if err := atomicfile.WriteFile(filepath.Join(rt, runtimeMarker), []byte(now+"\n")); err != nil {
				return err
			}
		}
		if ranBefore && strings.TrimSpace(string(last)) == now {
			return nil
		}
		return atomicfile.WriteFile(filepath.Join(s.cfg.DataDir, bootFile), []byte(now+"\n"))
	}
	return restarted, record, nil
}

func (s *Server) runtimeDir() string {
	if s.cfg.RuntimeDir != "" {
		return s.cfg.RuntimeDir
	}
	return DefaultRuntimeDir(s.cfg.DataDir)
}

// markHostRestart marks every instance of an environment to start again
// after a host restart: Pending, no process, not a crash, with an event
// saying so. An instance being stopped is left to be forgotten.
func (s *Server) markHostRestart(ctx context.Context, p *parts) error {
	now := s.cfg.Clock.Now()
	return p.store.Update(ctx, func(tx store.Tx) error {
		ins, err := tx.ListInstances("")
		if err != nil {
			return err
		}
		for _, in := range ins {
			if in.State == store.InstanceStopping {
				continue
			}
			in.State, in.PID, in.StartTime, in.Ready, in.HostRestart = store.InstancePending, 0, 0, false, now
			in.Message = "the host restarted: starting again once its dependencies are ready"
			if err := tx.PutInstance(in); err != nil {
				return err
			}
			_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventInstanceHostRestart, Service: in.Service, Revision: in.Revision,
				Instance: in.ID, Message: fmt.Sprintf("instance %s: the host restarted (not a crash); starting it again in dependency order", in.ID)})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// afterHostRestart marks every environment's instances when the host
// restarted, before any controller runs, then records that a server runs
// on this boot.
func (h *hosted) afterHostRestart() error {
	restarted, record, err := h.s.hostRestarted()
	if err != nil {
		return err
	}
	if restarted {
		h.s.cfg.Logger.Info("the host restarted since the server last ran: starting every instance again in dependency order")
		for _, p := range h.all() {
			if err := h.s.markHostRestart(h.ctx, p); err != nil {
				return fmt.Errorf("environment %s after a host restart: %w", p.name, err)
			}
		}
	}
	return record()
}

// absPath is path made absolute (as it is when that fails).
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
