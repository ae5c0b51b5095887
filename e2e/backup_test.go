package e2e

// Backup and restore end to end: a backup taken through the API while a
// canary rollout runs and a load generator goes through the router; the
// server killed with -9; the backup restored into a new data folder and a
// server started there, which adopts the very processes (same PIDs) and
// finishes the rollout, with no request failing.

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

func TestBackupUnderLoadRestoreAdopts(t *testing.T) {
	const steps = "[{setWeight: 30}, {pause: {}}]"
	a := startCanaryApp(t, steps, "1s")
	a.srv.mustCLI("apply", "-f", a.writeCanary("v2", "", steps, "1s"))
	waitFor(t, 20*time.Second, "canary at 30%, paused until promoted", func() (bool, string) {
		svc := a.srv.service("shop")
		c := svc.Canary
		return c != nil && c.Weight == 30 && c.Step == 1 && len(svc.Instances) == 4 && readyCount(svc) == 4, describe(svc)
	})
	file := filepath.Join(t.TempDir(), "shop.backup")
	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	r := a.srv.mustCLI("backup", file)
	time.Sleep(300 * time.Millisecond)
	res, took := l.stop()
	checkNoFailures(t, "backup under load", res, took, l.probe)
	if !strings.Contains(r.stdout, "backup written to") {
		t.Errorf("backup said: %s", r)
	}
	before := allPIDs(a.srv.services())
	a.srv.kill()

	data := filepath.Join(t.TempDir(), "restored")
	if err := os.MkdirAll(filepath.Join(data, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, 30*time.Second, "restore", file, "--data", data); r.code == 0 || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("restore into a non-empty folder: want a refusal; got %s", r)
	}
	os.RemoveAll(data)
	r = runCLI(t, 30*time.Second, "restore", file, "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "4 instances to adopt") {
		t.Fatalf("restore: %s", r)
	}
	t.Logf("restore:\n%s", r.stdout)

	router := a.srv.router
	a.srv = startServer(t, data, "--router", router)
	a.srv.router = router
	time.Sleep(2 * time.Second) // a few passes, which must not restart anything
	if after := allPIDs(a.srv.services()); !maps.Equal(before, after) {
		t.Errorf("instances after the restore = %v; want the same IDs and PIDs as before %v", after, before)
	}
	l = a.startLoad(loadLimit)
	if r := a.srv.cli("rollout", "promote", "shop"); r.code != 0 {
		t.Fatalf("promote after the restore: %s", r)
	}
	waitFor(t, 30*time.Second, "the canary promoted on the restored server", func() (bool, string) {
		svc := a.srv.service("shop")
		return svc.Stable == 2 && svc.Phase == "Ready" && svc.Ready == 3 && len(svc.Instances) == 3, describe(svc)
	})
	res, took = l.stop()
	checkNoFailures(t, "promotion on the restored server", res, took, l.probe)
	a.checkServes("v2", 30)
	for id, pid := range allPIDs(a.srv.services()) {
		if old, ok := before[id]; ok && old != pid {
			t.Errorf("instance %s: pid %d before the restore, %d after: restarted, not adopted", id, old, pid)
		}
	}
}

// readyCount is how many of the service's instances are ready.
func readyCount(svc api.Service) int {
	n := 0
	for _, in := range svc.Instances {
		if in.Ready {
			n++
		}
	}
	return n
}
