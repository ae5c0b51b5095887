package kubetest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	crlog "sigs.k8s.io/controller-runtime/pkg/log"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Howto says how to build the binaries the tests need.
const Howto = "no kube-apiserver in KUBEBUILDER_ASSETS: build it with  export KUBEBUILDER_ASSETS=$(hack/envtest.sh)  (about 7 minutes once, then cached)"

// Assets returns KUBEBUILDER_ASSETS. Without the binaries the test
// fails under CI (SLIPWAY_CI=1) and is skipped elsewhere, saying how to
// build them.
func Assets(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir != "" {
		_, a := os.Stat(filepath.Join(dir, "kube-apiserver"))
		_, e := os.Stat(filepath.Join(dir, "etcd"))
		if a == nil && e == nil {
			return dir
		}
	}
	if os.Getenv("SLIPWAY_CI") == "1" {
		t.Fatal(Howto)
	}
	t.Skip(Howto)
	return ""
}

// gatewayCRDs is the Gateway API module's standard-channel CRDs folder
// (the version go.mod pins).
func gatewayCRDs() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/gateway-api").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m sigs.k8s.io/gateway-api: %w", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "config", "crd", "standard"), nil
}

// Start starts a kube-apiserver with its etcd from dir (Assets), with
// Gateway API's CRDs installed when crds is set. The caller stops it.
func Start(dir string, crds bool) (*envtest.Environment, *rest.Config, error) {
	// controller-runtime prints a stack trace once when its logger is
	// unset; tests read errors, not its logs.
	crlog.SetLogger(logr.Discard())
	e := &envtest.Environment{BinaryAssetsDirectory: dir, ErrorIfCRDPathMissing: true}
	if crds {
		p, err := gatewayCRDs()
		if err != nil {
			return nil, nil, err
		}
		e.CRDDirectoryPaths = []string{p}
	}
	// A machine without a routable address (CI containers) gives the
	// API server nothing to advertise: loopback it is, and the endpoint
	// reconciler, which refuses a loopback address for the kubernetes
	// Service, is off (no pod here needs that Service).
	e.ControlPlane.GetAPIServer().Configure().
		Set("advertise-address", "127.0.0.1").
		Set("endpoint-reconciler-type", "none").
		// envtest's default /24 runs out at about 250 Services; the
		// benchmarks write hundreds.
		Set("service-cluster-ip-range", "10.0.0.0/16")
	cfg, err := e.Start()
	if err != nil {
		return nil, nil, fmt.Errorf("start kube-apiserver and etcd from %s: %w", dir, err)
	}
	return e, cfg, nil
}

// Shared is one API server (with Gateway API) for a package's tests,
// started on first use; the package's TestMain calls Stop.
type Shared struct {
	once sync.Once
	env  *envtest.Environment
	cfg  *rest.Config
	err  error
}

// Config starts the shared API server if needed and returns a copy of
// its client configuration.
func (s *Shared) Config(t testing.TB) *rest.Config {
	t.Helper()
	dir := Assets(t)
	s.once.Do(func() { s.env, s.cfg, s.err = Start(dir, true) })
	if s.err != nil {
		t.Fatal(s.err)
	}
	return rest.CopyConfig(s.cfg)
}

// Env returns the shared environment (after Config), to add users.
func (s *Shared) Env() *envtest.Environment { return s.env }

// Stop stops the shared API server, if it started.
func (s *Shared) Stop() error {
	if s.env == nil {
		return nil
	}
	return s.env.Stop()
}

// Scheme knows Kubernetes' built-in kinds and Gateway API's.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(s), gwv1.Install(s)); err != nil {
		panic(err) // static registrations: cannot fail
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

// Counting returns a copy of cfg whose requests are counted: every
// request sent to the API server, reads, writes and the start of each
// watch.
func Counting(cfg *rest.Config) (*rest.Config, *atomic.Int64) {
	n := new(atomic.Int64)
	cfg = rest.CopyConfig(cfg)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return countingTransport{rt, n} })
	return cfg, n
}

// Client returns a direct client of cfg and the count of its requests.
func Client(t testing.TB, cfg *rest.Config) (client.Client, *atomic.Int64) {
	t.Helper()
	cfg, n := Counting(cfg)
	c, err := client.New(cfg, client.Options{Scheme: Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c, n
}

// AdminCluster starts an API server with Gateway API's CRDs (stopped
// with the test), creates namespace in it and points KUBECONFIG (which
// the servers a test starts inherit, as kubectl would read it) at a
// cluster admin of it for the rest of the test. It returns a client of
// the test's own.
func AdminCluster(t testing.TB, namespace string) client.Client {
	t.Helper()
	env, cfg, err := Start(Assets(t), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	c, _ := Client(t, cfg)
	adminKubeconfig(t, env, c, namespace)
	return c
}

// adminKubeconfig creates namespace in env's API server and points
// KUBECONFIG at a cluster admin of env for the rest of the test.
func adminKubeconfig(t testing.TB, env *envtest.Environment, c client.Client, namespace string) {
	t.Helper()
	if err := c.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		t.Fatal(err)
	}
	user, err := env.AddUser(envtest.User{Name: "slipway", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
}

// SetAvailable plays the Deployment controller and the kubelets, which
// envtest does not run: it reports n of the Deployment's pods as
// updated, ready and available for its latest spec.
func SetAvailable(ctx context.Context, c client.Client, namespace, name string, n int32) error {
	var d appsv1.Deployment
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &d); err != nil {
		return err
	}
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: n, UpdatedReplicas: n,
		ReadyReplicas: n, AvailableReplicas: n, UnavailableReplicas: max(0, replicas(d)-n)}
	return c.Status().Update(ctx, &d)
}

// SetReady plays the Deployment controller and the kubelets of a
// Deployment whose pods all run its latest spec but only n of them pass
// readiness (the others crash or fail their probe): every pod updated,
// n ready and available.
func SetReady(ctx context.Context, c client.Client, namespace, name string, n int32) error {
	var d appsv1.Deployment
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &d); err != nil {
		return err
	}
	all := replicas(d)
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: all, UpdatedReplicas: all,
		ReadyReplicas: n, AvailableReplicas: n, UnavailableReplicas: max(0, all-n)}
	return c.Status().Update(ctx, &d)
}

func replicas(d appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

// Eventually polls cond until it holds, failing the test after 30 s
// with what it waited for (and what state, if given, says). What a real
// API server and its watches deliver comes asynchronously, in real
// time: no fake clock drives them.
func Eventually(t testing.TB, what string, cond func() bool, state ...func() string) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	for _, s := range state {
		what += ": " + s()
	}
	t.Fatalf("no %s within 30s", what)
}
