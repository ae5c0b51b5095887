package e2e

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/platform/kube/kubetest"
)

// kubeCanarySpec runs order in a Kubernetes environment only, as a
// canary paused at 10% and 50% until promoted. VERSION tells revisions
// apart (the image is the same).
const kubeCanarySpec = `app: shop
services:
  order:
    image: %s
    env: {VERSION: %s}
    instances: 4
    health: {readiness: {http: /healthz}}
    route: {host: order.example.com}
    strategy: {canary: {steps: [{setWeight: 10}, {pause: {}}, {setWeight: 50}, {pause: {}}]}}
environments:
  prod:
    platform:
      kubernetes: {namespace: shop, gateway: {name: public, namespace: infra}}
`

// kubeState is what the cluster holds of order: each Deployment's
// replicas, generation and resourceVersion, and the HTTPRoute's
// weights and resourceVersion.
type kubeState struct {
	deployments map[string]string // name -> "replicas/generation/resourceVersion"
	weights     map[string]int32
	routeRV     string
}

func readKubeState(t *testing.T, k client.Client) kubeState {
	t.Helper()
	ctx := context.Background()
	var ds appsv1.DeploymentList
	if err := k.List(ctx, &ds, client.InNamespace("shop")); err != nil {
		t.Fatal(err)
	}
	s := kubeState{deployments: map[string]string{}, weights: map[string]int32{}}
	for _, d := range ds.Items {
		s.deployments[d.Name] = fmt.Sprintf("%d/%d/%s", *d.Spec.Replicas, d.Generation, d.ResourceVersion)
	}
	var r gwv1.HTTPRoute
	if err := k.Get(ctx, client.ObjectKey{Namespace: "shop", Name: "order"}, &r); err != nil {
		return s
	}
	s.routeRV = r.ResourceVersion
	rule := r.Spec.Rules[len(r.Spec.Rules)-1] // the default rule: header rules come first
	for _, b := range rule.BackendRefs {
		w := int32(1)
		if b.Weight != nil {
			w = *b.Weight
		}
		s.weights[string(b.Name)] = w
	}
	return s
}

// waitWeights waits for the HTTPRoute's default rule to weigh want.
func waitWeights(t *testing.T, k client.Client, want map[string]int32) kubeState {
	t.Helper()
	var s kubeState
	waitFor(t, 30*time.Second, fmt.Sprintf("HTTPRoute weights %v", want), func() (bool, string) {
		s = readKubeState(t, k)
		return maps.Equal(s.weights, want), fmt.Sprint(s.weights, s.deployments)
	})
	return s
}

// waitReplicas waits for Deployment name's spec to ask for n pods, then
// plays its kubelets: n available.
func waitReplicas(t *testing.T, k client.Client, name string, n int32) {
	t.Helper()
	waitFor(t, 30*time.Second, fmt.Sprintf("Deployment %s at %d replicas", name, n), func() (bool, string) {
		var d appsv1.Deployment
		err := k.Get(context.Background(), client.ObjectKey{Namespace: "shop", Name: name}, &d)
		return err == nil && *d.Spec.Replicas == n, fmt.Sprint(d.Spec.Replicas, err)
	})
	waitAvailable(t, k, name)
}

// waitCanaryPaused waits for order's canary to pause at step (1-based,
// as status says it) of 4.
func waitCanaryPaused(t *testing.T, s *server, step int) {
	t.Helper()
	waitFor(t, 30*time.Second, fmt.Sprintf("canary paused at step %d", step), func() (bool, string) {
		svc, _ := find(s.envServices("prod"), "order")
		return strings.Contains(svc.Message, fmt.Sprintf("step %d/4 paused until promoted", step)), describe(svc)
	})
}

// scaledEvents counts order's revision.scaled events in prod.
func scaledEvents(s *server) int {
	n := 0
	for _, e := range s.envEvents("prod") {
		if e.Type == "revision.scaled" && e.Service == "order" {
			n++
		}
	}
	return n
}

