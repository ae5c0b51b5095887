package process

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/workload/instdir"
)

func TestAdoptAfterRestart(t *testing.T) {
	dir := t.TempDir()
	a := New(dir, Options{Logger: quiet})
	st := startSpec(t, a, sleeper("adopt"))

	// A is discarded (a restarted server); B only shares the directory.
	b := New(dir, Options{Logger: quiet})
	got := statusOf(t, b, "adopt")
	if !got.Running || got.PID != st.PID || got.StartTime != st.StartTime {
		t.Fatalf("B sees %+v, want running PID %d", got, st.PID)
	}
	if err := b.Stop(context.Background(), "adopt", time.Second); err != nil {
		t.Fatalf("B.Stop: %v", err)
	}
	waitGone(t, st.PID)
	if got := statusOf(t, b, "adopt"); got.Running || got.Exit != instdir.ExitUnwatched {
		t.Fatalf("after B.Stop: %+v, want ended %q", got, instdir.ExitUnwatched)
	}
}

func TestPIDReuseIsNotAdopted(t *testing.T) {
	dir := t.TempDir()
	a := New(dir, Options{Logger: quiet})
	st := startSpec(t, a, sleeper("reuse"))
	if err := a.Stop(context.Background(), "reuse", 0); err != nil {
		t.Fatal(err)
	}
	waitGone(t, st.PID)
	// Another process, nothing of the instance's (its own directory and
	// cgroup), now holds the PID the record names: as if the PID were
	// reused. The record still says running, with the old start time.
	// Start times are clock ticks (10 ms): a PID reused later never shares
	// the instance's tick, so let one pass.
	time.Sleep(30 * time.Millisecond)
	other := exec.Command("sleep", "60")
	other.Dir = t.TempDir()
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Process.Kill(); _ = other.Wait() })
	otherStat, err := readStat(other.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := readRecord(filepath.Join(dir, "reuse"))
	if err != nil {
		t.Fatal(err)
	}
	rec.Phase, rec.PID = instdir.PhaseRunning, other.Process.Pid // its start time stays the instance's
	if err := writeRecord(filepath.Join(dir, "reuse"), rec); err != nil {
		t.Fatal(err)
	}
	b := New(dir, Options{Logger: quiet})
	if got := statusOf(t, b, "reuse"); got.Running || got.Exit != instdir.ExitUnwatched {
		t.Fatalf("B sees %+v, want ended (not adopted)", got)
	}
	if err := b.Stop(context.Background(), "reuse", 0); err != nil {
		t.Fatalf("B.Stop: %v", err)
	}
	if !alive(other.Process.Pid, otherStat.StartTime) {
		t.Fatal("B signalled a process it did not own")
	}
}

// TestCrashWhileStarting covers a server that died after forking but
// before recording the PID: the record says "starting", and the orphan is
// found by its working directory.
func TestCrashWhileStarting(t *testing.T) {
	dir := t.TempDir()
	inst := filepath.Join(dir, "orphan")
	work := filepath.Join(inst, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	spec := sleeper("orphan")
	if err := writeRecord(inst, record{Record: instdir.Record{Phase: instdir.PhaseStarting, Spec: spec}}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "60")
	cmd.Dir = work
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	d := New(dir, Options{Logger: quiet})
	if got := statusOf(t, d, "orphan"); !got.Running || got.PID != cmd.Process.Pid {
		t.Fatalf("sees %+v, want the orphan %d running", got, cmd.Process.Pid)
	}
	if err := d.Stop(context.Background(), "orphan", time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("orphan exited cleanly, want killed")
	}
}

func TestCrashBeforeFork(t *testing.T) {
	dir := t.TempDir()
	inst := filepath.Join(dir, "unborn")
	if err := os.MkdirAll(filepath.Join(inst, "work"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeRecord(inst, record{Record: instdir.Record{Phase: instdir.PhaseStarting, Spec: sleeper("unborn")}}); err != nil {
		t.Fatal(err)
	}
	d := New(dir, Options{Logger: quiet})
	if got := statusOf(t, d, "unborn"); got.Running || got.Exit == "" {
		t.Fatalf("sees %+v, want ended", got)
	}
	st := startSpec(t, d, sleeper("unborn"))
	if !st.Running {
		t.Fatalf("restart: %+v", st)
	}
}

// TestHostCrashTornRecord: records are written without waiting on the
// disk, so a host crash may leave one empty; the next server reads it as
// an instance that ended with the host, starts it again, and can remove
// it.
func TestHostCrashTornRecord(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"torn", "gone"} {
		inst := filepath.Join(dir, id)
		if err := os.MkdirAll(filepath.Join(inst, "work"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(inst, instdir.RecordFile), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d := New(dir, Options{Logger: quiet})
	if got := statusOf(t, d, "torn"); got.Running || got.Exit != instdir.ExitTorn {
		t.Fatalf("sees %+v, want ended %q", got, instdir.ExitTorn)
	}
	if st := startSpec(t, d, sleeper("torn")); !st.Running {
		t.Fatalf("restart: %+v", st)
	}
	if err := d.Remove(context.Background(), "gone"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "gone")); !os.IsNotExist(err) {
		t.Fatalf("removed instance's folder: %v", err)
	}
}

// TestStartedRecordIsWritten: the record of a started instance (its PID
// and start time) is written after Start returns, and says running.
func TestStartedRecordIsWritten(t *testing.T) {
	dir := t.TempDir()
	d := New(dir, Options{Logger: quiet})
	st := startSpec(t, d, sleeper("written"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		rec, err := readRecord(filepath.Join(dir, "written"))
		if err == nil && rec.Phase == instdir.PhaseRunning && rec.PID == st.PID && rec.StartTime == st.StartTime {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("record %+v, %v; want running PID %d", rec.Record, err, st.PID)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := d.Stop(context.Background(), "written", time.Second); err != nil {
		t.Fatal(err)
	}
}
