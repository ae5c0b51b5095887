package kube

import (
	"fmt"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/workload"
)

// TestAutoscalersFromInformers: a watched Cluster reads an autoscaled
// revision's HPA status from its informers (no request), in the spec's
// terms, and reports the service changed when the HPA controller
// (played here, writing the status subresource) writes a decision, so
// that the controller records it at once.
func TestAutoscalersFromInformers(t *testing.T) {
	k, n, c, ch := watched(t)
	ctx := t.Context()
	r := scaledRevision()
	r.Replicas, r.Autoscaled = 3, true
	if err := k.ApplyRevision(ctx, r); err != nil {
		t.Fatal(err)
	}
	var h autoscalingv2.HorizontalPodAutoscaler
	kubetest.Eventually(t, "the HPA in the informers", func() bool {
		hs, err := k.Autoscalers(ctx, "order")
		return err == nil && len(hs) == 1 && hs[0].Name == "order-r3"
	})
	if err := c.Get(ctx, client.ObjectKey{Namespace: k.t.Namespace, Name: "order-r3"}, &h); err != nil {
		t.Fatal(err)
	}
	before := ch.count("order")
	cpu := int32(150)
	scaled := metav1.NewTime(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	h.Status = autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 3, DesiredReplicas: 6, LastScaleTime: &scaled,
		CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
			Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: &cpu, AverageValue: resource.NewMilliQuantity(750, resource.DecimalSI)}}}},
		Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
			{Type: autoscalingv2.ScalingLimited, Status: corev1.ConditionTrue, Reason: "TooManyReplicas", Message: "the desired replica count is more than the maximum replica count", LastTransitionTime: scaled}}}
	if err := c.Status().Update(ctx, &h, client.FieldOwner("kube-controller-manager")); err != nil {
		t.Fatal(err)
	}
	n.Store(0)
	want := "[{order-r3 3 3 6 [{cpu 150 70 %}] 2026-12-07 10:00:00 +0000 UTC [{ScalingLimited True TooManyReplicas the desired replica count is more than the maximum replica count}]}]"
	var got []workload.AutoscalerStatus
	kubetest.Eventually(t, "the HPA's decision in the informers", func() bool {
		got, _ = k.Autoscalers(ctx, "order")
		for i := range got {
			got[i].LastScaleTime = got[i].LastScaleTime.UTC()
		}
		return fmt.Sprint(got) == want
	}, func() string { return fmt.Sprint(got) })
	if got := n.Load(); got != 0 {
		t.Errorf("%d requests to read the HPA, want none (informers)", got)
	}
	kubetest.Eventually(t, "order reported changed", func() bool { return ch.count("order") > before })
}

// TestAutoscalerStatusAverageValue: an HPA on an average value (a
// revision without resources.cpu: a share of one core) reads back as
// the spec's percentage of a core.
func TestAutoscalerStatusAverageValue(t *testing.T) {
	r := scaledRevision()
	r.Spec.Resources.CPU = 0
	cfg, err := HPA(r, "shop")
	if err != nil {
		t.Fatal(err)
	}
	h := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: *cfg.Name, Labels: cfg.Labels}}
	h.Spec.Metrics = []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
		Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: cfg.Spec.Metrics[0].Resource.Target.AverageValue}}}}
	h.Status.CurrentMetrics = []autoscalingv2.MetricStatus{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
		Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageValue: resource.NewMilliQuantity(1250, resource.DecimalSI)}}}}
	s := autoscalerStatus(h)
	if s.Revision != 3 || len(s.Metrics) != 1 || s.Metrics[0] != (workload.AutoscalerMetric{Name: "cpu", Current: 125, Target: 70, Unit: "%"}) || !s.LastScaleTime.IsZero() {
		t.Fatalf("%+v", s)
	}
}
