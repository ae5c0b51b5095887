package kube

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/slipway-dev/slipway/router"
)

// TestRemoveAppliedLeavesOthers: a take-down removes what Slipway
// applied for its environment (route, Deployment, Services) and nothing
// else: not another environment's objects in the same namespace, not an
// object someone made with Slipway's labels. Applying again afterwards
// writes everything again.
func TestRemoveAppliedLeavesOthers(t *testing.T) {
	prod, c, _ := namespace(t, sharedEnv(t))
	ctx := t.Context()
	staging := NewCluster(c, Target{App: "shop", Env: "staging", Namespace: prod.t.Namespace})
	r := orderRevision()
	for _, k := range []*Cluster{prod, staging} {
		r.Service = map[string]string{"prod": "order", "staging": "stage"}[k.t.Env]
		if err := k.ApplyRevision(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := k.ApplyRoute(ctx, router.Route{Service: r.Service, Weights: map[int]int{3: 100}}); err != nil {
			t.Fatal(err)
		}
	}
	// Someone's own Deployment, with Slipway's labels, made by kubectl create.
	foreign := &appsv1.Deployment{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: prod.t.Namespace, Name: "order-r3"}, foreign); err != nil {
		t.Fatal(err)
	}
	foreign = &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "copied", Namespace: prod.t.Namespace, Labels: foreign.Labels},
		Spec: *foreign.Spec.DeepCopy()}
	if err := c.Create(ctx, foreign, client.FieldOwner("kubectl-create")); err != nil {
		t.Fatal(err)
	}
	objs, err := prod.Applied(ctx)
	if err != nil || len(objs) != 4 { // the route, the Deployment, two Services
		t.Fatalf("Applied = %d objects (%v), want 4", len(objs), err)
	}
	if _, ok := objs[0].(*gwv1.HTTPRoute); !ok {
		t.Fatalf("the route is not first: %T", objs[0])
	}
	if err := prod.RemoveApplied(ctx); err != nil {
		t.Fatal(err)
	}
	if objs, err := prod.Applied(ctx); err != nil || len(objs) != 0 {
		t.Fatalf("after RemoveApplied: %d left (%v)", len(objs), err)
	}
	ns := prod.t.Namespace
	for _, o := range []client.Object{
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "stage-r3"}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "stage"}},
		&gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "stage"}},
		foreign,
	} {
		if err := c.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
			t.Errorf("%T %s removed: %v", o, o.GetName(), err)
		}
	}
	r.Service = "order"
	if err := prod.ApplyRevision(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, client.ObjectKey{Namespace: prod.t.Namespace, Name: "order-r3"}, &appsv1.Deployment{}); err != nil {
		t.Fatalf("applied again, not written: %v", err)
	}
}
