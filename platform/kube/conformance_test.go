package kube

import (
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// TestPlatformConformance runs workload.Platform's conformance suite
// against a Cluster that reads the API server directly and one that
// reads through informers (their Observe differ most: drift found by
// comparing, or by events and the cache's lag made up by ownWrites).
// The test plays the kubelets.
func TestPlatformConformance(t *testing.T) {
	cfg := sharedEnv(t)
	specOf := func(service string) *spec.Service {
		s := *orderRevision().Spec
		s.Name = service
		return &s
	}
	t.Run("direct", func(t *testing.T) {
		workloadtest.RunPlatform(t, func(t *testing.T) workloadtest.PlatformHarness {
			k, c, _ := namespace(t, cfg)
			return workloadtest.PlatformHarness{
				Platform: k,
				Reopen:   func() workload.Platform { return NewCluster(c, k.t) },
				Spec:     specOf,
				Run:      kubelet(c, k.t.Namespace),
			}
		})
	})
	t.Run("watched", func(t *testing.T) {
		workloadtest.RunPlatform(t, func(t *testing.T) workloadtest.PlatformHarness {
			k, _, c, _ := watched(t)
			return workloadtest.PlatformHarness{
				Platform: k,
				Reopen:   func() workload.Platform { p, _ := watchOn(t, k.t, func(string) {}); return p },
				Spec:     specOf,
				Run:      kubelet(c, k.t.Namespace),
			}
		})
	})
}

// kubelet plays the kubelets and Deployment controller of namespace:
// n pods of a revision run its latest spec, ready.
func kubelet(c client.Client, namespace string) func(t *testing.T, service string, rev, n int) {
	return func(t *testing.T, service string, rev, n int) {
		t.Helper()
		if err := kubetest.SetAvailable(t.Context(), c, namespace, RevisionName(service, rev), int32(n)); err != nil {
			t.Fatal(err)
		}
	}
}
