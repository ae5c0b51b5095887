package rollout

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

const blueGreenV1 = `app: shop
services:
  order:
    run: ["./order", "${PORT}"]
    env: {VERSION: v1}
    instances: 2
    health: {readiness: {http: /healthz}}
    route: {host: order.localhost}
    strategy:
      blueGreen: {scaleDownDelay: 1m, progressDeadline: 30s}
`

func blueGreen(version string, auto bool) string {
	s := strings.Replace(blueGreenV1, "VERSION: v1", "VERSION: "+version, 1)
	if auto {
		s = strings.Replace(s, "{scaleDownDelay", "{autoPromote: true, scaleDownDelay", 1)
	}
	return s
}

func TestBlueGreenWaitsForPromotionThenSwitches(t *testing.T) {
	h := newHarness(t)
	h.apply(blueGreenV1)
	h.markReady("order")
	if svc := h.service("order"); svc.Traffic.Active != 1 || svc.Phase != store.PhaseReady {
		t.Fatalf("first deploy: traffic %+v phase %s", svc.Traffic, svc.Phase)
	}
	op := h.apply(blueGreen("v2", false))
	if n, _ := live(h.instances("order")); n != 4 {
		t.Fatalf("%d live instances, want the whole new revision (2) beside the old (2)", n)
	}
	during := h.service("order").Traffic
	if len(during.PreviewSecret) != 32 {
		t.Fatalf("preview secret %q, want 128 random bits in hex", during.PreviewSecret)
	}
	if during.PreviewSecret = ""; during != (store.Traffic{Active: 1, Preview: 2, PreviewHeader: "X-Slipway-Preview"}) {
		t.Fatalf("traffic during the rollout %+v, want v1 live and v2 in preview", during)
	}
	h.markReady("order")
	h.advance(time.Hour) // waiting for promotion is not bounded by the deadline
	svc := h.service("order")
	if svc.Phase != store.PhaseProgressing || !strings.Contains(svc.Message, "slipway rollout promote order") || svc.Traffic.Active != 1 {
		t.Fatalf("before promotion: %s %q traffic %+v", svc.Phase, svc.Message, svc.Traffic)
	}
	if err := h.store.Update(t.Context(), func(tx store.Tx) error { return stack.Promote(tx, "order", false, h.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	h.enqueue(queue.ServiceKey("order"), 0)
	h.settle()
	svc = h.service("order")
	if svc.Traffic.PreviewSecret != "" {
		t.Errorf("after promotion the preview secret %q is kept", svc.Traffic.PreviewSecret)
	}
	if svc.Traffic.Active != 2 || svc.Stable != 2 || svc.Keep != 1 || h.operation(op.ID).State != store.OperationSucceeded {
		t.Fatalf("after promotion: traffic %+v stable %d keep %d op %s", svc.Traffic, svc.Stable, svc.Keep, h.operation(op.ID).State)
	}
	if n, _ := live(h.instances("order")); n != 4 {
		t.Fatalf("%d live instances right after promotion, want the old revision kept", n)
	}
	h.advance(time.Minute) // scaleDownDelay
	for _, in := range h.instances("order") {
		if in.Revision == 1 {
			t.Fatalf("revision 1 instance %s still there after the scale-down delay", in.ID)
		}
	}
}

func TestBlueGreenRollbackIsATrafficSwitch(t *testing.T) {
	h := newHarness(t)
	h.apply(blueGreenV1)
	h.markReady("order")
	h.apply(blueGreen("v2", true))
	h.markReady("order")
	if svc := h.service("order"); svc.Traffic.Active != 2 || svc.Keep != 1 {
		t.Fatalf("auto-promoted: traffic %+v keep %d", svc.Traffic, svc.Keep)
	}
	starts := h.driver.starts
	var op *store.Operation
	err := h.store.Update(t.Context(), func(tx store.Tx) error {
		var err error
		op, err = rollbackOp(tx, "order")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.enqueue(queue.OperationKey(op.ID), 0)
	h.settle() // no readiness to wait for: revision 1 is still running and ready
	svc := h.service("order")
	if svc.Traffic.Active != 1 || svc.Revision != 1 || h.operation(op.ID).State != store.OperationSucceeded {
		t.Fatalf("after rollback: traffic %+v revision %d op %s", svc.Traffic, svc.Revision, h.operation(op.ID).State)
	}
	if h.driver.starts != starts {
		t.Fatalf("the rollback started %d instances; it must only switch traffic", h.driver.starts-starts)
	}
}

func TestBlueGreenNeverReadyIsRolledBackWithoutTraffic(t *testing.T) {
	h := newHarness(t)
	h.apply(blueGreenV1)
	h.markReady("order")
	op := h.apply(blueGreen("v2", true))
	h.advance(31 * time.Second)
	if got := h.operation(op.ID).State; got != store.OperationRolledBack {
		t.Fatalf("operation %s, want RolledBack", got)
	}
	if svc := h.service("order"); svc.Traffic.Active != 1 || svc.Revision != 1 {
		t.Fatalf("traffic %+v revision %d, want all on 1", svc.Traffic, svc.Revision)
	}
}
