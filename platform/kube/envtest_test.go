package kube

import (
	"os"
	"sync/atomic"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/platform/kube/kubetest"
)

// The tests run a real kube-apiserver and etcd (kubetest), one for the
// package; no kubelet or controller-manager runs: tests play them,
// setting pods and statuses through the API as kwok does.
var shared kubetest.Shared

// TestMain stops the shared API server after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := shared.Stop(); err != nil && code == 0 {
		code = 1
	}
	os.Exit(code)
}

func sharedEnv(t testing.TB) *rest.Config { return shared.Config(t) }

func newClient(t testing.TB, cfg *rest.Config) (client.Client, *atomic.Int64) {
	return kubetest.Client(t, cfg)
}
