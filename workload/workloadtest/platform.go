package workloadtest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/workload"
)

// PlatformHarness is what RunPlatform needs of one workload.Platform
// under test.
type PlatformHarness struct {
	// Platform is a fresh platform with no revision of any service.
	Platform workload.Platform
	// Reopen returns a new platform over the same state, as a restarted
	// server builds it: nothing remembered of earlier writes.
	Reopen func() workload.Platform
	// Spec is a service spec the platform runs (for Kubernetes, an
	// image pinned by digest).
	Spec func(service string) *spec.Service
	// Run plays what runs a revision's instances (Kubernetes' kubelets
	// and Deployment controller): n instances of revision rev of
	// service run its latest spec and are ready.
	Run func(t *testing.T, service string, rev, n int)
}

// RunPlatform runs the conformance suite of workload.Platform, the
// behaviours the rollout controller relies on: what a Deploy or Delete
// wrote is observed at once (a pass plans from its own writes), what
// runs is observed once it does, an unchanged Deploy changes nothing,
// and a restarted server observes what the earlier one wrote.
// newHarness is called once per case.
func RunPlatform(t *testing.T, newHarness func(t *testing.T) PlatformHarness) {
	cases := []struct {
		name string
		run  func(*testing.T, PlatformHarness)
	}{
		{"DeployObserve", testDeployObserve},
		{"Scale", testScale},
		{"DeployUnchangedIsNoop", testDeployUnchanged},
		{"Delete", testDelete},
		{"ServicesApart", testServicesApart},
		{"ObserveAfterRestart", testObserveAfterRestart},
		{"RouteAndRemove", testRouteAndRemove},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newHarness(t))
		})
	}
}

func deploy(t *testing.T, p workload.Platform, h PlatformHarness, service string, rev, n int) {
	t.Helper()
	r := workload.Revision{Service: service, Number: rev, Spec: h.Spec(service), Replicas: n}
	if err := p.Deploy(context.Background(), r); err != nil {
		t.Fatalf("Deploy %s revision %d at %d: %v", service, rev, n, err)
	}
}

// revisions observes service now: its revisions by number.
func revisions(t *testing.T, p workload.Platform, service string) map[int]workload.RevisionStatus {
	t.Helper()
	obs, err := p.Observe(context.Background(), service)
	if err != nil {
		t.Fatalf("Observe %s: %v", service, err)
	}
	out := map[int]workload.RevisionStatus{}
	for _, o := range obs {
		if _, dup := out[o.Revision]; dup {
			t.Fatalf("Observe %s lists revision %d twice: %+v", service, o.Revision, obs)
		}
		out[o.Revision] = o
	}
	return out
}

