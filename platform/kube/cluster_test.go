package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	appsac "k8s.io/client-go/applyconfigurations/apps/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/workload"
)

var nsCount atomic.Int64

// namespace creates a fresh namespace and returns a Cluster on it.
func namespace(t *testing.T, cfg *rest.Config) (*Cluster, client.Client, *atomic.Int64) {
	t.Helper()
	c, n := newClient(t, cfg)
	name := fmt.Sprintf("shop-%d", nsCount.Add(1))
	if err := c.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
		t.Fatal(err)
	}
	n.Store(0)
	return NewCluster(c, Target{App: "shop", Env: "prod", Namespace: name, Gateway: target.Gateway}), c, n
}

// TestApplyRevisionWritesObjects: a revision becomes its Deployment,
// its Service and the stable Service, labelled and owned by the
// "slipway" field manager; applying it again unchanged sends nothing,
// and a new replica count is one request.
func TestApplyRevisionWritesObjects(t *testing.T) {
	k, c, n := namespace(t, sharedEnv(t))
	ctx := context.Background()
	r := orderRevision()
	if err := k.ApplyRevision(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 3 {
		t.Errorf("first apply sent %d requests, want 3 (one per object)", got)
	}
	var d appsv1.Deployment
	if err := c.Get(ctx, client.ObjectKey{Namespace: k.t.Namespace, Name: "order-r3"}, &d); err != nil {
		t.Fatal(err)
	}
	if d.Labels[LabelRevision] != "3" || d.Labels[LabelEnvironment] != "prod" || *d.Spec.Replicas != 1 {
		t.Errorf("Deployment: labels %v replicas %d", d.Labels, *d.Spec.Replicas)
	}
	if m := d.ManagedFields; len(m) != 1 || m[0].Manager != FieldManager || m[0].Operation != metav1.ManagedFieldsOperationApply {
		t.Errorf("managed fields: %+v", m)
	}
	for _, name := range []string{"order-r3", "order"} {
		if err := c.Get(ctx, client.ObjectKey{Namespace: k.t.Namespace, Name: name}, &corev1.Service{}); err != nil {
			t.Errorf("Service %s: %v", name, err)
		}
	}
	n.Store(0)
	if err := k.ApplyRevision(ctx, r); err != nil || n.Load() != 0 {
		t.Errorf("unchanged apply: err %v, %d requests, want none", err, n.Load())
	}
	r.Replicas = 4
	if err := k.ApplyRevision(ctx, r); err != nil || n.Load() != 1 {
		t.Errorf("scale: err %v, %d requests, want 1", err, n.Load())
	}
	// A restarted server (a new Cluster) finds the revision by label.
	c2, _ := newClient(t, sharedEnv(t))
	got, err := NewCluster(c2, k.t).Revisions(ctx, "")
	if err != nil || len(got) != 1 || got[0].Service != "order" || got[0].Revision != 3 || got[0].Replicas != 4 {
		t.Fatalf("Revisions = %+v, %v", got, err)
	}
}

// TestApplyConflictIsReported: a field another manager owns is not
// overwritten; the error names the manager, the object keeps its value.
func TestApplyConflictIsReported(t *testing.T) {
	k, c, _ := namespace(t, sharedEnv(t))
	ctx := context.Background()
	r := orderRevision()
	if err := k.ApplyRevision(ctx, r); err != nil {
		t.Fatal(err)
	}
	// An operator scales it with kubectl's server-side apply.
	ops := appsac.Deployment("order-r3", k.t.Namespace).WithSpec(appsac.DeploymentSpec().WithReplicas(7))
	if err := c.Apply(ctx, ops, client.FieldOwner("kubectl"), client.ForceOwnership); err != nil {
		t.Fatal(err)
	}
	r.Replicas = 2
	err := k.ApplyRevision(ctx, r)
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), `"kubectl"`) || !strings.Contains(err.Error(), "does not force") {
		t.Fatalf("err = %v, want a conflict naming kubectl", err)
	}
	var d appsv1.Deployment
	if err := c.Get(ctx, client.ObjectKey{Namespace: k.t.Namespace, Name: "order-r3"}, &d); err != nil || *d.Spec.Replicas != 7 {
		t.Fatalf("replicas %d (%v), want kubectl's 7", *d.Spec.Replicas, err)
	}
}

