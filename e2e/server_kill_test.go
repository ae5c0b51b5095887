package e2e

import (
	"maps"

	"github.com/slipway-dev/slipway/api"
	"testing"
	"time"
)

func TestServerKill9AdoptsInstances(t *testing.T) {
	data := t.TempDir()
	srv := startServer(t, data)
	file := writeSpec(t, specDir(t), "slipway.yaml", fastSpec("", "", "10s"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	want := map[string]int{"order": 2, "invoice": 2}
	before := allPIDs(srv.waitConverged(10*time.Second, want))

	srv.kill()
	for id, pid := range before {
		if !alive(pid) {
			t.Errorf("instance %s (pid %d) died with the server", id, pid)
		}
	}

	srv2 := startServer(t, data)
	// Give the new server a few resync passes to (wrongly) restart anything.
	time.Sleep(3 * time.Second)
	after := allPIDs(srv2.waitConverged(10*time.Second, want))
	if !maps.Equal(before, after) {
		t.Errorf("instances after restart = %v; want the same IDs and PIDs as before %v", after, before)
	}
	for _, svc := range srv2.services() {
		for _, in := range svc.Instances {
			if in.Restarts != 0 {
				t.Errorf("instance %s restarted %d times after adoption", in.ID, in.Restarts)
			}
		}
	}
	if live := pidsUnder(data + "/instances"); len(live) != 4 {
		t.Errorf("%d live instance processes (%v); want exactly 4", len(live), live)
	}
}

// allPIDs maps every instance of every service to its PID.
func allPIDs(svcs []api.Service) map[string]int {
	m := map[string]int{}
	for _, svc := range svcs {
		maps.Copy(m, instancePIDs(svc))
	}
	return m
}
