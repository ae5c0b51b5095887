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
