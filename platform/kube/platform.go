package kube

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/workload"
)

// Cluster is the platform of a Kubernetes environment: the rollout
// controller drives it as it drives processes on one machine.
var _ workload.Platform = (*Cluster)(nil)

// Deploy implements workload.Platform: the revision's Deployment (at
// r.Replicas, or an autoscaled one's HorizontalPodAutoscaler), its
// Service and the stable Service.
func (k *Cluster) Deploy(ctx context.Context, r workload.Revision) error {
	return k.ApplyRevision(ctx, Revision{Service: r.Service, Number: r.Number, Spec: r.Spec,
		Replicas: int32(r.Replicas), MinReady: r.MinReady, SecretEnv: r.SecretEnv,
		Autoscaled: r.Autoscaled, AutoscaleFloor: int32(r.AutoscaleFloor)})
}

// Route implements workload.Platform: the service's HTTPRoute.
func (k *Cluster) Route(ctx context.Context, r router.Route) error { return k.ApplyRoute(ctx, r) }

// SplitsByReplicas reports whether traffic is split by pod counts
// behind the stable Service (traffic: replicas) rather than by an
// HTTPRoute's weights: a canary's weight is then approximate (the
// rollout controller states the effective one).
func (k *Cluster) SplitsByReplicas() bool { return k.t.ByReplicas }

// Observe implements workload.Platform from the service's Deployments.
// A Deployment this Cluster wrote that is gone, or whose replicas
// someone else changed, is forgotten by the write cache, so the next
// Deploy writes it again (level-triggered: the cluster's drift is put
// back): read directly, by comparing; watched, by the informers' events
// (see Watch), and the cache's lag behind this Cluster's own writes is
// made up by ownWrites.
func (k *Cluster) Observe(ctx context.Context, service string) ([]workload.RevisionStatus, error) {
	ds, err := k.Revisions(ctx, service)
	if err != nil {
		return nil, err
	}
	if k.synced.Load() {
		ds = k.ownWrites(service, ds)
	} else {
		seen := map[string]int32{}
		for _, d := range ds {
			seen[RevisionName(d.Service, d.Revision)] = d.Replicas
		}
		k.forgetDrift(service, seen)
	}
	out := make([]workload.RevisionStatus, 0, len(ds))
	for _, d := range ds {
		out = append(out, workload.RevisionStatus{Revision: d.Revision, Replicas: int(d.Replicas),
			Available: int(d.Available), Settled: d.Settled()})
	}
	return out, nil
}

// Delete implements workload.Platform.
func (k *Cluster) Delete(ctx context.Context, service string, revision int) error {
	return k.DeleteRevision(ctx, service, revision)
}

// Remove implements workload.Platform: the service's HTTPRoute and
// stable Service. A cluster without Gateway API has no route to remove.
func (k *Cluster) Remove(ctx context.Context, service string) error {
	for _, o := range []client.Object{&gwv1.HTTPRoute{}, &corev1.Service{}} {
		o.SetName(service)
		o.SetNamespace(k.t.Namespace)
		err := client.IgnoreNotFound(k.c.Delete(ctx, o))
		if err != nil && !meta.IsNoMatchError(err) {
			return classify(err, fmt.Sprintf("delete %T %s/%s", o, k.t.Namespace, service), k.t.Namespace)
		}
	}
	k.forget("HTTPRoute/" + service)
	k.forget("Service/" + service)
	return nil
}
