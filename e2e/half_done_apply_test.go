package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// slowSpec is order alone; %s is extra env (START_DELAY makes a rollout
// take a few seconds).
const slowSpec = `app: shop
services:
  order:
    run: ["./bin/order", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {VERSION: %s}
    instances: 2
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    stopGrace: 2s
    strategy:
      rolling: {maxSurge: 1, maxUnavailable: 0, progressDeadline: 30s}
`

func TestHalfDoneApplyResumes(t *testing.T) {
	data := t.TempDir()
	dir := specDir(t)
	srv := startServer(t, data)
	file := writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(slowSpec, "v1"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	srv.waitConverged(10*time.Second, map[string]int{"order": 2})

	peak := sampleProcesses(t, data+"/instances")
	writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(slowSpec, `v2, START_DELAY: 2s`))
	r := srv.mustCLI("apply", "-f", file)
	id, ok := startedOperation(r.stdout)
	if !ok {
		t.Fatalf("apply did not start an operation:\n%s", r)
	}
	// Mid-rollout: the first new instance is still in its start delay.
	waitFor(t, 5*time.Second, "a revision 2 instance", func() (bool, string) {
		svc := srv.service("order")
		for _, in := range svc.Instances {
			if in.Revision == 2 {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%+v", svc.Instances)
	})
	time.Sleep(500 * time.Millisecond)
	srv.kill()

	srv2 := startServer(t, data)
	var op, _ = srv2.operation(id)
	waitFor(t, 30*time.Second, fmt.Sprintf("operation %d to end", id), func() (bool, string) {
		var err error
		op, err = srv2.operation(id)
		if err != nil {
			return false, err.Error()
		}
		return op.Terminal, fmt.Sprintf("%+v", op)
	})
	if !op.Succeeded() {
		t.Fatalf("operation %d ended %s: %s %+v", id, op.State, op.Message, op.Failure)
	}
	svcs := srv2.waitConverged(10*time.Second, map[string]int{"order": 2})
	if svc, _ := find(svcs, "order"); svc.Revision != 2 {
		t.Errorf("order is on revision %d; want 2", svc.Revision)
	}
	if n := peak(); n > 3 {
		t.Errorf("up to %d instance processes ran at once; want at most desired+surge = 3", n)
	}
}

// sampleProcesses counts, every 50ms until the test ends, the live
// processes under dir; the returned func stops sampling and gives the peak.
func sampleProcesses(t *testing.T, dir string) func() int {
	var (
		mu   sync.Mutex // guards peak and seen
		peak int
		seen []int
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			n := len(pidsUnder(dir))
			mu.Lock()
			peak = max(peak, n)
			seen = append(seen, n)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	var once sync.Once
	result := func() int {
		once.Do(func() { close(stop); <-done })
		mu.Lock()
		defer mu.Unlock()
		if peak > 3 {
			t.Logf("process counts sampled: %v", seen)
		}
		return peak
	}
	t.Cleanup(func() { result() })
	return result
}

func TestServerKilledDuringStackRollback(t *testing.T) {
	data := t.TempDir()
	dir := specDir(t)
	srv := startServer(t, data)
	file := writeSpec(t, dir, "slipway.yaml", fastSpec("", "", "3s"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	want := map[string]int{"order": 2, "invoice": 2}
	o, _ := find(srv.waitConverged(10*time.Second, want), "order")
	order1 := instancePIDs(o)

	writeSpec(t, dir, "slipway.yaml", fastSpec(`, NEVER_READY: "1"`, `, GREETING: changed`, "3s"))
	r := srv.mustCLI("apply", "-f", file)
	id, ok := startedOperation(r.stdout)
	if !ok {
		t.Fatalf("apply did not start an operation:\n%s", r)
	}
	// Kill the server once the rollout has failed: the stack is rolling back.
	waitFor(t, 15*time.Second, "the operation to fail", func() (bool, string) {
		op, err := srv.operation(id)
		if err != nil {
			return false, err.Error()
		}
		return op.State != "Running", op.State
	})
	srv.kill()

	srv2 := startServer(t, data)
	var op, _ = srv2.operation(id)
	waitFor(t, 30*time.Second, fmt.Sprintf("operation %d to end", id), func() (bool, string) {
		op, _ = srv2.operation(id)
		return op.Terminal, fmt.Sprintf("%+v", op)
	})
	if op.State != "RolledBack" {
		t.Errorf("operation %d ended %s; want RolledBack", id, op.State)
	}
	svcs := srv2.waitConverged(10*time.Second, want)
	for _, name := range []string{"order", "invoice"} {
		if svc, _ := find(svcs, name); svc.Revision != 1 {
			t.Errorf("%s on revision %d; want 1", name, svc.Revision)
		}
	}
	order, _ := find(svcs, "order")
	if got := instancePIDs(order); fmt.Sprint(got) != fmt.Sprint(order1) {
		t.Errorf("order v1 instances changed: %v -> %v", order1, got)
	}
}
