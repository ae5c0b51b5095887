package rollout

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/store"
)

const shopV1 = `app: shop
services:
  order:
    run: ["./order", "--port", "${PORT}"]
    instances: 2
    health: {readiness: {http: /healthz}}
    strategy: {rolling: {progressDeadline: 30s}}
  invoice:
    run: ["./invoice", "${PORT}"]
    env: {VERSION: v1}
    instances: 3
    health: {readiness: {http: /}}
    dependsOn: [order]
`

func shop(orderEnv, invoiceVersion string) string {
	s := strings.Replace(shopV1, "VERSION: v1", "VERSION: "+invoiceVersion, 1)
	if orderEnv != "" {
		s = strings.Replace(s, "    instances: 2\n", "    instances: 2\n    env: {"+orderEnv+"}\n", 1)
	}
	return s
}

// converged brings the example app to revision 1 everywhere.
func converged(t *testing.T) (*harness, *store.Operation) {
	h := newHarness(t)
	op := h.apply(shopV1)
	h.markReady("order")
	h.markReady("invoice")
	if got := h.operation(op.ID).State; got != store.OperationSucceeded {
		t.Fatalf("first apply ended %s, want Succeeded", got)
	}
	return h, op
}

func TestApplyConvergesInDependencyOrder(t *testing.T) {
	h := newHarness(t)
	op := h.apply(shopV1)
	if n, _ := live(h.instances("order")); n != 2 {
		t.Fatalf("order has %d instances, want 2", n)
	}
	if got := h.instances("invoice"); len(got) != 0 {
		t.Fatalf("invoice started before order was ready: %d instances", len(got))
	}
	h.markReady("order")
	if got := h.service("order"); got.Phase != store.PhaseReady || got.Stable != 1 {
		t.Fatalf("order = %s stable %d, want Ready stable 1", got.Phase, got.Stable)
	}
	if n, _ := live(h.instances("invoice")); n != 3 {
		t.Fatalf("invoice has %d instances after order converged, want 3", n)
	}
	h.markReady("invoice")
	if got := h.operation(op.ID); got.State != store.OperationSucceeded {
		t.Fatalf("operation %s, want Succeeded", got.State)
	}
	if len(h.events("service.rollout.succeeded")) != 2 || len(h.events("operation.succeeded")) != 1 {
		t.Fatal("missing rollout or operation events")
	}
	if h.driver.running() != 5 {
		t.Fatalf("%d processes run, want 5", h.driver.running())
	}
}

func TestCrashedInstanceRestartsWithBackoff(t *testing.T) {
	h, _ := converged(t)
	victim := h.instances("invoice")[0]
	for crash := 1; crash <= 4; crash++ {
		_ = h.driver.end(victim.ID, "exit status 2")
		h.enqueue(queue.ServiceKey("invoice"), 0)
		h.settle()
		in := h.instances("invoice")[0]
		if in.State != store.InstanceBackoff || in.Crashes != crash {
			t.Fatalf("crash %d: state %s crashes %d, want Backoff %d", crash, in.State, in.Crashes, crash)
		}
		wait := in.NextStart.Sub(h.clock.Now())
		if want := time.Duration(250<<crash) * time.Millisecond; wait != want {
			t.Fatalf("crash %d: backoff %s, want %s", crash, wait, want)
		}
		h.advance(wait - 20*time.Millisecond)
		if h.instances("invoice")[0].State != store.InstanceBackoff {
			t.Fatalf("crash %d: restarted before its backoff ended", crash)
		}
		h.advance(20 * time.Millisecond)
		in = h.instances("invoice")[0]
		if in.State != store.InstanceRunning || in.PID == victim.PID || in.Restarts != crash {
			t.Fatalf("crash %d: %s pid %d restarts %d, want Running with a new pid", crash, in.State, in.PID, in.Restarts)
		}
		victim = in
	}
	if len(h.events("instance.crashloop")) == 0 {
		t.Fatal("no crashloop event after 4 crashes in a row")
	}
	if n, _ := live(h.instances("invoice")); n != 3 {
		t.Fatalf("%d invoice instances, want 3: a crash must not add instances", n)
	}
}

func TestLivenessFailureKillsAndRestarts(t *testing.T) {
	h, _ := converged(t)
	in := h.instances("order")[0]
	h.ctl.onHealth(healthChange(in, false, true))
	h.settle()
	got := h.instances("order")[0]
	if got.State != store.InstanceBackoff || !strings.Contains(got.LastExit, "terminated") {
		t.Fatalf("after liveness failure: %s %q, want Backoff after a kill", got.State, got.LastExit)
	}
	h.advance(time.Second)
	if got := h.instances("order")[0]; got.State != store.InstanceRunning || got.PID == in.PID {
		t.Fatalf("not restarted: %s pid %d", got.State, got.PID)
	}
}

