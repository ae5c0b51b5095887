package rollout

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/platform/kube"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// replicaText is kubeSpec in an environment that splits traffic by
// replicas (no Gateway API), at version v, with edits old -> new.
func (k *kubeHarness) replicaText(v string, edits ...string) string {
	s := strings.NewReplacer("NS", k.ns, "VERSION: v1", "VERSION: "+v).Replace(kubeSpec)
	s = strings.Replace(s, "gateway: {name: public, namespace: infra}", "traffic: replicas", 1)
	return strings.NewReplacer(edits...).Replace(s)
}

// selects reads which revision the stable Service selects ("" for every
// revision's pods).
func (k *kubeHarness) selects() string {
	k.t.Helper()
	var s corev1.Service
	if err := k.c.Get(k.t.Context(), client.ObjectKey{Namespace: k.ns, Name: "order"}, &s); err != nil {
		k.t.Fatalf("stable Service: %v", err)
	}
	if s.Spec.Selector[kube.LabelService] != "order" || s.Spec.Selector[kube.LabelEnvironment] != "prod" {
		k.t.Fatalf("stable Service selects %v, not order's pods in prod", s.Spec.Selector)
	}
	return s.Spec.Selector[kube.LabelRevision]
}

// expectSplit waits for the stable Service to select revision rev (""
// every revision's pods) and the Deployments to run replicas.
func (k *kubeHarness) expectSplit(what, rev string, replicas map[int]int) {
	k.t.Helper()
	var got string
	var r map[int]int
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got, r = k.selects(), k.replicas()
		if got == rev && fmt.Sprint(r) == fmt.Sprint(replicas) {
			break
		}
		if time.Now().After(end) {
			k.t.Fatalf("%s: stable Service selects revision %q, want %q; Deployments' replicas %v, want %v", what, got, rev, r, replicas)
		}
		k.settle()
	}
	err := k.c.Get(k.t.Context(), client.ObjectKey{Namespace: k.ns, Name: "order"}, &gwv1.HTTPRoute{})
	if !apierrors.IsNotFound(err) {
		k.t.Fatalf("%s: an HTTPRoute split by replicas (%v)", what, err)
	}
}

// TestKubeCanaryByReplicas: without Gateway API (traffic: replicas) a
// canary's weight becomes pods behind the stable Service, which selects
// every revision's: at 10% of 4 the candidate runs 1 pod beside stable's
// 4 (20% effective, as the message states), at 50% 2 (33%); at 0% and
// after an abort the Service selects stable's pods only, at once.
func TestKubeCanaryByReplicas(t *testing.T) {
	k := newKubeHarnessSplit(t, nil, true)
	k.applyText(k.replicaText("v1"))
	k.expectSplit("first deploy", "", map[int]int{1: 4})
	k.kubelet(1, 4)

	op := k.applyText(k.replicaText("v2"))
	k.expectSplit("canary starts at 0%", "1", map[int]int{1: 4, 2: 1})
	k.kubelet(2, 1)
	k.expectSplit("setWeight 10", "", map[int]int{1: 4, 2: 1})
	if svc := k.service("order"); !strings.Contains(svc.Message, "at 10% (split by replicas: 1 of 5 pods, 20% effective)") {
		t.Fatalf("at 10%%: %q, want the effective weight", svc.Message)
	}
	promote(t, k.harness, false)
	k.kubelet(2, 2)
	k.expectSplit("setWeight 50", "", map[int]int{1: 4, 2: 2})
	if svc := k.service("order"); !strings.Contains(svc.Message, "at 50% (split by replicas: 2 of 6 pods, 33% effective)") {
		t.Fatalf("at 50%%: %q, want the effective weight", svc.Message)
	}

	if err := k.store.Update(t.Context(), func(tx store.Tx) error { return stack.Abort(tx, "order", "bob saw enough", k.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	k.enqueue(queue.ServiceKey("order"), 0)
	k.settle()
	k.expectSplit("aborted", "1", map[int]int{1: 4})
	if svc := k.service("order"); svc.Stable != 1 || k.operation(op.ID).State != store.OperationRolledBack {
		t.Fatalf("after abort: stable %d op %s", svc.Stable, k.operation(op.ID).State)
	}
}

// TestKubeBlueGreenByReplicas: without Gateway API blue/green is exact,
// as Argo Rollouts does it: the stable Service selects the active
// revision's pods, and a promotion switches its selector at once; the
// old Deployment stays for the scale-down delay.
func TestKubeBlueGreenByReplicas(t *testing.T) {
	k := newKubeHarnessSplit(t, nil, true)
	text := func(v string) string {
		return k.replicaText(v, "instances: 4", "instances: 2",
			"strategy: {canary: {steps: [{setWeight: 10}, {pause: {}}, {setWeight: 50}, {pause: {}}]}}",
			"strategy: {blueGreen: {scaleDownDelay: 1m, progressDeadline: 30s}}")
	}
	k.applyText(text("v1"))
	k.kubelet(1, 2)
	k.expectSplit("first deploy: blue active", "1", map[int]int{1: 2})

	op := k.applyText(text("v2"))
	k.kubelet(2, 2)
	k.expectSplit("whole candidate beside, blue selected", "1", map[int]int{1: 2, 2: 2})
	if err := k.store.Update(t.Context(), func(tx store.Tx) error { return stack.Promote(tx, "order", false, k.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	k.enqueue(queue.ServiceKey("order"), 0)
	k.settle()
	k.expectSplit("switched to green, blue kept", "2", map[int]int{1: 2, 2: 2})
	if svc := k.service("order"); svc.Stable != 2 || k.operation(op.ID).State != store.OperationSucceeded {
		t.Fatalf("after promotion: stable %d op %s", svc.Stable, k.operation(op.ID).State)
	}
	k.advance(time.Minute) // the scale-down delay
	k.expectSplit("blue scaled down", "2", map[int]int{2: 2})
}

// TestKubeUnroutedByReplicas: a service with no route (no host, no
// path; in-cluster clients only) still switches by the stable Service's
// selector: the controller gives the platform its split alone.
func TestKubeUnroutedByReplicas(t *testing.T) {
	k := newKubeHarnessSplit(t, nil, true)
	text := func(v string) string {
		return k.replicaText(v, "instances: 4", "instances: 2", "    route: {host: order.example.com}\n", "",
			"strategy: {canary: {steps: [{setWeight: 10}, {pause: {}}, {setWeight: 50}, {pause: {}}]}}",
			"strategy: {blueGreen: {autoPromote: true, scaleDownDelay: 1m}}")
	}
	k.applyText(text("v1"))
	k.kubelet(1, 2)
	k.expectSplit("first deploy", "1", map[int]int{1: 2})
	k.applyText(text("v2"))
	k.kubelet(2, 2)
	k.expectSplit("promoted on its own", "2", map[int]int{1: 2, 2: 2})
	k.advance(time.Minute) // the scale-down delay
	k.expectSplit("blue scaled down", "2", map[int]int{2: 2})
}
