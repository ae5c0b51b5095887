package process

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/workload"
)

// TestCPU: an instance that burns CPU for a while reads more CPU time
// later (from its cgroup, or its processes without one); an unknown
// instance is ErrNotFound.
func TestCPU(t *testing.T) {
	d := New(t.TempDir(), Options{Logger: quiet})
	spec := sleeper("burner")
	spec.Command = []string{"sh", "-c", "while :; do :; done"}
	startSpec(t, d, spec)
	first, err := d.CPU("burner")
	if err != nil {
		t.Fatal(err)
	}
	var later time.Duration
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end) && later < first+50*time.Millisecond; {
		time.Sleep(50 * time.Millisecond)
		if later, err = d.CPU("burner"); err != nil {
			t.Fatal(err)
		}
	}
	if later < first+50*time.Millisecond {
		t.Errorf("CPU %s then %s: a busy loop's time does not grow", first, later)
	}
	if err := d.Stop(context.Background(), "burner", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CPU("burner"); !errors.Is(err, workload.ErrNotFound) {
		t.Errorf("CPU of a stopped instance: %v, want ErrNotFound", err)
	}
	if _, err := d.CPU("nobody"); !errors.Is(err, workload.ErrNotFound) {
		t.Errorf("CPU of an unknown instance: %v, want ErrNotFound", err)
	}
}