// TestKubeServerKilledMidCanary: a server driving a canary on
// Kubernetes (envtest's API server; the test plays the kubelets) is
// killed with -9 while paused at 10%. A new server on the same data
// resumes from its store and the cluster's objects, found again by
// label: the weights stay at 10%, no Deployment is rescaled or written
// again, and promote moves on to 50%. Killed again mid-promotion (the
// candidate scaled to all its pods, not yet available), the next server
// keeps the stable revision until the candidate's pods are available,
// then finishes: all traffic on revision 2, revision 1 deleted.
func TestKubeServerKilledMidCanary(t *testing.T) {
	reg := imagetest.Serve("", "")
	t.Cleanup(reg.Close)
	ref, err := reg.PushStub("shop/order", "order")
	if err != nil {
		t.Fatal(err)
	}
	k := kubetest.AdminCluster(t, "shop")
	data := t.TempDir()
	dir := specDir(t)
	srv := startServer(t, data)
	srv.mustCLI("apply", "-f", writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(kubeCanarySpec, ref, "v1")), "--env", "prod")
	waitReplicas(t, k, "order-r1", 4)
	waitFor(t, 30*time.Second, "revision 1 ready", func() (bool, string) {
		svc, _ := find(srv.envServices("prod"), "order")
		return svc.Phase == "Ready" && svc.Stable == 1, describe(svc)
	})

	srv.mustCLI("apply", "-f", writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(kubeCanarySpec, ref, "v2")), "--env", "prod")
	waitReplicas(t, k, "order-r2", 1)
	waitWeights(t, k, map[string]int32{"order-r1": 90, "order-r2": 10})
	waitCanaryPaused(t, srv, 2)
	before := readKubeState(t, k)
	scaled := scaledEvents(srv)

	srv.kill()
	srv = startServer(t, data)
	waitCanaryPaused(t, srv, 2)
	// Give the new server's informers time to sync and a few passes
	// (every 2 s while not converged) to (wrongly) write anything.
	time.Sleep(5 * time.Second)
	after := readKubeState(t, k)
	if !maps.Equal(after.weights, before.weights) {
		t.Errorf("after the restart the HTTPRoute weighs %v; want %v as before the kill", after.weights, before.weights)
	}
	if !maps.Equal(after.deployments, before.deployments) || after.routeRV != before.routeRV {
		t.Errorf("after the restart Deployments (replicas/generation/resourceVersion) %v route %s; want untouched %v route %s",
			after.deployments, after.routeRV, before.deployments, before.routeRV)
	}
	if n := scaledEvents(srv); n != scaled {
		t.Errorf("%d revision.scaled events after the restart; want none new", n-scaled)
	}

	srv.mustCLI("rollout", "promote", "order", "--env", "prod")
	waitReplicas(t, k, "order-r2", 2)
	waitWeights(t, k, map[string]int32{"order-r1": 50, "order-r2": 50})
	waitCanaryPaused(t, srv, 4)

	// The last promotion scales the candidate to all its pods; the
	// server dies before they are available.
	srv.mustCLI("rollout", "promote", "order", "--env", "prod")
	waitFor(t, 30*time.Second, "order-r2 asked for 4 pods", func() (bool, string) {
		s := readKubeState(t, k)
		return strings.HasPrefix(s.deployments["order-r2"], "4/"), fmt.Sprint(s.deployments)
	})
	srv.kill()
	srv = startServer(t, data)
	time.Sleep(5 * time.Second)
	if s := readKubeState(t, k); s.deployments["order-r1"] == "" || s.weights["order-r1"] == 0 {
		t.Fatalf("after the restart mid-promotion, before the candidate's pods are available: %v weights %v; want revision 1 kept and still weighed",
			s.deployments, s.weights)
	}
	waitAvailable(t, k, "order-r2")
	waitFor(t, 30*time.Second, "revision 1 deleted, all traffic on revision 2", func() (bool, string) {
		s := readKubeState(t, k)
		_, r1 := s.deployments["order-r1"]
		return !r1 && maps.Equal(s.weights, map[string]int32{"order-r2": 100}), fmt.Sprint(s.deployments, s.weights)
	})
	waitFor(t, 30*time.Second, "the canary promoted", func() (bool, string) {
		svc, _ := find(srv.envServices("prod"), "order")
		return svc.Phase == "Ready" && svc.Stable == 2 && svc.Canary != nil && svc.Canary.Outcome == "Promoted", describe(svc)
	})
	if !hasKubeEvent(srv.envEvents("prod"), "revision.deleted", 1) {
		t.Errorf("no revision.deleted event for revision 1")
	}
}

// hasKubeEvent reports whether evs hold an event typ of order's
// revision rev.
func hasKubeEvent(evs []api.Event, typ string, rev int) bool {
	for _, e := range evs {
		if e.Type == typ && e.Service == "order" && e.Revision == rev {
			return true
		}
	}
	return false
}
