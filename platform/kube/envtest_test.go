package kube

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// The tests run a real kube-apiserver and etcd (controller-runtime's
// envtest), built from Go modules by hack/envtest.sh. No kubelet or
// controller-manager runs: tests play them, setting pods and statuses
// through the API as kwok does.

var (
	envOnce sync.Once
	envCfg  *rest.Config
	envErr  error
	envRun  *envtest.Environment
)

// TestMain stops the shared API server after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if envRun != nil {
		_ = envRun.Stop()
	}
	os.Exit(code)
}

// assets returns KUBEBUILDER_ASSETS, failing under CI and skipping
// elsewhere when it is not built.
func assets(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err == nil {
			return dir
		}
	}
	msg := "no kube-apiserver in KUBEBUILDER_ASSETS: build it with  export KUBEBUILDER_ASSETS=$(hack/envtest.sh)  (about 7 minutes once)"
	if os.Getenv("SLIPWAY_CI") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// gatewayCRDs is the Gateway API module's standard CRDs folder.
func gatewayCRDs(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/gateway-api").Output()
	if err != nil {
		t.Fatalf("go list gateway-api: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "config", "crd", "standard")
}

// startEnv starts an API server with etcd, with the Gateway API CRDs
// when crds is set.
func startEnv(t testing.TB, crds bool) (*envtest.Environment, *rest.Config) {
	t.Helper()
	e := &envtest.Environment{BinaryAssetsDirectory: assets(t), ErrorIfCRDPathMissing: true}
	if crds {
		e.CRDDirectoryPaths = []string{gatewayCRDs(t)}
	}
	// On loopback the API server cannot find an address to advertise.
	e.ControlPlane.GetAPIServer().Configure().Set("advertise-address", "127.0.0.1")
	cfg, err := e.Start()
	if err != nil {
		t.Fatalf("start envtest: %v", err)
	}
	return e, cfg
}

// sharedEnv is one API server with Gateway API for the package's tests.
func sharedEnv(t testing.TB) *rest.Config {
	t.Helper()
	assets(t)
	envOnce.Do(func() {
		defer func() {
			if envCfg == nil && envErr == nil {
				envErr = os.ErrInvalid
			}
		}()
		e, cfg := startEnv(t, true)
		envRun, envCfg = e, cfg
	})
	if envErr != nil {
		t.Fatalf("envtest: %v", envErr)
	}
	return rest.CopyConfig(envCfg)
}

func scheme(t testing.TB) *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := gwv1.Install(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// countingTransport counts the requests a client sends.
type countingTransport struct {
	rt http.RoundTripper
	n  *atomic.Int64
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}

// newClient returns a direct client of cfg and a count of its requests.
func newClient(t testing.TB, cfg *rest.Config) (client.Client, *atomic.Int64) {
	t.Helper()
	n := new(atomic.Int64)
	cfg = rest.CopyConfig(cfg)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return countingTransport{rt, n} })
	c, err := client.New(cfg, client.Options{Scheme: scheme(t)})
	if err != nil {
		t.Fatal(err)
	}
	return c, n
}
