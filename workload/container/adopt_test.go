package container

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
	"github.com/slipway-dev/slipway/workload/process"
)

// TestAdoptStartingRecord covers a server that died mid-Start: the record
// says "starting". A new Driver takes the instance as running when the
// runtime wrote its PID file (a live process), keeps it starting while
// its monitor lives, and ends it when neither is there. A real process
// stands in for the container's init and for the monitor.
func TestAdoptStartingRecord(t *testing.T) {
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	pid := sleeper.Process.Pid
	st, err := process.StartTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		pidFile bool
		monitor bool
		running bool
		exit    string
	}{
		{"runtime wrote the PID", true, false, true, ""},
		{"monitor still starting it", false, true, true, ""},
		{"nothing left", false, false, false, "never started"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			id := "starting-1"
			inst := filepath.Join(dir, id)
			if err := os.MkdirAll(inst, 0o755); err != nil {
				t.Fatal(err)
			}
			rec := record{Record: instdir.Record{Phase: instdir.PhaseStarting, Spec: workload.InstanceSpec{ID: id}, MonitorPID: 1 << 22}}
			if c.monitor {
				rec.MonitorPID, rec.MonitorStart = pid, st
			}
			if err := writeRecord(inst, rec); err != nil {
				t.Fatal(err)
			}
			if c.pidFile {
				if err := os.WriteFile(filepath.Join(inst, pidFile), []byte(fmt.Sprint(pid)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := New(dir, Options{}).Status(context.Background(), id)
			if err != nil || got.Running != c.running || !strings.HasPrefix(got.Exit, c.exit) {
				t.Fatalf("Status = %+v, %v; want running %v, exit %q", got, err, c.running, c.exit)
			}
			if c.pidFile && got.PID != pid {
				t.Fatalf("PID = %d, want the runtime's %d", got.PID, pid)
			}
		})
	}
}