// TestCanaryStepsRouteWeights: the canary's steps, as the traffic
// policy gives them, are re-applied as the whole route; the route read
// back has each step's weights, one request per step.
func TestCanaryStepsRouteWeights(t *testing.T) {
	k, c, n := namespace(t, sharedEnv(t))
	ctx := context.Background()
	for _, w := range []int{10, 50, 100} {
		n.Store(0)
		r := router.Route{Service: "order", Host: "order.example.com", Weights: map[int]int{3: 100 - w, 4: w}}
		if err := k.ApplyRoute(ctx, r); err != nil {
			t.Fatal(err)
		}
		if n.Load() != 1 {
			t.Errorf("step %d%%: %d requests, want 1", w, n.Load())
		}
		var hr gwv1.HTTPRoute
		if err := c.Get(ctx, client.ObjectKey{Namespace: k.t.Namespace, Name: "order"}, &hr); err != nil {
			t.Fatal(err)
		}
		refs := hr.Spec.Rules[len(hr.Spec.Rules)-1].BackendRefs
		if len(refs) != 2 || *refs[0].Weight != int32(100-w) || *refs[1].Weight != int32(w) || refs[1].Name != "order-r4" {
			t.Fatalf("step %d%%: backendRefs %+v", w, refs)
		}
		if p := hr.Spec.ParentRefs; len(p) != 1 || p[0].Name != "public" || *p[0].Namespace != "infra" {
			t.Fatalf("parentRefs %+v", p)
		}
	}
}

// TestInstancesArePods: pods of a revision (made and given a status as
// a kubelet would) are its instances: node, readiness, restarts.
func TestInstancesArePods(t *testing.T) {
	k, c, _ := namespace(t, sharedEnv(t))
	ctx := context.Background()
	r := orderRevision()
	r.App, r.Env = "shop", "prod"
	for i, ready := range []bool{true, false} {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("order-r3-%d", i), Namespace: k.t.Namespace, Labels: r.labels()},
			Spec: corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{{Name: "order", Image: r.Spec.Image}}}}
		if err := c.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		st := corev1.ConditionFalse
		if ready {
			st = corev1.ConditionTrue
		}
		p.Status = corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "order", RestartCount: int32(i * 2)}}}
		if err := c.Status().Update(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := k.Instances(ctx, "order")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Ready || got[1].Ready || got[1].Restarts != 2 || got[0].Node != "node-a" || got[0].Revision != 3 {
		t.Fatalf("instances %+v", got)
	}
}

