package workloadtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/workload"
)

func testStartObserve(t *testing.T, s *suite) {
	spec, st := s.start(t, Serve)
	if !st.Running || st.PID <= 0 || st.ID != spec.ID {
		t.Fatalf("Start returned %+v, want running with a PID", st)
	}
	got := observe(t, s.Driver, spec.ID)
	if !got.Running || got.PID != st.PID || got.Exit != "" {
		t.Fatalf("Observe = %+v, want running with PID %d", got, st.PID)
	}
	one, err := s.Driver.Status(context.Background(), spec.ID)
	if err != nil || one.PID != got.PID || !one.Running || one.StartTime != got.StartTime {
		t.Fatalf("Status = %+v, %v; want what Observe says: %+v", one, err, got)
	}
}

func testExitCode(t *testing.T, s *suite) {
	spec, _ := s.start(t, Fail)
	st := waitEnded(t, s.Driver, spec.ID)
	if !strings.Contains(st.Exit, "3") || st.ExitedAt.IsZero() {
		t.Fatalf("ended with %+v, want an Exit naming status 3 and an ExitedAt", st)
	}
}

func testStopEscalates(t *testing.T, s *suite) {
	spec, _ := s.start(t, IgnoreTerm)
	waitLog(t, s.Driver, spec.ID, "ready")
	const grace = 300 * time.Millisecond
	begin := time.Now()
	if err := s.Driver.Stop(context.Background(), spec.ID, grace); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	// Generous bounds: this checks escalation happened, not speed.
	if took := time.Since(begin); took < grace || took > grace+5*time.Second {
		t.Fatalf("Stop took %v with grace %v", took, grace)
	}
	if st := observe(t, s.Driver, spec.ID); st.Running {
		t.Fatalf("after Stop: %+v, want ended", st)
	}
}

func testStopIdempotent(t *testing.T, s *suite) {
	spec, _ := s.start(t, Serve)
	for i := range 2 {
		if err := s.Driver.Stop(context.Background(), spec.ID, time.Second); err != nil {
			t.Fatalf("Stop #%d: %v", i+1, err)
		}
	}
	if st := observe(t, s.Driver, spec.ID); st.Running || st.Exit == "" {
		t.Fatalf("after Stop: %+v, want ended with an Exit", st)
	}
}

func testStartRunningIsNoop(t *testing.T, s *suite) {
	spec, first := s.start(t, Serve)
	again, err := s.Driver.Start(context.Background(), spec)
	if err != nil || !again.Running || again.PID != first.PID {
		t.Fatalf("second Start = %+v, %v; want the running PID %d", again, err, first.PID)
	}
	all, _ := s.Driver.Observe(context.Background())
	if n := slices.IndexFunc(all, func(st2 workload.Status) bool { return st2.ID == spec.ID }); n < 0 {
		t.Fatalf("Observe lost %s", spec.ID)
	}
}

func testRestartAppendsLogs(t *testing.T, s *suite) {
	spec, first := s.start(t, Fail)
	waitEnded(t, s.Driver, spec.ID)
	again, err := s.Driver.Start(context.Background(), spec)
	if err != nil || !again.Running {
		t.Fatalf("restart = %+v, %v; want running", again, err)
	}
	if again.Dir != first.Dir {
		t.Fatalf("restart moved from %q to %q", first.Dir, again.Dir)
	}
	waitEnded(t, s.Driver, spec.ID)
	lines, err := s.Driver.Logs(context.Background(), spec.ID, 100)
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	if count(lines, "fail stdout") != 2 {
		t.Fatalf("logs after restart = %q, want \"fail stdout\" twice", lines)
	}
}

func testLogsTail(t *testing.T, s *suite) {
	spec, _ := s.start(t, Count)
	waitEnded(t, s.Driver, spec.ID)
	lines, err := s.Driver.Logs(context.Background(), spec.ID, 5)
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	want := []string{"line 46", "line 47", "line 48", "line 49", "line 50"}
	if !slices.Equal(lines, want) {
		t.Fatalf("Logs(5) = %q, want %q", lines, want)
	}
}

func testRemove(t *testing.T, s *suite) {
	spec, _ := s.start(t, Serve)
	if err := s.Driver.Remove(context.Background(), spec.ID); err == nil {
		t.Fatal("Remove of a running instance succeeded")
	}
	if err := s.Driver.Stop(context.Background(), spec.ID, time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := s.Driver.Remove(context.Background(), spec.ID); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	all, _ := s.Driver.Observe(context.Background())
	for _, st := range all {
		if st.ID == spec.ID {
			t.Fatalf("Observe still lists removed %+v", st)
		}
	}
	if _, err := s.Driver.Logs(context.Background(), spec.ID, 1); !isNotFound(err) {
		t.Fatalf("Logs after Remove: %v, want ErrNotFound", err)
	}
}

func testEnvIsExact(t *testing.T, s *suite) {
	spec, _ := s.start(t, PrintEnv)
	waitEnded(t, s.Driver, spec.ID)
	lines, err := s.Driver.Logs(context.Background(), spec.ID, 1000)
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	var want []string
	for k, v := range spec.Env {
		want = append(want, fmt.Sprintf("%s=%s", k, v))
	}
	slices.Sort(want)
	slices.Sort(lines)
	if !slices.Equal(lines, want) {
		t.Fatalf("environment = %q, want exactly %q", lines, want)
	}
}

func testNotFound(t *testing.T, s *suite) {
	ctx := context.Background()
	if err := s.Driver.Stop(ctx, "wt-never", time.Second); !isNotFound(err) {
		t.Errorf("Stop: %v, want ErrNotFound", err)
	}
	if err := s.Driver.Remove(ctx, "wt-never"); !isNotFound(err) {
		t.Errorf("Remove: %v, want ErrNotFound", err)
	}
	if _, err := s.Driver.Logs(ctx, "wt-never", 1); !isNotFound(err) {
		t.Errorf("Logs: %v, want ErrNotFound", err)
	}
	if _, err := s.Driver.Status(ctx, "wt-never"); !isNotFound(err) {
		t.Errorf("Status: %v, want ErrNotFound", err)
	}
}

func testAdopt(t *testing.T, s *suite) {
	if s.Reopen == nil {
		t.Skip("driver cannot be reopened")
	}
	spec, st := s.start(t, Serve)
	d2 := s.Reopen()
	one, err := d2.Status(context.Background(), spec.ID) // before any Observe
	if err != nil || !one.Running || one.PID != st.PID {
		t.Fatalf("reopened driver's Status = %+v, %v; want running PID %d", one, err, st.PID)
	}
	got := observe(t, d2, spec.ID)
	if !got.Running || got.PID != st.PID {
		t.Fatalf("reopened driver sees %+v, want running PID %d", got, st.PID)
	}
	if err := d2.Stop(context.Background(), spec.ID, time.Second); err != nil {
		t.Fatalf("Stop by reopened driver: %v", err)
	}
	waitEnded(t, d2, spec.ID)
}
