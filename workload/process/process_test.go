package process

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// quiet is a logger for tests that expect warnings.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestConformance(t *testing.T) {
	workloadtest.Run(t, func(t *testing.T) workloadtest.Harness {
		dir := t.TempDir()
		opts := Options{Logger: quiet}
		return workloadtest.Harness{
			Driver: New(dir, opts),
			Reopen: func() workload.Driver { return New(dir, opts) },
		}
	}, workloadtest.Shell)
}

// startSpec starts spec with d and stops it when the test ends.
func startSpec(t *testing.T, d *Driver, spec workload.InstanceSpec) workload.Status {
	t.Helper()
	st, err := d.Start(context.Background(), spec)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background(), spec.ID, 0) })
	return st
}

// sleeper is a spec for sleep 60.
func sleeper(id string) workload.InstanceSpec {
	return workload.InstanceSpec{
		ID:      id,
		Command: []string{"sleep", "60"},
		Env:     map[string]string{"PATH": "/usr/bin:/bin"},
	}
}

// statusOf returns id's status as d observes it.
func statusOf(t *testing.T, d *Driver, id string) workload.Status {
	t.Helper()
	all, err := d.Observe(context.Background())
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	for _, st := range all {
		if st.ID == id {
			return st
		}
	}
	t.Fatalf("Observe does not list %s", id)
	return workload.Status{}
}

// waitGone waits for pid to end (or become a zombie).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := readStat(pid)
		if err != nil || st.ended() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still running", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