// TestBadClusterInput: what a person must fix is said by kind, and
// nothing is written.
func TestBadClusterInput(t *testing.T) {
	cfg := sharedEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := orderRevision()

	t.Run("namespace missing", func(t *testing.T) {
		c, _ := newClient(t, cfg)
		err := NewCluster(c, Target{App: "shop", Env: "prod", Namespace: "nope"}).ApplyRevision(ctx, r)
		if !errors.Is(err, ErrNoNamespace) || !strings.Contains(err.Error(), "kubectl create namespace nope") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("tag where a digest is required", func(t *testing.T) {
		k, c, n := namespace(t, cfg)
		r := orderRevision()
		r.Spec.Image = "registry.example/shop/order:v1"
		if err := k.ApplyRevision(ctx, r); !errors.Is(err, ErrInvalid) || n.Load() != 0 {
			t.Fatalf("err = %v, %d requests", err, n.Load())
		}
		var l appsv1.DeploymentList
		if err := c.List(ctx, &l, client.InNamespace(k.t.Namespace)); err != nil || len(l.Items) != 0 {
			t.Fatalf("deployments %d, %v", len(l.Items), err)
		}
	})
	t.Run("credentials refused", func(t *testing.T) {
		bad := rest.AnonymousClientConfig(cfg)
		bad.BearerToken = "not-a-token"
		c, _ := newClient(t, bad)
		err := NewCluster(c, Target{App: "shop", Env: "prod", Namespace: "default"}).ApplyRevision(ctx, r)
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("RBAC forbids", func(t *testing.T) {
		u, err := shared.Env().AddUser(envtest.User{Name: "viewer"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := newClient(t, u.Config())
		err = NewCluster(c, Target{App: "shop", Env: "prod", Namespace: "default"}).ApplyRevision(ctx, r)
		if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "slipway kube manifests") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("cluster unreachable", func(t *testing.T) {
		down := rest.CopyConfig(cfg)
		down.Host = "https://127.0.0.1:1"
		down.Timeout = 2 * time.Second
		c, err := client.New(down, client.Options{Scheme: kubetest.Scheme()})
		if err != nil {
			// The mapper discovers lazily; a client that cannot even be
			// built is the same error, said earlier.
			if e := classify(err, "connect", "default"); !errors.Is(e, ErrUnavailable) {
				t.Fatalf("err = %v", e)
			}
			return
		}
		err = NewCluster(c, Target{App: "shop", Env: "prod", Namespace: "default"}).ApplyRevision(ctx, r)
		if !errors.Is(err, ErrUnavailable) || !Retryable(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestNoGatewayAPI: a cluster without Gateway API's CRDs says so, and
// what to do, naming the replica fallback; revisions still apply, and
// split by replicas a route is the stable Service's selector.
func TestNoGatewayAPI(t *testing.T) {
	e, cfg, err := kubetest.Start(kubetest.Assets(t), false)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	c, _ := newClient(t, cfg)
	k := NewCluster(c, Target{App: "shop", Env: "prod", Namespace: "default", Gateway: target.Gateway})
	ctx := context.Background()
	if err := k.ApplyRevision(ctx, orderRevision()); err != nil {
		t.Fatal(err)
	}
	err = k.ApplyRoute(ctx, router.Route{Service: "order", Weights: map[int]int{3: 100}})
	if !errors.Is(err, ErrNoGatewayAPI) || !strings.Contains(err.Error(), "platform.kubernetes.traffic: replicas") {
		t.Fatalf("err = %v, want it to name the replica fallback", err)
	}

	// The fallback: no HTTPRoute, the stable Service's selector splits.
	k = NewCluster(c, Target{App: "shop", Env: "prod", Namespace: "default", ByReplicas: true})
	if err := k.ApplyRevision(ctx, orderRevision()); err != nil {
		t.Fatal(err)
	}
	if err := k.ApplyRoute(ctx, router.Route{Service: "order", Weights: map[int]int{3: 100}}); err != nil {
		t.Fatal(err)
	}
	var s corev1.Service
	if err := c.Get(ctx, client.ObjectKey{Namespace: "default", Name: "order"}, &s); err != nil || s.Spec.Selector[LabelRevision] != "3" {
		t.Fatalf("stable Service selects %v (%v), want revision 3's pods", s.Spec.Selector, err)
	}
}

// TestDriftIsPutBack: a Deployment deleted behind Slipway's back, or
// scaled by someone else, is written again at the next Deploy after an
// Observe, though the write cache had it as sent.
func TestDriftIsPutBack(t *testing.T) {
	k, c, n := namespace(t, sharedEnv(t))
	ctx := context.Background()
	r := workload.Revision{Service: "order", Number: 3, Spec: orderRevision().Spec, Replicas: 2}
	if err := k.Deploy(ctx, r); err != nil {
		t.Fatal(err)
	}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: k.t.Namespace, Name: "order-r3"}}
	if err := c.Delete(ctx, d); err != nil {
		t.Fatal(err)
	}
	obs, err := k.Observe(ctx, "order")
	if err != nil || len(obs) != 0 {
		t.Fatalf("Observe = %+v, %v; want nothing", obs, err)
	}
	n.Store(0)
	if err := k.Deploy(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("%d requests, want 2 (the Deployment and its Service)", got)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(d), d); err != nil || *d.Spec.Replicas != 2 {
		t.Fatalf("Deployment not written again: %v", err)
	}
	obs, err = k.Observe(ctx, "order")
	if err != nil || len(obs) != 1 || obs[0].Replicas != 2 || obs[0].Settled {
		t.Fatalf("Observe = %+v, %v; want revision 3 at 2 replicas, not settled", obs, err)
	}
	if err := kubetest.SetAvailable(ctx, c, k.t.Namespace, "order-r3", 2); err != nil {
		t.Fatal(err)
	}
	obs, err = k.Observe(ctx, "order")
	if err != nil || len(obs) != 1 || !obs[0].Settled || obs[0].Available != 2 {
		t.Fatalf("Observe = %+v, %v; want 2 available, settled", obs, err)
	}
}
