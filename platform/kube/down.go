package kube

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// appliedLists are the kinds Slipway applies, in the order a take-down
// deletes them: routes first, so that traffic leaves before the pods go,
// then HPAs, so that none resizes a Deployment being deleted.
func appliedLists() []client.ObjectList {
	return []client.ObjectList{&gwv1.HTTPRouteList{}, &autoscalingv2.HorizontalPodAutoscalerList{}, &appsv1.DeploymentList{}, &corev1.ServiceList{}, &corev1.SecretList{}}
}

// Applied lists what Slipway applied for the environment: objects with
// its labels whose fields the "slipway" field manager applied. An object
// that merely carries the labels is not Slipway's, and stays. It reads
// the API server, not the informers: a take-down must not miss one.
func (k *Cluster) Applied(ctx context.Context) ([]client.Object, error) {
	var out []client.Object
	for _, l := range appliedLists() {
		err := k.c.List(ctx, l, client.InNamespace(k.t.Namespace), k.selector(""))
		if meta.IsNoMatchError(err) {
			continue // no Gateway API: no route was applied
		}
		if err != nil {
			return nil, classify(err, fmt.Sprintf("list %T in %s", l, k.t.Namespace), k.t.Namespace)
		}
		items, err := meta.ExtractList(l)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if o, ok := it.(client.Object); ok && appliedBySlipway(o) {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

func appliedBySlipway(o client.Object) bool {
	for _, m := range o.GetManagedFields() {
		if m.Manager == FieldManager && m.Operation == metav1.ManagedFieldsOperationApply {
			return true
		}
	}
	return false
}

// RemoveApplied deletes what Applied lists, routes first, and forgets
// every write: an apply that brings the environment back writes
// everything again. Gone already is not an error.
func (k *Cluster) RemoveApplied(ctx context.Context) error {
	objs, err := k.Applied(ctx)
	if err != nil {
		return err
	}
	k.mu.Lock()
	for _, o := range objs {
		if _, ok := o.(*appsv1.Deployment); ok && k.cache != nil {
			k.deleted[o.GetName()] = true
		}
	}
	clear(k.sent)
	clear(k.replicas)
	clear(k.pending)
	clear(k.scaled)
	k.mu.Unlock()
	for _, o := range objs {
		if err := client.IgnoreNotFound(k.c.Delete(ctx, o, client.Preconditions{UID: new(o.GetUID())})); err != nil {
			return classify(err, fmt.Sprintf("delete %T %s/%s", o, k.t.Namespace, o.GetName()), k.t.Namespace)
		}
	}
	return nil
}
