package workloadtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/workload"
)

// Harness is what Run needs of one driver under test.
type Harness struct {
	// Driver is a fresh driver with no instances.
	Driver workload.Driver
	// Reopen returns a new driver over the same state, as a restarted
	// server would build it. Nil skips the adoption case.
	Reopen func() workload.Driver
}

// waitTimeout bounds every wait for an instance to change state.
const waitTimeout = 10 * time.Second

// Run runs the conformance suite. newHarness is called once per case.
func Run(t *testing.T, newHarness func(t *testing.T) Harness, prog Program) {
	cases := []struct {
		name string
		run  func(*testing.T, *suite)
	}{
		{"StartObserve", testStartObserve},
		{"ExitCode", testExitCode},
		{"StopEscalates", testStopEscalates},
		{"StopIdempotent", testStopIdempotent},
		{"StartRunningIsNoop", testStartRunningIsNoop},
		{"RestartAppendsLogs", testRestartAppendsLogs},
		{"LogsTail", testLogsTail},
		{"Remove", testRemove},
		{"EnvIsExact", testEnvIsExact},
		{"NotFound", testNotFound},
		{"Adopt", testAdopt},
		{"NotRoot", testNotRoot},
		{"ArtifactReadOnly", testArtifactReadOnly},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			c.run(t, &suite{Harness: h, prog: prog})
		})
	}
}

// suite is one case's driver and helpers.
type suite struct {
	Harness
	prog Program
}

// ids makes instance IDs unique across parallel cases.
var ids atomic.Int64

// start starts a program with behaviour b and stops it when the test ends.
func (s *suite) start(t *testing.T, b Behavior) (workload.InstanceSpec, workload.Status) {
	t.Helper()
	return s.startWith(t, b, func(*workload.InstanceSpec) {})
}

// startWith is start with edit applied to the spec before the Program.
func (s *suite) startWith(t *testing.T, b Behavior, edit func(*workload.InstanceSpec)) (workload.InstanceSpec, workload.Status) {
	t.Helper()
	n := ids.Add(1)
	spec := workload.InstanceSpec{
		ID:       fmt.Sprintf("wt-%s-%d", b, n),
		Service:  "wt",
		Revision: 1,
		Port:     20000 + int(n),
		Env:      map[string]string{"PORT": fmt.Sprint(20000 + n), "SLIPWAY_TEST": "a b=c"},
	}
	edit(&spec)
	spec = s.prog(b, spec)
	st, err := s.Driver.Start(context.Background(), spec)
	if err != nil {
		t.Fatalf("Start(%s): %v", b, err)
	}
	t.Cleanup(func() { _ = s.Driver.Stop(context.Background(), spec.ID, 0) })
	return spec, st
}

// observe returns the status of id, failing if the driver does not list it.
func observe(t *testing.T, d workload.Driver, id string) workload.Status {
	t.Helper()
	all, err := d.Observe(context.Background())
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	i := slices.IndexFunc(all, func(s workload.Status) bool { return s.ID == id })
	if i < 0 {
		t.Fatalf("Observe does not list %s: %+v", id, all)
	}
	return all[i]
}

// waitFor polls Observe until cond holds for id.
func waitFor(t *testing.T, d workload.Driver, id, what string, cond func(workload.Status) bool) workload.Status {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		st := observe(t, d, id)
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not %s after %v: %+v", id, what, waitTimeout, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitEnded waits until id is no longer running.
func waitEnded(t *testing.T, d workload.Driver, id string) workload.Status {
	t.Helper()
	return waitFor(t, d, id, "ended", func(s workload.Status) bool { return !s.Running })
}

// waitLog waits until a line of id's logs equals line.
func waitLog(t *testing.T, d workload.Driver, id, line string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		lines, err := d.Logs(context.Background(), id, 100)
		if err != nil {
			t.Fatalf("Logs: %v", err)
		}
		if slices.Contains(lines, line) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no log line %q after %v: %q", id, line, waitTimeout, lines)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isNotFound reports whether err is workload.ErrNotFound, wrapped.
func isNotFound(err error) bool { return errors.Is(err, workload.ErrNotFound) }

// count returns how many of lines equal line.
func count(lines []string, line string) int {
	n := 0
	for _, l := range lines {
		if strings.TrimSpace(l) == line {
			n++
		}
	}
	return n
}

// WaitEnded waits until the driver reports id no longer running, for a
// driver's own tests.
func WaitEnded(t *testing.T, d workload.Driver, id string) workload.Status {
	t.Helper()
	return waitEnded(t, d, id)
}

// WaitLog waits until a line of id's logs equals line, for a driver's
// own tests.
func WaitLog(t *testing.T, d workload.Driver, id, line string) {
	t.Helper()
	waitLog(t, d, id, line)
}
