package e2e

import (
	"fmt"
	"maps"
	"syscall"

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

func TestInstanceKilledWhileServerDown(t *testing.T) {
	data := t.TempDir()
	srv := startServer(t, data)
	file := writeSpec(t, specDir(t), "slipway.yaml", fastSpec("", "", "10s"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	want := map[string]int{"order": 2, "invoice": 2}
	svcs := srv.waitConverged(10*time.Second, want)
	before := allPIDs(svcs)
	order, _ := find(svcs, "order")
	victim := order.Instances[0]

	srv.kill()
	if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv2 := startServer(t, data)
	waitFor(t, 10*time.Second, "the instance killed while the server was down replaced", func() (bool, string) {
		svcs := srv2.services()
		if ok, diag := converged(svcs, want); !ok {
			return false, diag
		}
		after := allPIDs(svcs)
		for id, pid := range before {
			if id != victim.ID && after[id] != pid {
				return false, fmt.Sprintf("instance %s pid %d -> %d", id, pid, after[id])
			}
		}
		if after[victim.ID] == victim.PID {
			return false, fmt.Sprintf("%s still reported with its dead pid %d", victim.ID, victim.PID)
		}
		return true, ""
	})
	for id, pid := range allPIDs(srv2.services()) {
		if !alive(pid) {
			t.Errorf("instance %s reported with dead pid %d", id, pid)
		}
	}
	if live := pidsUnder(data + "/instances"); len(live) != 4 {
		t.Errorf("%d live instance processes (%v); want 4", len(live), live)
	}
}

func TestServerStopKeepsInstances(t *testing.T) {
	data := t.TempDir()
	srv := startServer(t, data)
	file := writeSpec(t, specDir(t), "slipway.yaml", fastSpec("", "", "10s"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	want := map[string]int{"order": 2, "invoice": 2}
	before := allPIDs(srv.waitConverged(10*time.Second, want))

	_ = syscall.Kill(srv.cmd.Process.Pid, syscall.SIGTERM)
	if !srv.exited(15 * time.Second) {
		t.Fatalf("server did not stop within 15s of SIGTERM")
	}
	if srv.err != nil {
		t.Errorf("server stopped by SIGTERM exited with %v", srv.err)
	}
	for id, pid := range before {
		if !alive(pid) {
			t.Errorf("instance %s (pid %d) stopped with the server", id, pid)
		}
	}
	srv2 := startServer(t, data)
	time.Sleep(2 * time.Second)
	if after := allPIDs(srv2.waitConverged(10*time.Second, want)); !maps.Equal(before, after) {
		t.Errorf("instances after restart = %v; want %v", after, before)
	}
}
