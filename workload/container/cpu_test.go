package container_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/workload"
)

// TestCPU: a container that burns CPU reads more CPU time later (its
// cgroup's, as the autoscaler's `target: {cpu}` reads it); a stopped or
// unknown instance is ErrNotFound.
func TestCPU(t *testing.T) {
	imagetest.NeedContainers(t)
	d, _ := newDriver(t)
	s := shellSpec(t, newID("cpu"), "while :; do :; done")
	if _, err := d.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background(), s.ID, 0) })
	first, err := d.CPU(s.ID)
	if err != nil {
		t.Fatal(err)
	}
	later := first
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end) && later < first+50*time.Millisecond; {
		time.Sleep(50 * time.Millisecond)
		if later, err = d.CPU(s.ID); err != nil {
			t.Fatal(err)
		}
	}
	if later < first+50*time.Millisecond {
		t.Errorf("CPU %s then %s: a busy loop's time does not grow", first, later)
	}
	if err := d.Stop(context.Background(), s.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CPU(s.ID); !errors.Is(err, workload.ErrNotFound) {
		t.Errorf("CPU of a stopped instance: %v, want ErrNotFound", err)
	}
	if _, err := d.CPU("nobody-1-2"); !errors.Is(err, workload.ErrNotFound) {
		t.Errorf("CPU of an unknown instance: %v, want ErrNotFound", err)
	}
}
