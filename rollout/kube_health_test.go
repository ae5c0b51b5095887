package rollout

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/platform/kube"
	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/store"
)

// TestKubeUnhealthyServiceIsReported: a Kubernetes service whose pods
// stop being ready (its Deployment's available pods below the desired
// count, as the informers show it; the test plays the kubelets) is
// reported unhealthy once the spell lasts UnhealthyAfter, once, and
// recovered once its pods are ready again, as a service on one machine
// is. A short spell is not reported.
func TestKubeUnhealthyServiceIsReported(t *testing.T) {
	k := newKubeHarness(t, nil)
	k.ctl.cfg.UnhealthyAfter = time.Minute
	k.apply("v1")
	k.kubelet(1, 4)
	if svc := k.service("order"); svc.Phase != store.PhaseReady {
		t.Fatalf("first deploy: %s (%s)", svc.Phase, svc.Message)
	}

	k.unready(3) // a short spell
	k.advance(30 * time.Second)
	k.kubelet(1, 4)
	k.advance(2 * time.Minute)
	if n := len(k.events(store.EventServiceUnhealthy)) + len(k.events(store.EventServiceRecovered)); n != 0 {
		t.Fatalf("a 30s spell wrote %d health events, want none", n)
	}

	k.unready(2)
	k.advance(59 * time.Second)
	if n := len(k.events(store.EventServiceUnhealthy)); n != 0 {
		t.Fatalf("%d unhealthy events after 59s, want none before the threshold", n)
	}
	k.advance(time.Second)
	k.advance(10 * time.Minute)
	evs := k.events(store.EventServiceUnhealthy)
	if len(evs) != 1 {
		t.Fatalf("%d unhealthy events after 11 minutes, want exactly 1", len(evs))
	}
	var d store.UnhealthyData
	if err := json.Unmarshal(evs[0].Data, &d); err != nil || d.Ready != 2 || d.Desired != 4 {
		t.Errorf("unhealthy data %+v (%v), want 2 of 4 ready", d, err)
	}
	if evs[0].Service != "order" || evs[0].Revision != 1 || evs[0].By == "" || !strings.Contains(evs[0].Message, "2 of 4") {
		t.Errorf("unhealthy event %+v: want order's revision 1, a By, 2 of 4 ready", evs[0])
	}

	k.kubelet(1, 4)
	rec := k.events(store.EventServiceRecovered)
	if len(rec) != 1 {
		t.Fatalf("%d recovered events, want 1", len(rec))
	}
	if err := json.Unmarshal(rec[0].Data, &d); err != nil || !d.Since.Equal(evs[0].Time.Add(-time.Minute)) {
		t.Errorf("recovered data %+v (%v): Since should be when the spell began, %s", d, err, evs[0].Time.Add(-time.Minute))
	}
	k.advance(10 * time.Minute)
	if n, r := len(k.events(store.EventServiceUnhealthy)), len(k.events(store.EventServiceRecovered)); n != 1 || r != 1 {
		t.Errorf("%d unhealthy and %d recovered events after recovery, want 1 and 1", n, r)
	}
}

// unready plays the kubelets of revision 1's 4 pods, of which only n
// pass readiness, then lets the controller see it.
func (k *kubeHarness) unready(n int) {
	k.t.Helper()
	if err := kubetest.SetReady(k.t.Context(), k.c, k.ns, kube.RevisionName("order", 1), int32(n)); err != nil {
		k.t.Fatal(err)
	}
	kubetest.Eventually(k.t, fmt.Sprintf("%d ready pods seen by the informers", n), func() bool {
		obs, err := k.platform.Observe(k.t.Context(), "order")
		return err == nil && len(obs) == 1 && obs[0].Available == n && obs[0].Settled
	})
	kubetest.Eventually(k.t, "the informers enqueued order", func() bool { return k.dueNow(queue.ServiceKey("order")) })
	k.settle()
}
