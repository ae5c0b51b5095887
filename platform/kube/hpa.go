package kube

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	appsac "k8s.io/client-go/applyconfigurations/apps/v1"
	hpaac "k8s.io/client-go/applyconfigurations/autoscaling/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// HandoverManager is the field manager that holds a Deployment's
// replicas while their ownership passes between Slipway's apply and a
// HorizontalPodAutoscaler. Server-side apply resets a field its only
// manager stops applying (replicas would drop to 1), so before Slipway
// leaves replicas out this manager applies the current count: the field
// keeps its value until the HPA controller writes its own. Taking them
// back, it applies Slipway's count forced (the HPA is gone by then),
// then lets go.
const HandoverManager = "slipway-handover"

// HPA builds the HorizontalPodAutoscaler of an autoscaled revision: it
// targets the revision's Deployment, between Spec.Scale's min (or
// AutoscaleFloor, if higher) and max, on CPU. Spec.Scale's percentage is
// of one core or of resources.cpu: with resources.cpu (the pod's CPU
// request, equal to its limit) it is the HPA's Utilization, without it
// an AverageValue of that share of a core (Utilization needs a request).
// stabilization.up and .down become the behavior's stabilization
// windows; the policies are the API server's defaults.
func HPA(r Revision, namespace string) (*hpaac.HorizontalPodAutoscalerApplyConfiguration, error) {
	sc := r.Spec.Scale
	pct, ok := sc.Target.CPUPercent()
	if !ok {
		return nil, fmt.Errorf("%w: service %s: scale.target %s: a HorizontalPodAutoscaler scales on cpu only (requests need a metrics adapter)", ErrInvalid, r.Service, sc.Target)
	}
	target := hpaac.MetricTarget()
	if r.Spec.Resources.CPU > 0 {
		target.WithType(autoscalingv2.UtilizationMetricType).WithAverageUtilization(int32(math.Round(pct)))
	} else {
		target.WithType(autoscalingv2.AverageValueMetricType).WithAverageValue(milliCPU(pct))
	}
	spec := hpaac.HorizontalPodAutoscalerSpec().
		WithScaleTargetRef(hpaac.CrossVersionObjectReference().WithAPIVersion("apps/v1").WithKind("Deployment").WithName(r.Name())).
		WithMinReplicas(min(max(int32(sc.Min), 1, r.AutoscaleFloor), int32(sc.Max))).
		WithMaxReplicas(int32(sc.Max)).
		WithMetrics(hpaac.MetricSpec().WithType(autoscalingv2.ResourceMetricSourceType).
			WithResource(hpaac.ResourceMetricSource().WithName(corev1.ResourceCPU).WithTarget(target))).
		WithBehavior(hpaac.HorizontalPodAutoscalerBehavior().
			WithScaleUp(hpaac.HPAScalingRules().WithStabilizationWindowSeconds(wholeSeconds(sc.Stabilization.Up.Duration.Seconds()))).
			WithScaleDown(hpaac.HPAScalingRules().WithStabilizationWindowSeconds(wholeSeconds(sc.Stabilization.Down.Duration.Seconds()))))
	return hpaac.HorizontalPodAutoscaler(r.Name(), namespace).WithLabels(r.labels()).WithSpec(spec), nil
}

// milliCPU is pct percent of one core.
func milliCPU(pct float64) resource.Quantity {
	return *resource.NewMilliQuantity(int64(math.Round(pct*10)), resource.DecimalSI)
}

// holds reports whether obj is what this Cluster last applied as key;
// k.mu is held.
func (k *Cluster) holds(key string, obj any) bool {
	b, err := json.Marshal(obj)
	if err != nil {
		return false
	}
	was, ok := k.sent[key]
	return ok && was == sha256.Sum256(b)
}

// wholeSeconds rounds up to whole seconds, 0 allowed (an HPA's window).
func wholeSeconds(s float64) int32 { return int32(math.Ceil(s)) }

// applyAutoscaled writes an autoscaled revision's Deployment without
// replicas, handing them to its HPA first (see HandoverManager), then
// the HPA. The hand-over costs a read and a write, and only when the
// Deployment's form changed (a first write, a restart, drift).
func (k *Cluster) applyAutoscaled(ctx context.Context, r Revision, d *appsac.DeploymentApplyConfiguration) error {
	name := r.Name()
	hpa, err := HPA(r, k.t.Namespace)
	if err != nil {
		return err
	}
	k.mu.Lock()
	delete(k.replicas, name) // the HPA's count now: not drift, nor a write to wait for
	delete(k.pending, name)
	changed := !k.holds("Deployment/"+name, d)
	k.mu.Unlock()
	if changed {
		if err := k.handOver(ctx, r, d); err != nil {
			return err
		}
	}
	_, err = k.apply(ctx, "HorizontalPodAutoscaler", name, hpa, func() { k.scaled[name] = true })
	return err
}