// numbers is the revision numbers of obs, sorted.
func numbers(obs map[int]workload.RevisionStatus) []int {
	var ns []int
	for n := range obs {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns
}

// waitRevision polls Observe until revision rev of service holds cond:
// what runs reaches the platform's readers asynchronously.
func waitRevision(t *testing.T, p workload.Platform, service string, rev int, what string, cond func(workload.RevisionStatus) bool) workload.RevisionStatus {
	t.Helper()
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(20 * time.Millisecond) {
		o, ok := revisions(t, p, service)[rev]
		if ok && cond(o) {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s revision %d: not %s after %v: %+v (listed: %v)", service, rev, what, waitTimeout, o, ok)
		}
	}
}

// running waits for n available instances of rev, settled.
func running(t *testing.T, p workload.Platform, service string, rev, n int) workload.RevisionStatus {
	t.Helper()
	return waitRevision(t, p, service, rev, fmt.Sprintf("%d available, settled", n), func(o workload.RevisionStatus) bool {
		return o.Settled && o.Available == n && o.Replicas == n
	})
}

// testDeployObserve: a written revision is observed at once with its
// count, unsettled and with nothing available; once its instances run,
// they are.
func testDeployObserve(t *testing.T, h PlatformHarness) {
	deploy(t, h.Platform, h, "order", 1, 2)
	o, ok := revisions(t, h.Platform, "order")[1]
	if !ok || o.Replicas != 2 || o.Settled || o.Available != 0 {
		t.Fatalf("right after Deploy: %+v (listed: %v); want 2 replicas, none available, not settled", o, ok)
	}
	h.Run(t, "order", 1, 2)
	running(t, h.Platform, "order", 1, 2)
}

// testScale: a new count of a running revision is observed at once,
// unsettled (Available may count only what ran before), until the
// instances of the new count run.
func testScale(t *testing.T, h PlatformHarness) {
	deploy(t, h.Platform, h, "order", 1, 2)
	h.Run(t, "order", 1, 2)
	running(t, h.Platform, "order", 1, 2)
	deploy(t, h.Platform, h, "order", 1, 3)
	if o := revisions(t, h.Platform, "order")[1]; o.Replicas != 3 || o.Settled {
		t.Fatalf("right after scaling to 3: %+v; want 3 replicas, not settled", o)
	}
	h.Run(t, "order", 1, 3)
	running(t, h.Platform, "order", 1, 3)
	deploy(t, h.Platform, h, "order", 1, 1)
	h.Run(t, "order", 1, 1)
	running(t, h.Platform, "order", 1, 1)
}

// testDeployUnchanged: writing what is already there changes nothing:
// a settled revision stays settled, with its instances.
func testDeployUnchanged(t *testing.T, h PlatformHarness) {
	deploy(t, h.Platform, h, "order", 1, 2)
	h.Run(t, "order", 1, 2)
	running(t, h.Platform, "order", 1, 2)
	for range 3 {
		deploy(t, h.Platform, h, "order", 1, 2)
		if o := revisions(t, h.Platform, "order")[1]; !o.Settled || o.Available != 2 {
			t.Fatalf("after an unchanged Deploy: %+v; want still settled with 2 available", o)
		}
	}
}

// testDelete: a deleted revision is gone from Observe at once, others
// stay; deleting it again, or one never written, is no error.
func testDelete(t *testing.T, h PlatformHarness) {
	deploy(t, h.Platform, h, "order", 1, 1)
	deploy(t, h.Platform, h, "order", 2, 1)
	h.Run(t, "order", 1, 1)
	h.Run(t, "order", 2, 1)
	running(t, h.Platform, "order", 1, 1)
	running(t, h.Platform, "order", 2, 1)
	ctx := context.Background()
	if err := h.Platform.Delete(ctx, "order", 1); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got := numbers(revisions(t, h.Platform, "order")); !slices.Equal(got, []int{2}) {
		t.Fatalf("right after deleting revision 1: revisions %v; want [2]", got)
	}
	for _, rev := range []int{1, 9} {
		if err := h.Platform.Delete(ctx, "order", rev); err != nil {
			t.Fatalf("Delete of revision %d, not there: %v; want no error", rev, err)
		}
	}
	running(t, h.Platform, "order", 2, 1)
	// A deleted revision written again is a new one: none of the
	// instances it had counts.
	deploy(t, h.Platform, h, "order", 1, 1)
	if o, ok := revisions(t, h.Platform, "order")[1]; !ok || o.Settled || o.Available != 0 {
		t.Fatalf("revision 1 written again: %+v (listed: %v); want it, not settled, none available", o, ok)
	}
}

// testServicesApart: Observe lists only the service asked for, though
// the names of one are a prefix of the other's.
func testServicesApart(t *testing.T, h PlatformHarness) {
	deploy(t, h.Platform, h, "order", 1, 1)
	deploy(t, h.Platform, h, "order-audit", 1, 2)
	deploy(t, h.Platform, h, "order-audit", 2, 1)
	if got := numbers(revisions(t, h.Platform, "order")); !slices.Equal(got, []int{1}) {
		t.Fatalf("order's revisions %v; want [1]", got)
	}
	if got := revisions(t, h.Platform, "order-audit"); !slices.Equal(numbers(got), []int{1, 2}) || got[1].Replicas != 2 {
		t.Fatalf("order-audit's revisions %+v; want 1 (2 replicas) and 2", got)
	}
	if got := revisions(t, h.Platform, "invoice"); len(got) != 0 {
		t.Fatalf("a service never written: %+v; want nothing", got)
	}
}

// testObserveAfterRestart: a new platform over the same state (a
// restarted server) observes the revisions the earlier one wrote, as
// they run, and an unchanged Deploy from it changes nothing.
func testObserveAfterRestart(t *testing.T, h PlatformHarness) {
	if h.Reopen == nil {
		t.Skip("the platform cannot be reopened")
	}
	deploy(t, h.Platform, h, "order", 1, 2)
	h.Run(t, "order", 1, 2)
	running(t, h.Platform, "order", 1, 2)
	deploy(t, h.Platform, h, "order", 2, 1)
	p := h.Reopen()
	running(t, p, "order", 1, 2)
	if o := revisions(t, p, "order")[2]; o.Replicas != 1 || o.Settled {
		t.Fatalf("revision 2 after the restart: %+v; want 1 replica, not settled", o)
	}
	deploy(t, p, h, "order", 1, 2)
	if o := revisions(t, p, "order")[1]; !o.Settled || o.Available != 2 {
		t.Fatalf("after an unchanged Deploy from the restarted platform: %+v; want still settled with 2 available", o)
	}
	if err := p.Delete(context.Background(), "order", 2); err != nil {
		t.Fatal(err)
	}
	if got := numbers(revisions(t, p, "order")); !slices.Equal(got, []int{1}) {
		t.Fatalf("after the restarted platform deleted revision 2: %v; want [1]", got)
	}
}

// testRouteAndRemove: a traffic split over written revisions is taken,
// and written again; Remove leaves the revisions (the controller
// deletes them first) and is no error twice.
func testRouteAndRemove(t *testing.T, h PlatformHarness) {
	deploy(t, h.Platform, h, "order", 1, 1)
	deploy(t, h.Platform, h, "order", 2, 1)
	ctx := context.Background()
	for _, w := range []map[int]int{{1: 90, 2: 10}, {1: 90, 2: 10}, {2: 100}} {
		if err := h.Platform.Route(ctx, router.Route{Service: "order", Host: "order.example.com", Weights: w}); err != nil {
			t.Fatalf("Route %v: %v", w, err)
		}
	}
	for range 2 {
		if err := h.Platform.Remove(ctx, "order"); err != nil {
			t.Fatalf("Remove: %v", err)
		}
	}
	if got := numbers(revisions(t, h.Platform, "order")); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("after Remove: revisions %v; want [1 2], left to Delete", got)
	}
}
