package process

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestAdoptAProcessRunningElsewhere: a process found by its working
// directory under another folder (FindRunning), recorded with Adopt in a
// Driver's folder, is adopted by that Driver: it reports it running with
// its pid, and stops it.
func TestAdoptAProcessRunningElsewhere(t *testing.T) {
	src := t.TempDir()
	work := filepath.Join(src, "web-1-abc", "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "30")
	cmd.Dir = work
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	go func() { cmd.Wait(); close(waited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-waited })

	found, err := FindRunning(src)
	if err != nil || len(found) != 1 || found[0].ID != "web-1-abc" || found[0].PID != cmd.Process.Pid {
		t.Fatalf("FindRunning = %+v, %v; want web-1-abc with pid %d", found, err, cmd.Process.Pid)
	}
	if !Alive(found[0].PID, found[0].StartTime) || Alive(found[0].PID, found[0].StartTime+1) {
		t.Error("Alive does not tell the process by its start time")
	}
	dir := t.TempDir()
	if err := Adopt(dir, found[0], time.Now()); err != nil {
		t.Fatal(err)
	}
	d := New(dir, Options{})
	st, err := d.Status(context.Background(), "web-1-abc")
	if err != nil || !st.Running || st.PID != cmd.Process.Pid {
		t.Fatalf("adopted status %+v, %v; want running with pid %d", st, err, cmd.Process.Pid)
	}
	if err := d.Stop(context.Background(), "web-1-abc", time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("the adopted process still runs after Stop")
	}
}