// handOver applies the Deployment without replicas so that they keep
// their value: the hand-over manager applies the current count before
// (a new Deployment: r.Replicas, after it is created at the default 1).
func (k *Cluster) handOver(ctx context.Context, r Revision, d *appsac.DeploymentApplyConfiguration) error {
	name := r.Name()
	var cur appsv1.Deployment
	err := k.c.Get(ctx, client.ObjectKey{Namespace: k.t.Namespace, Name: name}, &cur)
	if err != nil && !apierrors.IsNotFound(err) {
		return classify(err, fmt.Sprintf("read Deployment %s/%s", k.t.Namespace, name), k.t.Namespace)
	}
	exists := err == nil
	if exists {
		if err := k.applyReplicas(ctx, name, replicasOf(&cur), false); err != nil {
			return err
		}
	}
	if _, err := k.apply(ctx, "Deployment", name, d, func() { delete(k.deleted, name) }); err != nil {
		return err
	}
	if !exists {
		return k.applyReplicas(ctx, name, r.Replicas, false)
	}
	return nil
}

// applyReplicas applies only a Deployment's replicas as HandoverManager.
func (k *Cluster) applyReplicas(ctx context.Context, name string, n int32, force bool) error {
	opts := []client.ApplyOption{client.FieldOwner(HandoverManager)}
	if force {
		opts = append(opts, client.ForceOwnership)
	}
	cfg := appsac.Deployment(name, k.t.Namespace).WithSpec(appsac.DeploymentSpec().WithReplicas(n))
	if err := k.c.Apply(ctx, cfg, opts...); err != nil {
		return classify(err, fmt.Sprintf("hand over replicas of Deployment %s/%s", k.t.Namespace, name), k.t.Namespace)
	}
	return nil
}

// takeBack makes Slipway size a revision its HPA sized (a rollout
// begins, and the revision shrinks step by step): the HPA is deleted,
// so its controller writes no more, then the hand-over manager takes
// replicas at Slipway's count (forced: the HPA controller's write is
// what it replaces, by Slipway's own choice), Slipway's apply shares
// them at the same count, and the hand-over manager lets go. It does
// nothing for a revision with no HPA.
func (k *Cluster) takeBack(ctx context.Context, r Revision) (bool, error) {
	name := r.Name()
	k.mu.Lock()
	had, known := k.scaled[name]
	k.mu.Unlock()
	if !known {
		err := k.c.Get(ctx, client.ObjectKey{Namespace: k.t.Namespace, Name: name}, &autoscalingv2.HorizontalPodAutoscaler{})
		if err != nil && !apierrors.IsNotFound(err) {
			return false, classify(err, fmt.Sprintf("read HorizontalPodAutoscaler %s/%s", k.t.Namespace, name), k.t.Namespace)
		}
		had = err == nil
	}
	if !had {
		k.mu.Lock()
		k.scaled[name] = false
		k.mu.Unlock()
		return false, nil
	}
	if err := k.deleteHPA(ctx, name); err != nil {
		return false, err
	}
	k.forget("Deployment/" + name)
	return true, k.applyReplicas(ctx, name, r.Replicas, true)
}

// letGo releases every field the hand-over manager holds on a
// Deployment (an empty apply), once Slipway's apply shares them.
func (k *Cluster) letGo(ctx context.Context, name string) error {
	if err := k.c.Apply(ctx, appsac.Deployment(name, k.t.Namespace), client.FieldOwner(HandoverManager)); err != nil {
		return classify(err, fmt.Sprintf("release replicas of Deployment %s/%s", k.t.Namespace, name), k.t.Namespace)
	}
	return nil
}

// deleteHPA deletes a revision's HPA; gone already is not an error.
func (k *Cluster) deleteHPA(ctx context.Context, name string) error {
	k.mu.Lock()
	delete(k.sent, "HorizontalPodAutoscaler/"+name)
	k.scaled[name] = false
	k.mu.Unlock()
	hpa := &autoscalingv2.HorizontalPodAutoscaler{}
	hpa.SetNamespace(k.t.Namespace)
	hpa.SetName(name)
	if err := client.IgnoreNotFound(k.c.Delete(ctx, hpa)); err != nil {
		k.mu.Lock()
		delete(k.scaled, name)
		k.mu.Unlock()
		return classify(err, fmt.Sprintf("delete HorizontalPodAutoscaler %s/%s", k.t.Namespace, name), k.t.Namespace)
	}
	return nil
}
