package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/api"
	slipway "github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/store"
)

// TestKubernetesHPAInStatus: in a Kubernetes environment a service that
// autoscales on CPU is sized by its HorizontalPodAutoscaler; when the
// HPA controller (played by the test through the status subresource)
// rescales it, the server records the decision as a service.autoscaled
// event with its reason, and the service's view (what `slipway status`
// and the dashboard's Autoscaling panel read) shows the decision and
// the HPA's state: counts, CPU against the target, conditions.
func TestKubernetesHPAInStatus(t *testing.T) {
	k, ref := kubeShop(t)
	ctx := context.Background()
	text := `app: shop
services:
  order:
    image: ` + ref + `
    resources: {cpu: 0.5}
    scale: {min: 2, max: 8, target: {cpu: 70%}}
    route: {host: order.example.com}
environments:
  prod:
    platform:
      kubernetes: {namespace: shop, gateway: {name: public, namespace: infra}}
`
	c0, _ := start(t, t.TempDir())
	c := slipway.New(c0.BaseURL(), slipway.WithEnv("prod"))
	if _, err := c.Apply(ctx, api.ApplyRequest{Spec: text}); err != nil {
		t.Fatal(err)
	}
	kubetest.Eventually(t, "Deployment order-r1", func() bool {
		return kubetest.SetAvailable(ctx, k, "shop", "order-r1", 2) == nil
	})
	var hpa autoscalingv2.HorizontalPodAutoscaler
	key := client.ObjectKey{Namespace: "shop", Name: "order-r1"}
	kubetest.Eventually(t, "the HPA", func() bool { return k.Get(ctx, key, &hpa) == nil })

	cpu := int32(175)
	scaled := metav1.NewTime(time.Now().Truncate(time.Second))
	hpa.Status = autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 2, DesiredReplicas: 5, LastScaleTime: &scaled,
		CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
			Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: &cpu}}}},
		Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
			{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue, Reason: "SucceededRescale", Message: "the HPA controller was able to update the target scale to 5", LastTransitionTime: scaled},
			{Type: autoscalingv2.ScalingLimited, Status: corev1.ConditionFalse, Reason: "DesiredWithinRange", Message: "the desired count is within the acceptable range", LastTransitionTime: scaled}}}
	if err := k.Status().Update(ctx, &hpa, client.FieldOwner("kube-controller-manager")); err != nil {
		t.Fatal(err)
	}

	const reason = "cpu 175% over target 70% x 2 instances"
	var svc api.Service
	var err error
	kubetest.Eventually(t, "the HPA's decision in the service's view", func() bool {
		svc, err = c.Service(ctx, "order")
		a := svc.Autoscale
		return err == nil && a != nil && a.Reason == reason && a.HPA != nil && a.HPA.Desired == 5
	}, func() string { return fmt.Sprintf("%+v %v", svc.Autoscale, err) })
	h := svc.Autoscale.HPA
	if h.Name != "order-r1" || h.Current != 2 || len(h.Metrics) != 1 || h.Metrics[0] != (api.AutoscaleMetric{Name: "cpu", Current: 175, Target: 70, Unit: "%"}) ||
		len(h.Conditions) != 2 || h.Conditions[0].Reason != "SucceededRescale" || !h.LastScaleTime.Equal(scaled.Time) || svc.Desired != 5 {
		t.Fatalf("view: desired %d, HPA %+v", svc.Desired, h)
	}
	evs, err := c.Events(ctx, 0, "order", 100)
	if err != nil {
		t.Fatal(err)
	}
	var decisions []string
	for _, e := range evs {
		if e.Type == string(store.EventServiceAutoscaled) {
			decisions = append(decisions, e.Message)
		}
	}
	if len(decisions) != 1 || !strings.HasSuffix(decisions[0], "2 -> 5 instances (HorizontalPodAutoscaler order-r1): "+reason) {
		t.Fatalf("service.autoscaled events %q, want the one decision", decisions)
	}
}
