package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/workload"
)

// changes records the services a watched Cluster says changed.
type changes struct {
	mu  sync.Mutex // guards got
	got map[string]int
}

func (c *changes) changed(service string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got[service]++
}

func (c *changes) count(service string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got[service]
}

// watched returns a Watched Cluster on a fresh namespace, its informers
// synced, the count of its requests, the test's own client and the
// changes it reported.
func watched(t *testing.T) (*Cluster, *atomic.Int64, client.Client, *changes) {
	t.Helper()
	cfg := sharedEnv(t)
	c, _ := newClient(t, cfg)
	name := fmt.Sprintf("watch-%d", nsCount.Add(1))
	if err := c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
		t.Fatal(err)
	}
	ch := &changes{got: map[string]int{}}
	k, n := watchOn(t, Target{App: "shop", Env: "prod", Namespace: name, Gateway: target.Gateway}, ch.changed)
	return k, n, c, ch
}

// watchOn returns a Watched Cluster of tgt on the shared API server,
// its informers synced and running until the test ends, telling
// changed of the services that change, and the count of its requests.
func watchOn(t *testing.T, tgt Target, changed func(service string)) (*Cluster, *atomic.Int64) {
	t.Helper()
	counted, n := kubetest.Counting(sharedEnv(t))
	k, err := Watched(counted, tgt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- k.Watch(ctx, changed) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	kubetest.Eventually(t, "informers synced", func() bool { return k.synced.Load() })
	return k, n
}

func observe(t *testing.T, k *Cluster) []workload.RevisionStatus {
	t.Helper()
	obs, err := k.Observe(t.Context(), "order")
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

// TestWatchedCanaryStepReadsNothing: once its informers synced, a
// watched Cluster reads from them: a canary step (the candidate scaled,
// the route's weights moved, then any number of passes observing) costs
// one apply per changed object and no read. Its own writes count at
// once, before the cache has them; readiness arrives by the informers,
// which say which service changed.
func TestWatchedCanaryStepReadsNothing(t *testing.T) {
	k, n, c, ch := watched(t)
	ctx := t.Context()
	spec := orderRevision().Spec
	n.Store(0)
	for _, r := range []workload.Revision{{Service: "order", Number: 3, Spec: spec, Replicas: 4}, {Service: "order", Number: 4, Spec: spec, Replicas: 1}} {
		if err := k.Deploy(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if obs := observe(t, k); fmt.Sprint(obs) != "[{3 4 0 false} {4 1 0 false}]" {
		t.Fatalf("right after the writes: %v, want both revisions at their written replicas, not settled", obs)
	}
	if got := n.Load(); got != 5 { // 2 Deployments, 2 revision Services, the stable Service
		t.Fatalf("%d requests for two revisions, want 5 (one apply per object)", got)
	}
	for _, rev := range []string{"order-r3", "order-r4"} {
		if err := kubetest.SetAvailable(ctx, c, k.t.Namespace, rev, map[string]int32{"order-r3": 4, "order-r4": 1}[rev]); err != nil {
			t.Fatal(err)
		}
	}
	kubetest.Eventually(t, "readiness seen", func() bool { return fmt.Sprint(observe(t, k)) == "[{3 4 4 true} {4 1 1 true}]" })
	if ch.count("order") == 0 {
		t.Fatal("no change reported for order")
	}

	n.Store(0)
	if err := k.Route(ctx, router.Route{Service: "order", Weights: map[int]int{3: 50, 4: 50}}); err != nil {
		t.Fatal(err)
	}
	if err := k.Deploy(ctx, workload.Revision{Service: "order", Number: 4, Spec: spec, Replicas: 2}); err != nil {
		t.Fatal(err)
	}
	for range 10 { // passes until the step settles
		observe(t, k)
	}
	if obs := observe(t, k); obs[1].Replicas != 2 || obs[1].Settled {
		t.Fatalf("after the step: %v, want revision 4 at 2, not settled", obs)
	}
	if got := n.Load(); got != 2 {
		t.Fatalf("canary step: %d requests, want 2 (the route and the candidate's Deployment)", got)
	}
	t.Logf("canary step on a watched cluster: %d requests", n.Load())
}

// TestWatchedDriftIsPutBack: objects deleted or rescaled behind
// Slipway's back are seen by the informers, which say so; the next pass
// writes them again.
func TestWatchedDriftIsPutBack(t *testing.T) {
	k, n, c, ch := watched(t)
	ctx := t.Context()
	r := workload.Revision{Service: "order", Number: 3, Spec: orderRevision().Spec, Replicas: 2}
	route := router.Route{Service: "order", Weights: map[int]int{3: 100}}
	if err := k.Deploy(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := k.Route(ctx, route); err != nil {
		t.Fatal(err)
	}
	kubetest.Eventually(t, "the Deployment cached", func() bool { return k.cached("order-r3") })
	before := ch.count("order")
	gone := []client.Object{
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: k.t.Namespace, Name: "order-r3"}},
		&gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: k.t.Namespace, Name: "order"}},
	}
	for _, o := range gone {
		if err := c.Delete(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	kubetest.Eventually(t, "the deletions seen", func() bool { return len(observe(t, k)) == 0 && ch.count("order") >= before+2 })
	n.Store(0)
	if err := k.Deploy(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := k.Route(ctx, route); err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 3 {
		t.Fatalf("%d requests, want 3: the Deployment, its Service (the cache forgot both) and the route", got)
	}
	for _, o := range gone {
		if err := c.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
			t.Fatalf("not written again: %v", err)
		}
	}
}

// TestWatchedDeleteIsNotDrift: a revision this Cluster deleted is gone
// from Observe at once, and its deletion seen later is not drift.
func TestWatchedDeleteIsNotDrift(t *testing.T) {
	k, n, _, _ := watched(t)
	ctx := t.Context()
	r := workload.Revision{Service: "order", Number: 3, Spec: orderRevision().Spec, Replicas: 2}
	if err := k.Deploy(ctx, r); err != nil {
		t.Fatal(err)
	}
	kubetest.Eventually(t, "the Deployment cached", func() bool { return k.cached("order-r3") })
	if err := k.Delete(ctx, "order", 3); err != nil {
		t.Fatal(err)
	}
	if obs := observe(t, k); len(obs) != 0 {
		t.Fatalf("right after the delete: %v", obs)
	}
	kubetest.Eventually(t, "the deletion seen", func() bool { return k.deletedCount() == 0 })
	n.Store(0)
	for range 5 {
		observe(t, k)
	}
	if got := n.Load(); got != 0 {
		t.Fatalf("%d requests for passes after a delete, want none", got)
	}
}

// cached reports whether the informers hold Deployment name.
func (k *Cluster) cached(name string) bool {
	return k.cache.Get(context.Background(), client.ObjectKey{Namespace: k.t.Namespace, Name: name}, &appsv1.Deployment{}) == nil
}

func (k *Cluster) deletedCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.deleted)
}

// TestPodStatusAndLogs: pods (made and given a status as a kubelet
// would) are read from the informers as instances, with why a container
// does not run. Their logs go through the API server to the pod's
// kubelet: envtest runs none, so what is tested is that each way of not
// getting them says why, by kind.
func TestPodStatusAndLogs(t *testing.T) {
	k, n, c, _ := watched(t)
	ctx := t.Context()
	r := orderRevision()
	r.App, r.Env = "shop", "prod"
	statuses := []corev1.PodStatus{
		{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "order", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}},
		{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "order", RestartCount: 3,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"}}}}},
	}
	for i, st := range statuses {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("order-r3-%d", i), Namespace: k.t.Namespace, Labels: r.labels()},
			Spec: corev1.PodSpec{NodeName: []string{"node-a", ""}[i], Containers: []corev1.Container{{Name: "order", Image: r.Spec.Image}}}}
		if err := c.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.Status = st
		if err := c.Status().Update(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	var got []Instance
	kubetest.Eventually(t, "pods' status seen", func() bool {
		var err error
		got, err = k.Instances(ctx, "order")
		return err == nil && len(got) == 2 && got[1].Restarts == 3
	})
	n.Store(0)
	got, _ = k.Instances(ctx, "order")
	if n.Load() != 0 {
		t.Errorf("status read %d requests, want none (informers)", n.Load())
	}
	if !got[0].Ready || got[0].Node != "node-a" || got[0].Message != "" || got[1].Ready ||
		got[1].Message != "order: ImagePullBackOff: Back-off pulling image" {
		t.Fatalf("instances %+v", got)
	}

	_, err := k.Logs(ctx, "order-r3-0", 10)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "kubelet of node node-a") {
		t.Errorf("logs of a pod on a node without a kubelet: %v", err)
	}
	t.Logf("logs without a kubelet: %v", err)
	if _, err := k.Logs(ctx, "order-r3-1", 10); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "no node yet") {
		t.Errorf("logs of a pod not scheduled: %v", err)
	}
	if _, err := k.Logs(ctx, "nope", 10); !errors.Is(err, ErrNoPod) {
		t.Errorf("logs of no pod: %v", err)
	}
}
