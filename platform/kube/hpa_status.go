package kube

import (
	"context"
	"slices"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/workload"
)

// Autoscalers lists the HorizontalPodAutoscalers of a service's
// revisions as their controller last reported them (status: counts,
// metrics, last scale time, conditions), by revision. A watched
// Cluster reads them from its informers, which also enqueue the
// service at each change of an HPA's status: the rollout controller
// records each new decision (rollout.recordAutoscaler).
func (k *Cluster) Autoscalers(ctx context.Context, service string) ([]workload.AutoscalerStatus, error) {
	var l autoscalingv2.HorizontalPodAutoscalerList
	if err := k.reader().List(ctx, &l, client.InNamespace(k.t.Namespace), k.selector(service)); err != nil {
		return nil, classify(err, "list HorizontalPodAutoscalers in "+k.t.Namespace, k.t.Namespace)
	}
	out := make([]workload.AutoscalerStatus, 0, len(l.Items))
	for i := range l.Items {
		out = append(out, autoscalerStatus(&l.Items[i]))
	}
	slices.SortFunc(out, func(a, b workload.AutoscalerStatus) int { return a.Revision - b.Revision })
	return out, nil
}

// autoscalerStatus reads an HPA's status in the spec's terms: its CPU
// in the percentage its target is written in (HPA's utilization of the
// pod's request, or an average value in cores, a share of one core).
func autoscalerStatus(h *autoscalingv2.HorizontalPodAutoscaler) workload.AutoscalerStatus {
	s := workload.AutoscalerStatus{Name: h.Name, Revision: revisionOf(h.Labels),
		Current: int(h.Status.CurrentReplicas), Desired: int(h.Status.DesiredReplicas)}
	if t := h.Status.LastScaleTime; t != nil {
		s.LastScaleTime = t.Time
	}
	for _, m := range h.Spec.Metrics {
		if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource == nil {
			continue
		}
		name, target := m.Resource.Name, m.Resource.Target
		cur, ok := currentOf(h.Status.CurrentMetrics, name)
		pct := func(u *int32, v *resource.Quantity) float64 {
			if target.Type == autoscalingv2.UtilizationMetricType && u != nil {
				return float64(*u)
			}
			if v != nil {
				return float64(v.MilliValue()) / 10
			}
			return 0
		}
		am := workload.AutoscalerMetric{Name: string(name), Target: pct(target.AverageUtilization, target.AverageValue), Unit: "%"}
		if ok {
			am.Current = pct(cur.AverageUtilization, cur.AverageValue)
		}
		s.Metrics = append(s.Metrics, am)
	}
	for _, c := range h.Status.Conditions {
		s.Conditions = append(s.Conditions, workload.AutoscalerCondition{Type: string(c.Type), Status: string(c.Status),
			Reason: c.Reason, Message: c.Message})
	}
	return s
}

// currentOf finds the measured value of resource name in an HPA's
// status.
func currentOf(ms []autoscalingv2.MetricStatus, name corev1.ResourceName) (autoscalingv2.MetricValueStatus, bool) {
	for _, m := range ms {
		if m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil && m.Resource.Name == name {
			return m.Resource.Current, true
		}
	}
	return autoscalingv2.MetricValueStatus{}, false
}