func TestRollingUpdateKeepsCapacity(t *testing.T) {
	h, _ := converged(t)
	op := h.apply(shop("", "v2"))
	for step := 0; ; step++ {
		ins := h.instances("invoice")
		n, ready := live(ins)
		if n > 4 {
			t.Fatalf("step %d: %d live instances, want at most 3+1 surge", step, n)
		}
		if ready < 3 {
			t.Fatalf("step %d: %d ready, want at least 3 (maxUnavailable 0)", step, ready)
		}
		if h.operation(op.ID).State == store.OperationSucceeded {
			break
		}
		if step > 10 {
			t.Fatal("rolling update did not finish in 10 steps")
		}
		h.markReady("invoice")
	}
	for _, in := range h.instances("invoice") {
		if in.Revision != 2 {
			t.Fatalf("instance %s of revision %d left after the update", in.ID, in.Revision)
		}
	}
	if got := h.service("invoice"); got.Stable != 2 {
		t.Fatalf("stable %d, want 2", got.Stable)
	}
}

func TestMissedDeadlineRollsBackTheStack(t *testing.T) {
	h, _ := converged(t)
	before := pids(h.instances("order"))
	op := h.apply(shop("NEVER_READY: \"1\"", "v2"))
	if n, _ := live(h.instances("order")); n != 3 {
		t.Fatalf("order has %d live instances during the rollout, want 2+1", n)
	}
	h.advance(29 * time.Second)
	if got := h.operation(op.ID).State; got != store.OperationRunning {
		t.Fatalf("before the deadline: %s", got)
	}
	h.advance(time.Second)
	got := h.operation(op.ID)
	if got.State != store.OperationRolledBack {
		t.Fatalf("after the deadline: %s, want RolledBack", got.State)
	}
	if f := got.Failure; f == nil || f.Service != "order" || !strings.HasPrefix(f.Instance, "order-2-") || len(f.Logs) == 0 || !strings.Contains(f.Reason, "503") {
		t.Fatalf("failure %+v: want order, its revision-2 instance, the check result and logs", got.Failure)
	}
	if svc := h.service("order"); svc.Revision != 1 || svc.Phase != store.PhaseReady {
		t.Fatalf("order at revision %d %s, want 1 Ready", svc.Revision, svc.Phase)
	}
	if svc := h.service("invoice"); svc.Revision != 1 {
		t.Fatalf("invoice at revision %d; its change must never have started", svc.Revision)
	}
	if after := pids(h.instances("order")); after != before {
		t.Fatalf("order's stable instances changed: %s -> %s", before, after)
	}
	var rev store.Revision
	h.view(func(tx store.Tx) error { var err error; rev, err = tx.GetRevision("order", 2); return err })
	if rev.State != store.RevisionRolledBack {
		t.Fatalf("revision 2 is %s, want RolledBack", rev.State)
	}
}

