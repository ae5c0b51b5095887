package rollout

import (
	"fmt"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/platform/kube"
	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/store"
)

// TestKubeHPADecisionsRecorded: the decisions of a revision's
// HorizontalPodAutoscaler (its controller played by the test, writing
// the HPA's status subresource as kube-controller-manager does) are
// recorded as Slipway's own autoscaler's are: one service.autoscaled
// event per new desired count with its reason (the CPU measured against
// the target, or the bound that held it), and the service's
// store.Autoscale. The HPA taking the revision at its count is no
// decision; the same status seen again, and a restarted server (new
// informers, new controllers) seeing it, write nothing more.
func TestKubeHPADecisionsRecorded(t *testing.T) {
	k := newKubeHarness(t, nil)
	text := strings.Replace(strings.NewReplacer("NS", k.ns).Replace(kubeSpec), "instances: 4",
		"scale: {min: 2, max: 8, target: {cpu: 70%}}", 1)
	k.applyText(text)
	k.kubelet(1, 2)
	k.expectHPA(1, 2, 8)

	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	k.hpaStatus(1, 2, 2, 40, time.Time{}, "DesiredWithinRange", "the desired count is within the acceptable range")
	k.hpaSeen(1, 2, 2)
	if n := len(k.events(store.EventServiceAutoscaled)); n != 0 {
		t.Fatalf("%d service.autoscaled events before the HPA rescaled, want none", n)
	}

	k.hpaScale(1, 5)
	k.hpaStatus(1, 2, 5, 175, t0, "DesiredWithinRange", "the desired count is within the acceptable range")
	k.expectDecisions(1)
	e := k.events(store.EventServiceAutoscaled)[0]
	if want := "order: 2 -> 5 instances (HorizontalPodAutoscaler order-r1): cpu 175% over target 70% x 2 instances"; e.Message != want || e.Revision != 1 {
		t.Fatalf("event r%d %q, want %q", e.Revision, e.Message, want)
	}
	a := k.service("order").Autoscale
	if a == nil || a.Revision != 1 || a.Replicas != 5 || !a.ChangedAt.Equal(t0) || !strings.HasPrefix(a.Reason, "cpu 175% over target 70%") {
		t.Fatalf("store.Autoscale %+v", a)
	}

	// The HPA controller's next look: the count reached, the same
	// decision. Then a restarted server sees it all again.
	k.kubelet(1, 5)
	k.hpaStatus(1, 5, 5, 72, t0, "DesiredWithinRange", "the desired count is within the acceptable range")
	k.hpaSeen(1, 5, 5)
	k.watchCluster()
	k.restartControllers()
	k.settle()
	k.advance(time.Minute)
	k.expectDecisions(1)

	// A surge beyond max: the bound is the reason.
	k.hpaScale(1, 8)
	k.hpaStatus(1, 5, 8, 240, t0.Add(time.Minute), "TooManyReplicas", "the desired replica count is more than the maximum replica count")
	k.expectDecisions(2)
	e = k.events(store.EventServiceAutoscaled)[1]
	if !strings.HasSuffix(e.Message, "cpu 240% over target 70% x 5 instances; limited: the desired replica count is more than the maximum replica count (TooManyReplicas)") {
		t.Fatalf("limited decision: %q", e.Message)
	}
	k.expect("the HPA's count", map[string]int32{"order": 1}, map[int]int{1: 8})
	if n := len(k.events(store.EventRevisionScaled)); n != 1 {
		t.Errorf("%d revision.scaled events, want the first deploy's only (the HPA sizes the revision)", n)
	}
}

// hpaStatus plays the HPA controller's status write for revision rev:
// the counts, the CPU it measured (utilization of the request), the
// last scale time (zero: never rescaled) and its ScalingLimited
// condition, limited unless reason is DesiredWithinRange.
func (k *kubeHarness) hpaStatus(rev, current, desired int, cpu int32, scaled time.Time, reason, msg string) {
	k.t.Helper()
	var h autoscalingv2.HorizontalPodAutoscaler
	if err := k.c.Get(k.t.Context(), client.ObjectKey{Namespace: k.ns, Name: kube.RevisionName("order", rev)}, &h); err != nil {
		k.t.Fatal(err)
	}
	limited := corev1.ConditionTrue
	if reason == "DesiredWithinRange" {
		limited = corev1.ConditionFalse
	}
	now := metav1.Now()
	h.Status = autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: int32(current), DesiredReplicas: int32(desired),
		CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
			Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: &cpu}}}},
		Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
			{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue, Reason: "ReadyForNewScale", Message: "recommended size matches current size", LastTransitionTime: now},
			{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionTrue, Reason: "ValidMetricFound", Message: "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)", LastTransitionTime: now},
			{Type: autoscalingv2.ScalingLimited, Status: limited, Reason: reason, Message: msg, LastTransitionTime: now},
		}}
	if !scaled.IsZero() {
		h.Status.LastScaleTime = &metav1.Time{Time: scaled}
	}
	if err := k.c.Status().Update(k.t.Context(), &h, client.FieldOwner("kube-controller-manager")); err != nil {
		k.t.Fatal(err)
	}
}

// hpaSeen waits until the controller's informers hold rev's HPA status
// at current and desired, then runs the passes they queued.
func (k *kubeHarness) hpaSeen(rev, current, desired int) {
	k.t.Helper()
	pa := k.platform.(platformAutoscalers)
	kubetest.Eventually(k.t, fmt.Sprintf("revision %d's HPA at %d -> %d in the informers", rev, current, desired), func() bool {
		hs, err := pa.Autoscalers(k.t.Context(), "order")
		for _, h := range hs {
			if h.Revision == rev && h.Current == current && h.Desired == desired {
				return err == nil
			}
		}
		return false
	})
	kubetest.Eventually(k.t, "the informers enqueued order", func() bool { return k.dueNow(queue.ServiceKey("order")) })
	k.settle()
}

// expectDecisions waits for n service.autoscaled events, and for no
// more: passes run until the informers are quiet.
func (k *kubeHarness) expectDecisions(n int) {
	k.t.Helper()
	kubetest.Eventually(k.t, fmt.Sprintf("%d service.autoscaled events", n), func() bool {
		k.settle()
		return len(k.events(store.EventServiceAutoscaled)) >= n
	}, func() string { return fmt.Sprint(k.events(store.EventServiceAutoscaled)) })
	k.advance(time.Second)
	if got := len(k.events(store.EventServiceAutoscaled)); got != n {
		k.t.Fatalf("%d service.autoscaled events, want %d: %v", got, n, k.events(store.EventServiceAutoscaled))
	}
}
