package rollout

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/platform/kube"
	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/store"
)

// TestKubeAutoscaledCanary: `scale:` on CPU in a Kubernetes environment
// is a HorizontalPodAutoscaler per revision at rest. The first revision
// gets its HPA once deployed; the HPA controller (played by the test)
// grows it to 5 and the controller's passes keep that count, writing no
// count of their own. A canary sizes its candidate against stable's 5
// (its weight's share) while stable keeps its HPA with 5 as its least;
// the promoted candidate, at full, gets the HPA and the old revision
// goes with its own.
func TestKubeAutoscaledCanary(t *testing.T) {
	k := newKubeHarness(t, nil)
	text := func(v string) string {
		s := strings.NewReplacer("NS", k.ns, "VERSION: v1", "VERSION: "+v).Replace(kubeSpec)
		return strings.Replace(s, "instances: 4", "scale: {min: 2, max: 8, target: {cpu: 70%}, stabilization: {down: 1m}}", 1)
	}
	k.applyText(text("v1"))
	k.expect("first deploy", map[string]int32{"order": 1}, map[int]int{1: 2})
	k.kubelet(1, 2)
	k.expectHPA(1, 2, 8)

	k.hpaScale(1, 5)
	k.kubelet(1, 5)
	scaled := len(k.events(store.EventRevisionScaled))
	k.advance(time.Minute)
	k.expect("the HPA's count", map[string]int32{"order": 1}, map[int]int{1: 5})
	if svc := k.service("order"); svc.Phase != store.PhaseReady {
		t.Fatalf("at the HPA's count: %s (%s)", svc.Phase, svc.Message)
	}
	if n := len(k.events(store.EventRevisionScaled)); n != scaled {
		t.Fatalf("%d revision.scaled events while the HPA sizes the revision, want none", n-scaled)
	}

	k.applyText(text("v2"))
	k.kubelet(2, 1)
	k.expect("canary at 10%", map[string]int32{"order-r1": 90, "order-r2": 10}, map[int]int{1: 5, 2: 1})
	k.expectHPA(1, 5, 8) // stable may grow, not shrink
	if err := k.c.Get(t.Context(), client.ObjectKey{Namespace: k.ns, Name: "order-r2"}, &autoscalingv2.HorizontalPodAutoscaler{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the candidate has an HPA mid-canary: %v", err)
	}
	promote(t, k.harness, false)
	k.expect("canary at 50%", map[string]int32{"order-r1": 50, "order-r2": 50}, map[int]int{1: 5, 2: 3})
	k.kubelet(2, 3)
	promote(t, k.harness, false)
	k.expect("candidate at full", map[string]int32{"order-r1": 50, "order-r2": 50}, map[int]int{1: 5, 2: 5})
	k.kubelet(2, 5)
	k.expect("promoted", map[string]int32{"order-r2": 100}, map[int]int{2: 5})
	k.expectHPA(2, 2, 8)
	if err := k.c.Get(t.Context(), client.ObjectKey{Namespace: k.ns, Name: "order-r1"}, &autoscalingv2.HorizontalPodAutoscaler{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the old revision's HPA after promotion: %v, want deleted with it", err)
	}
}

// TestKubeAutoscaledRollingUpdate: a rolling update of a revision its
// HPA grew to 5 deploys the next one at 5 (a deploy keeps the capacity),
// takes the old one back from its HPA (deleted, so the controller
// shrinks it step by step without a conflict with the HPA controller's
// count) and hands the new one to an HPA of its own at the end.
func TestKubeAutoscaledRollingUpdate(t *testing.T) {
	k := newKubeHarness(t, nil)
	text := func(v string) string {
		s := strings.NewReplacer("NS", k.ns, "VERSION: v1", "VERSION: "+v).Replace(kubeSpec)
		s = strings.Replace(s, "strategy: {canary: {steps: [{setWeight: 10}, {pause: {}}, {setWeight: 50}, {pause: {}}]}}", "strategy: {rolling: {maxSurge: 5}}", 1)
		return strings.Replace(s, "instances: 4", "scale: {min: 2, max: 8, target: {cpu: 70%}}", 1)
	}
	k.applyText(text("v1"))
	k.kubelet(1, 2)
	k.expectHPA(1, 2, 8)
	k.hpaScale(1, 5)
	k.kubelet(1, 5)
	k.expect("the HPA's count", map[string]int32{"order": 1}, map[int]int{1: 5})

	k.applyText(text("v2"))
	if errs := k.retrying(2 * time.Second); len(errs) > 0 {
		t.Fatalf("rolling update of an autoscaled revision: %v", errs)
	}
	k.expect("new revision at the old one's count", map[string]int32{"order": 1}, map[int]int{1: 5, 2: 5})
	if err := k.c.Get(t.Context(), client.ObjectKey{Namespace: k.ns, Name: "order-r1"}, &autoscalingv2.HorizontalPodAutoscaler{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the old revision's HPA mid-update: %v, want deleted (Slipway sizes it)", err)
	}
	k.kubelet(2, 5)
	k.expect("rolled", map[string]int32{"order": 1}, map[int]int{2: 5})
	k.expectHPA(2, 2, 8)
	if errs := k.retrying(2 * time.Second); len(errs) > 0 {
		t.Fatalf("after the update: %v", errs)
	}
}

// expectHPA waits for revision rev's HPA to hold min and max.
func (k *kubeHarness) expectHPA(rev int, lo, hi int32) {
	k.t.Helper()
	var hpa autoscalingv2.HorizontalPodAutoscaler
	kubetest.Eventually(k.t, fmt.Sprintf("revision %d's HPA at %d..%d", rev, lo, hi), func() bool {
		k.settle()
		err := k.c.Get(k.t.Context(), client.ObjectKey{Namespace: k.ns, Name: kube.RevisionName("order", rev)}, &hpa)
		return err == nil && *hpa.Spec.MinReplicas == lo && hpa.Spec.MaxReplicas == hi
	}, func() string { return fmt.Sprintf("%+v", hpa.Spec) })
}

// hpaScale plays the HPA controller: it rescales revision rev through
// the scale subresource, as its own field manager.
func (k *kubeHarness) hpaScale(rev int, n int32) {
	k.t.Helper()
	var d appsv1.Deployment
	key := client.ObjectKey{Namespace: k.ns, Name: kube.RevisionName("order", rev)}
	if err := k.c.Get(k.t.Context(), key, &d); err != nil {
		k.t.Fatal(err)
	}
	scale := &autoscalingv1.Scale{Spec: autoscalingv1.ScaleSpec{Replicas: n}}
	if err := k.c.SubResource("scale").Update(k.t.Context(), &d, client.WithSubResourceBody(scale), client.FieldOwner("kube-controller-manager")); err != nil {
		k.t.Fatal(err)
	}
}