func TestRollbackCommandSwitchesBack(t *testing.T) {
	h, _ := converged(t)
	h.apply(shop("", "v2"))
	for range 6 {
		h.markReady("invoice")
	}
	var op *store.Operation
	err := h.store.Update(t.Context(), func(tx store.Tx) error {
		var err error
		op, err = rollbackOp(tx, "invoice")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.enqueue(queue.OperationKey(op.ID), 0)
	h.settle()
	for range 6 {
		h.markReady("invoice")
	}
	if got := h.operation(op.ID).State; got != store.OperationSucceeded {
		t.Fatalf("rollback operation %s", got)
	}
	if svc := h.service("invoice"); svc.Revision != 1 || svc.Stable != 1 {
		t.Fatalf("invoice at %d stable %d, want 1", svc.Revision, svc.Stable)
	}
}

func TestRestartedControllerAdoptsWithoutStarting(t *testing.T) {
	h, _ := converged(t)
	starts := h.driver.starts
	h.restartControllers()
	h.enqueue(queue.ServiceKey("order"), 0)
	h.enqueue(queue.ServiceKey("invoice"), 0)
	h.settle()
	if h.driver.starts != starts {
		t.Fatalf("a restarted controller started %d processes", h.driver.starts-starts)
	}
	if len(h.checks.watched) != 5 {
		t.Fatalf("watching %d instances after restart, want 5", len(h.checks.watched))
	}
	for id, w := range h.checks.watched {
		if !w.WasReady {
			t.Fatalf("%s: readiness not carried over the restart", id)
		}
	}
}

func TestRemovedServiceIsStoppedAndDeleted(t *testing.T) {
	h, _ := converged(t)
	spec := strings.Split(shopV1, "  invoice:")[0]
	op := h.apply(spec)
	if got := h.operation(op.ID).State; got != store.OperationSucceeded {
		t.Fatalf("removal operation %s", got)
	}
	if len(h.instances("invoice")) != 0 || h.driver.running() != 2 {
		t.Fatalf("invoice not stopped: %d records, %d processes", len(h.instances("invoice")), h.driver.running())
	}
}

func pids(ins []store.Instance) string {
	var s []string
	for _, in := range ins {
		s = append(s, fmt.Sprint(in.PID))
	}
	return strings.Join(s, ",")
}

func TestRestartedControllerFinishesAStop(t *testing.T) {
	h, _ := converged(t)
	in := h.instances("invoice")[0]
	in.State = store.InstanceStopping // the old server died mid-stop
	if err := h.store.Update(t.Context(), func(tx store.Tx) error { return tx.PutInstance(in) }); err != nil {
		t.Fatal(err)
	}
	h.restartControllers()
	h.enqueue(queue.ServiceKey("invoice"), 0)
	h.settle()
	if st, err := h.driver.Status(t.Context(), in.ID); err == nil && st.Running {
		t.Fatalf("instance %s left running after a restart mid-stop", in.ID)
	}
	for _, got := range h.instances("invoice") {
		if got.ID == in.ID {
			t.Fatalf("record of %s not forgotten", in.ID)
		}
	}
	if n, _ := live(h.instances("invoice")); n != 3 {
		t.Fatalf("%d live invoice instances, want 3 (a replacement)", n)
	}
}

func TestStaleLivenessDoesNotKillTheRestartedProcess(t *testing.T) {
	h, _ := converged(t)
	old := h.instances("order")[0]
	_ = h.driver.end(old.ID, "exit status 1")
	h.enqueue(queue.ServiceKey("order"), 0)
	h.settle()
	h.ctl.onHealth(healthChange(old, false, true)) // the dead process's check, late
	h.advance(time.Second)
	got := h.instances("order")[0]
	if got.State != store.InstanceRunning || got.PID == old.PID {
		t.Fatalf("not restarted: %s pid %d", got.State, got.PID)
	}
	h.settle()
	if n := len(h.events("instance.unhealthy")); n != 0 {
		t.Fatalf("the restarted process was killed for its predecessor's liveness (%d kills)", n)
	}
}

func TestReplacedInstancesAreNotWatched(t *testing.T) {
	h, _ := converged(t)
	h.apply(shop("", "v2"))
	for range 6 {
		h.markReady("invoice")
	}
	for id := range h.checks.watched {
		if strings.HasPrefix(id, "invoice-1-") {
			t.Fatalf("%s was replaced but is still checked", id)
		}
	}
	if len(h.checks.watched) != 5 {
		t.Fatalf("watching %d instances, want 5", len(h.checks.watched))
	}
}

// TestAHealthCallbackWritesNothing: a readiness check's transition is
// noted in memory and queues the service; the instance record and its
// event are written by the next pass, on the pass's context, never by
// the monitor's callback (which raced the pass's own writes).
func TestAHealthCallbackWritesNothing(t *testing.T) {
	h, _ := converged(t)
	in := h.instances("order")[0]
	var before int
	h.view(func(tx store.Tx) error { evs, err := tx.ListEvents(0, "", 0); before = len(evs); return err })
	h.ctl.onHealth(healthChange(in, false, false))
	var after int
	h.view(func(tx store.Tx) error { evs, err := tx.ListEvents(0, "", 0); after = len(evs); return err })
	if got := h.instances("order")[0]; !got.Ready || got.StoreVersion != in.StoreVersion || after != before {
		t.Fatalf("the callback wrote: ready %v, version %d -> %d, events %d -> %d", got.Ready, in.StoreVersion, got.StoreVersion, before, after)
	}
	h.settle()
	if got := h.instances("order")[0]; got.Ready || !strings.Contains(got.Message, "readiness failing") {
		t.Fatalf("after a pass: ready %v %q, want not ready", got.Ready, got.Message)
	}
}

// TestDeadlineCountsFromTheLastProgress: the progress deadline bounds the
// time without progress, not the whole rollout. order's two instances
// each take 20s to get ready under a 30s deadline: 40s in all, and no
// failure; then one that never gets ready fails 30s after the last
// progress.
func TestDeadlineCountsFromTheLastProgress(t *testing.T) {
	h, _ := converged(t)
	op := h.apply(shop("VERSION: v2", "v1"))
	h.advance(20 * time.Second)
	h.markReady("order") // the first new instance: progress at 20s
	h.advance(20 * time.Second)
	if got := h.operation(op.ID).State; got != store.OperationRunning {
		t.Fatalf("40s in, 20s after the last progress: %s, want Running", got)
	}
	h.markReady("order")
	if got := h.operation(op.ID).State; got != store.OperationSucceeded {
		t.Fatalf("both new instances ready: %s, want Succeeded", got)
	}

	op = h.apply(shop("VERSION: v3", "v1"))
	h.advance(10 * time.Second)
	h.markReady("order") // progress at 10s, then nothing
	h.advance(29 * time.Second)
	if got := h.operation(op.ID).State; got != store.OperationRunning {
		t.Fatalf("29s after the last progress: %s, want Running", got)
	}
	h.advance(time.Second)
	if got := h.operation(op.ID).State; got != store.OperationRollingBack {
		t.Fatalf("30s after the last progress: %s, want RollingBack", got)
	}
	h.markReady("order") // the stable instance started again in place of the one replaced
	if got := h.operation(op.ID).State; got != store.OperationRolledBack {
		t.Fatalf("after the rollback: %s, want RolledBack", got)
	}
}
