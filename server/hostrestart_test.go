package server

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHostRestartedSeesARebootOrAClearedRuntimeDirectory(t *testing.T) {
	data, rt := t.TempDir(), filepath.Join(t.TempDir(), "run")
	s := &Server{cfg: Config{DataDir: data, RuntimeDir: rt}}
	check := func(step string, want bool) {
		t.Helper()
		got, record, err := s.hostRestarted()
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: host restarted = %v; want %v", step, got, want)
		}
		if err := record(); err != nil {
			t.Fatal(err)
		}
	}
	check("first start over a new data folder", false)
	check("a server restart", false)
	if err := os.RemoveAll(rt); err != nil {
		t.Fatal(err)
	}
	check("the runtime directory cleared (as a reboot clears /run)", true)
	check("the next start", false)
	if err := os.WriteFile(filepath.Join(data, bootFile), []byte("another-boot\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	check("another boot ID recorded", true)
}

// TestRuntimeDirectoryKeepsItsParentsOpen: only the server's own folder
// is private. Its parents (/run/slipway/data, /run/slipway for a root
// server) hold the system socket and the instances' mount point: made
// 0700 with it, they kept every instance out of its work directory.
func TestRuntimeDirectoryKeepsItsParentsOpen(t *testing.T) {
	root := filepath.Join(t.TempDir(), "slipway")
	rt := filepath.Join(root, "data", "0123456789ab")
	s := &Server{cfg: Config{DataDir: t.TempDir(), RuntimeDir: rt}}
	_, record, err := s.hostRestarted()
	if err != nil {
		t.Fatal(err)
	}
	if err := record(); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]os.FileMode{root: 0o755, filepath.Dir(rt): 0o755, rt: 0o700} {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm() &^ 0o022; got != want&^0o022 {
			t.Errorf("%s: mode %o, want %o", dir, fi.Mode().Perm(), want)
		}
	}
}
