package rollout

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// TestHPADecision: which HPA statuses are a new decision to record,
// against the service's last record, and what the record and event
// say.
func TestHPADecision(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	within := workload.AutoscalerCondition{Type: workload.ConditionScalingLimited, Status: "False", Reason: "DesiredWithinRange", Message: "the desired count is within the acceptable range"}
	active := workload.AutoscalerCondition{Type: workload.ConditionScalingActive, Status: "True", Reason: "ValidMetricFound"}
	cpu := func(cur float64) []workload.AutoscalerMetric {
		return []workload.AutoscalerMetric{{Name: "cpu", Current: cur, Target: 70, Unit: "%"}}
	}
	hpa := func(current, desired int, scaled time.Time, m []workload.AutoscalerMetric, cs ...workload.AutoscalerCondition) workload.AutoscalerStatus {
		return workload.AutoscalerStatus{Name: "order-r3", Revision: 3, Current: current, Desired: desired, LastScaleTime: scaled, Metrics: m, Conditions: cs}
	}
	rec := func(rev, n int, at time.Time) *store.Autoscale {
		return &store.Autoscale{Revision: rev, Replicas: n, Reason: "earlier", ChangedAt: at}
	}
	for _, tc := range []struct {
		name   string
		rec    *store.Autoscale
		h      workload.AutoscalerStatus
		ok     bool
		from   int
		reason string
	}{
		{"never rescaled: no decision", nil, hpa(2, 2, time.Time{}, cpu(40), active, within), false, 0, ""},
		{"first rescale", nil, hpa(2, 5, t0, cpu(175), active, within), true, 2, "cpu 175% over target 70% x 2 instances"},
		{"recorded already", rec(3, 5, t0), hpa(5, 5, t0, cpu(72), active, within), false, 0, ""},
		{"recorded already, seen mid-scale", rec(3, 5, t0), hpa(2, 5, t0, cpu(175), active, within), false, 0, ""},
		{"a new count", rec(3, 5, t0), hpa(5, 3, t0.Add(time.Minute), cpu(33.333), active, within), true, 5, "cpu 33.3% under target 70% x 5 instances"},
		{"the same count rescaled later (after drift)", rec(3, 5, t0), hpa(3, 5, t0.Add(time.Minute), cpu(120), active, within), true, 3, "cpu 120% over target 70% x 3 instances"},
		{"another revision's record", rec(2, 6, t0), hpa(4, 6, t0, cpu(100), active, within), true, 4, "cpu 100% over target 70% x 4 instances"},
		{"held by max", nil, hpa(5, 8, t0, cpu(240), active,
			workload.AutoscalerCondition{Type: workload.ConditionScalingLimited, Status: "True", Reason: "TooManyReplicas", Message: "the desired replica count is more than the maximum replica count"}),
			true, 5, "cpu 240% over target 70% x 5 instances; limited: the desired replica count is more than the maximum replica count (TooManyReplicas)"},
		{"not measuring, raised to min", nil, hpa(1, 2, t0, nil,
			workload.AutoscalerCondition{Type: workload.ConditionScalingActive, Status: "False", Reason: "FailedGetResourceMetric", Message: "unable to get metrics for resource cpu"},
			workload.AutoscalerCondition{Type: workload.ConditionScalingLimited, Status: "True", Reason: "TooFewReplicas", Message: "the desired replica count is less than the minimum replica count"}),
			true, 1, "not measuring: unable to get metrics for resource cpu (FailedGetResourceMetric); limited: the desired replica count is less than the minimum replica count (TooFewReplicas)"},
		{"no metric nor condition", nil, hpa(1, 2, t0, nil), true, 1, "HorizontalPodAutoscaler order-r3 chose 2 instances"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, data, ok := hpaDecision(tc.rec, tc.h)
			if ok != tc.ok {
				t.Fatalf("decision %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			want := store.Autoscale{Revision: 3, Replicas: tc.h.Desired, Reason: tc.reason, ChangedAt: tc.h.LastScaleTime}
			if got != want || data != (store.AutoscaledData{From: tc.from, To: tc.h.Desired, Reason: tc.reason}) {
				t.Fatalf("got %+v %+v\nwant %+v from %d", got, data, want, tc.from)
			}
		})
	}
}
