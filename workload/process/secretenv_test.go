package process

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// TestSecretEnvNeverOnDisk: the variables SecretEnv names reach the
// process but not its instance.json; an exec, also through a driver
// that adopted the instance from that record after a restart, gets them
// from the running process.
func TestSecretEnvNeverOnDisk(t *testing.T) {
	dir := t.TempDir()
	d := New(dir, Options{Logger: quiet})
	s := workload.InstanceSpec{
		ID: "sec-1", Service: "sec",
		Command:   []string{"sh", "-c", "echo up; exec sleep 60"},
		Env:       map[string]string{"PATH": "/usr/bin:/bin", "DB_URL": "pg://app:hunter2-x9@db", "PLAIN": "shown"},
		SecretEnv: []string{"DB_URL"},
	}
	startSpec(t, d, s)
	workloadtest.WaitLog(t, d, s.ID, "up")
	rec, err := os.ReadFile(filepath.Join(dir, s.ID, "instance.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(rec), "hunter2-x9") || !strings.Contains(string(rec), "shown") {
		t.Fatalf("instance.json:\n%s", rec)
	}
	adopted := New(dir, Options{Logger: quiet})
	if err := adopted.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, drv := range map[string]*Driver{"starter": d, "adopter": adopted} {
		out, err := workload.ExecOutput(context.Background(), drv, s.ID, []string{"sh", "-c", `printf %s "$DB_URL"`})
		if err != nil || string(out) != "pg://app:hunter2-x9@db" {
			t.Errorf("%s: exec sees DB_URL = %q, %v", name, out, err)
		}
	}
}
