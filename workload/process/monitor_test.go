package process

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// recordingExit is the Driver with RecordExit set on every spec, so that
// the conformance suite runs every instance through a monitor.
type recordingExit struct{ *Driver }

func (r recordingExit) Start(ctx context.Context, s workload.InstanceSpec) (workload.Status, error) {
	s.RecordExit = true
	return r.Driver.Start(ctx, s)
}

func TestConformanceThroughMonitor(t *testing.T) {
	workloadtest.Run(t, func(t *testing.T) workloadtest.Harness {
		dir := t.TempDir()
		opts := Options{Logger: quiet}
		return workloadtest.Harness{
			Driver: recordingExit{New(dir, opts)},
			Reopen: func() workload.Driver { return recordingExit{New(dir, opts)} },
		}
	}, workloadtest.Shell)
}

// TestJobExitSurvivesServerKill kills a real server process with SIGKILL
// while its job runs, lets the job end while no server runs, and checks
// that a new Driver reports the job's real exit status (the monitor's
// exit.json), not "ended while not watched". The job also runs confined
// (its own session, no monitor in its group) as any instance does.
func TestJobExitSurvivesServerKill(t *testing.T) {
	dir := t.TempDir()
	pid := killedServer(t, dir, workload.InstanceSpec{ID: "job", Command: []string{"sh", "-c", "until [ -e go ]; do sleep 0.05; done; exit 3"},
		Env: map[string]string{"PATH": "/usr/bin:/bin"}, RecordExit: true})
	st, err := readStat(pid)
	if err != nil || st.ended() || st.PGID != pid {
		t.Fatalf("job after server kill: %+v, %v; want alive leading its group", st, err)
	}
	rec, err := readRecord(filepath.Join(dir, "job"))
	if err != nil || rec.MonitorPID == 0 || rec.MonitorPID == pid {
		t.Fatalf("record %+v, %v: want a monitor beside PID %d", rec, err, pid)
	}
	if mon, err := readStat(rec.MonitorPID); err != nil || mon.PGID == pid {
		t.Fatalf("monitor %+v, %v: want alive, outside the job's group", mon, err)
	}
	// The job ends while no driver runs: it waits for a file to appear.
	if err := os.WriteFile(filepath.Join(dir, "job", "work", "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	d := New(dir, Options{Logger: quiet})
	if got := workloadtest.WaitEnded(t, d, "job"); got.Exit != "exit status 3" || got.EndUnknown() {
		t.Fatalf("new driver sees %+v; want ended with exit status 3", got)
	}
}

// TestMonitorFailsCleanly checks that a monitor whose process cannot
// start says why (Start fails with it, the instance ended), and leaves
// no exit.json behind.
func TestMonitorFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	d := New(dir, Options{Logger: quiet})
	s := workload.InstanceSpec{ID: "bad", Command: []string{"./missing"}, Env: map[string]string{}, RecordExit: true}
	_, err := d.Start(context.Background(), s)
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("Start = %v; want it to name the missing program", err)
	}
	if st := statusOf(t, d, "bad"); st.Running || !strings.HasPrefix(st.Exit, "start failed") {
		t.Fatalf("status %+v; want ended, start failed", st)
	}
	if _, ok := instdir.ReadExit(filepath.Join(dir, "bad")); ok {
		t.Fatal("exit.json written for a start that failed")
	}
}
