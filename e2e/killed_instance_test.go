package e2e

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

func TestKilledInstanceIsReplaced(t *testing.T) {
	srv := startServer(t, t.TempDir())
	file := writeSpec(t, specDir(t), "slipway.yaml", fastSpec("", "", "10s"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	order := srv.waitConverged(10*time.Second, map[string]int{"order": 2, "invoice": 2})
	svc, _ := find(order, "order")
	victim := svc.Instances[0]
	if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
		t.Fatalf("kill instance %s pid %d: %v", victim.ID, victim.PID, err)
	}
	waitFor(t, 10*time.Second, "killed instance restarted and ready", func() (bool, string) {
		svcs := srv.services()
		if ok, diag := converged(svcs, map[string]int{"order": 2}); !ok {
			return false, diag
		}
		svc, _ := find(svcs, "order")
		for _, in := range svc.Instances {
			if in.ID == victim.ID {
				ok := in.PID != victim.PID && alive(in.PID) && in.Restarts >= 1 && in.Ready
				return ok, fmt.Sprintf("%+v", in)
			}
		}
		return false, fmt.Sprintf("instance %s no longer listed: %+v", victim.ID, svc.Instances)
	})
	if !hasEvent(srv.events(), "order", "instance.exited", "instance.restarted") {
		t.Errorf("no instance.exited or instance.restarted event; events: %v", eventTypes(srv.events()))
	}
}
