package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/spec"
)

// scaledRevision is orderRevision with a scale section on CPU.
func scaledRevision() Revision {
	r := orderRevision()
	r.Spec.Instances = nil
	r.Spec.Scale = &spec.Scale{Min: 2, Max: 6, Target: spec.ScaleTarget{CPU: "70%"},
		Stabilization: spec.Stabilization{Up: spec.Duration{Duration: 30 * time.Second}, Down: spec.Duration{Duration: 2 * time.Minute}}}
	return r
}

// TestHPA checks where the scale section lands: each row is a fragment
// the HPA's JSON must hold.
func TestHPA(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Revision)
		want []string
	}{
		{"utilization of the CPU request", func(*Revision) {}, []string{
			`"kind":"HorizontalPodAutoscaler","apiVersion":"autoscaling/v2","metadata":{"name":"order-r3","namespace":"shop"`,
			`"slipway.dev/revision":"3"`, `"app.kubernetes.io/managed-by":"slipway"`,
			`"scaleTargetRef":{"kind":"Deployment","name":"order-r3","apiVersion":"apps/v1"}`,
			`"minReplicas":2,"maxReplicas":6`,
			`"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}}]`,
			`"behavior":{"scaleUp":{"stabilizationWindowSeconds":30},"scaleDown":{"stabilizationWindowSeconds":120}}`,
		}},
		{"a share of a core without a request", func(r *Revision) { r.Spec.Resources.CPU = 0 }, []string{
			`"target":{"type":"AverageValue","averageValue":"700m"}`,
		}},
		{"a canary's stable keeps its count", func(r *Revision) { r.AutoscaleFloor = 4 }, []string{`"minReplicas":4,"maxReplicas":6`}},
		{"the floor stays within max", func(r *Revision) { r.AutoscaleFloor = 9 }, []string{`"minReplicas":6,"maxReplicas":6`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := scaledRevision()
			tc.edit(&r)
			h, err := HPA(r, "shop")
			if err != nil {
				t.Fatal(err)
			}
			got := jsonOf(t, h)
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("HPA lacks %s\n%s", want, got)
				}
			}
		})
	}
	r := scaledRevision()
	r.Spec.Scale.Target = spec.ScaleTarget{Concurrency: 10}
	if _, err := HPA(r, "shop"); err == nil || !strings.Contains(err.Error(), "cpu only") {
		t.Errorf("a concurrency target: %v, want refused", err)
	}
	r.Autoscaled = true
	d, _ := Deployment(r, "shop")
	if got := jsonOf(t, d); strings.Contains(got, `"replicas"`) {
		t.Errorf("an autoscaled Deployment names replicas: %s", got)
	}
}

// TestHPAOwnsReplicas runs the hand-over on a real API server: a
// revision Slipway sized (a canary's candidate) becomes autoscaled at
// promotion, its HPA is written and its replicas keep their value; the
// HPA controller (played here, as envtest runs none) rescales it, and
// Slipway's next applies, from this server or a restarted one, neither
// reset the count nor conflict; a new rollout takes the revision back
// (HPA deleted, Slipway's counts apply again without conflict), and the
// HPA goes with its revision.
func TestHPAOwnsReplicas(t *testing.T) {
	k, c, _ := namespace(t, sharedEnv(t))
	ctx := context.Background()
	ns := k.t.Namespace
	r := scaledRevision()
	r.Replicas = 3
	if err := k.ApplyRevision(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Autoscaled = true
	if err := k.ApplyRevision(ctx, r); err != nil {
		t.Fatalf("hand over to the HPA: %v", err)
	}
	var hpa autoscalingv2.HorizontalPodAutoscaler
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "order-r3"}, &hpa); err != nil {
		t.Fatal(err)
	}
	if s := hpa.Spec; *s.MinReplicas != 2 || s.MaxReplicas != 6 || s.ScaleTargetRef.Name != "order-r3" ||
		*s.Behavior.ScaleDown.StabilizationWindowSeconds != 120 || *s.Behavior.ScaleUp.StabilizationWindowSeconds != 30 ||
		*s.Metrics[0].Resource.Target.AverageUtilization != 70 || hpa.Labels[LabelEnvironment] != "prod" {
		t.Errorf("HPA spec %+v labels %v", s, hpa.Labels)
	}
	if got := deploymentReplicas(t, c, ns); got != 3 {
		t.Fatalf("after the hand-over replicas are %d, want 3 (kept, not reset to 1)", got)
	}
	if owns(t, c, ns, FieldManager) {
		t.Error("slipway still owns spec.replicas of an autoscaled Deployment")
	}

	// The HPA controller rescales through the scale subresource.
	var d appsv1.Deployment
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "order-r3"}, &d); err != nil {
		t.Fatal(err)
	}
	scale := &autoscalingv1.Scale{Spec: autoscalingv1.ScaleSpec{Replicas: 5}}
	if err := c.SubResource("scale").Update(ctx, &d, client.WithSubResourceBody(scale), client.FieldOwner("kube-controller-manager")); err != nil {
		t.Fatal(err)
	}
	r.AutoscaleFloor = 3 // a change: this Cluster writes again
	if err := k.ApplyRevision(ctx, r); err != nil {
		t.Fatalf("apply after the HPA rescaled: %v", err)
	}
	restarted := NewCluster(c, k.t) // remembers nothing: writes everything again
	if err := restarted.ApplyRevision(ctx, r); err != nil {
		t.Fatalf("a restarted server's apply: %v", err)
	}
	if got := deploymentReplicas(t, c, ns); got != 5 {
		t.Fatalf("Slipway's applies reset the HPA's 5 replicas to %d", got)
	}

	// A new rollout: Slipway sizes the revision again.
	r.Autoscaled, r.Replicas = false, 4
	if err := restarted.ApplyRevision(ctx, r); err != nil {
		t.Fatalf("take back: %v", err)
	}
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "order-r3"}, &autoscalingv2.HorizontalPodAutoscaler{}); !apierrors.IsNotFound(err) {
		t.Errorf("HPA after take back: %v, want deleted", err)
	}
	r.Replicas = 1
	if err := restarted.ApplyRevision(ctx, r); err != nil {
		t.Fatalf("shrink after take back: %v", err)
	}
	if got := deploymentReplicas(t, c, ns); got != 1 || owns(t, c, ns, HandoverManager) {
		t.Errorf("replicas %d (want 1), hand-over manager still owns them: %v", got, owns(t, c, ns, HandoverManager))
	}

	r.Autoscaled = true
	if err := restarted.ApplyRevision(ctx, r); err != nil {
		t.Fatal(err)
	}
	applied, err := restarted.Applied(ctx)
	if err != nil || !hasHPA(applied) {
		t.Errorf("Applied (what down deletes) lacks the HPA: %v", err)
	}
	if err := restarted.DeleteRevision(ctx, "order", 3); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "order-r3"}, &autoscalingv2.HorizontalPodAutoscaler{}); !apierrors.IsNotFound(err) {
		t.Errorf("HPA after its revision was deleted: %v", err)
	}
}

func deploymentReplicas(t *testing.T, c client.Client, ns string) int32 {
	t.Helper()
	var d appsv1.Deployment
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "order-r3"}, &d); err != nil {
		t.Fatal(err)
	}
	return replicasOf(&d)
}

// owns reports whether manager owns order-r3's spec.replicas.
func owns(t *testing.T, c client.Client, ns, manager string) bool {
	t.Helper()
	var d appsv1.Deployment
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "order-r3"}, &d); err != nil {
		t.Fatal(err)
	}
	for _, m := range d.ManagedFields {
		if m.Manager == manager && m.FieldsV1 != nil && strings.Contains(string(m.FieldsV1.Raw), `"f:replicas"`) {
			return true
		}
	}
	return false
}

func hasHPA(objs []client.Object) bool {
	for _, o := range objs {
		if _, ok := o.(*autoscalingv2.HorizontalPodAutoscaler); ok {
			return true
		}
	}
	return false
}

// TestManifestsAutoscaled: `slipway kube manifests` shows an autoscaled
// revision's Deployment without replicas, then its HPA.
func TestManifestsAutoscaled(t *testing.T) {
	r := scaledRevision()
	r.Autoscaled = true
	got, err := Manifests(target, []Revision{r}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	dep, hpa := strings.Index(s, "kind: Deployment"), strings.Index(s, "kind: HorizontalPodAutoscaler")
	if dep < 0 || hpa < dep || strings.Contains(s, "replicas: 1\n") || !strings.Contains(s, "maxReplicas: 6") {
		t.Fatalf("manifests of an autoscaled revision:\n%s", s)
	}
}
