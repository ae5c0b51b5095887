package rollout

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/analysis/prometheus"
	"github.com/slipway-dev/slipway/internal/promtest"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/platform/kube"
	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// The Kubernetes tests run the rollout controller against a real
// kube-apiserver and etcd (kubetest), one for the package, playing the
// kubelets and the Deployment controller by writing Deployments'
// status.
var cluster kubetest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	if err := cluster.Stop(); err != nil && code == 0 {
		code = 1
	}
	os.Exit(code)
}

const kubeDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"

const kubeSpec = `app: shop
services:
  order:
    image: registry.example/shop/order@` + kubeDigest + `
    env: {VERSION: v1}
    instances: 4
    resources: {cpu: 0.5, memory: 256Mi}
    health: {readiness: {http: /healthz}}
    route: {host: order.example.com}
    strategy: {canary: {steps: [{setWeight: 10}, {pause: {}}, {setWeight: 50}, {pause: {}}]}}
environments:
  staging: {}
  prod:
    from: staging
    platform:
      kubernetes: {namespace: NS, gateway: {name: public, namespace: infra}}
`

// kubeHarness is the rollout harness with a Kubernetes environment: the
// controller's platform is a kube.Cluster on a fresh namespace.
type kubeHarness struct {
	*harness
	c  client.Client // the test's own, playing the kubelets and reading
	ns string
	// sent counts the controller's requests to the API server.
	sent *atomic.Int64
	// stop ends the informers of the controller's cluster.
	stop func()
	// byReplicas: the cluster splits traffic by replicas (no Gateway).
	byReplicas bool
}

var kubeNamespaces int

func newKubeHarness(t *testing.T, prometheus analysis.Provider) *kubeHarness {
	return newKubeHarnessSplit(t, prometheus, false)
}

// newKubeHarnessSplit is newKubeHarness whose cluster splits traffic by
// replicas when byReplicas is set.
func newKubeHarnessSplit(t *testing.T, prometheus analysis.Provider, byReplicas bool) *kubeHarness {
	cfg := cluster.Config(t)
	c, _ := kubetest.Client(t, cfg)
	kubeNamespaces++
	ns := fmt.Sprintf("rollout-%d", kubeNamespaces)
	if err := c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.prometheus = prometheus
	k := &kubeHarness{harness: h, c: c, ns: ns, byReplicas: byReplicas}
	k.watchCluster()
	h.restartControllers()
	return k
}

// watchCluster gives the controller a new watched kube.Cluster (as a
// starting server does), counting its requests from when its informers
// have synced; its informers enqueue the services that change, as the
// server's do.
func (k *kubeHarness) watchCluster() {
	t := k.t
	counted, sent := kubetest.Counting(cluster.Config(t))
	tg := kube.Target{App: "shop", Env: "prod", Namespace: k.ns, ByReplicas: k.byReplicas}
	if !k.byReplicas {
		tg.Gateway = &spec.GatewayRef{Name: "public", Namespace: "infra"}
	}
	pc, err := kube.Watched(counted, tg)
	if err != nil {
		t.Fatal(err)
	}
	if k.stop != nil {
		k.stop() // the earlier server's informers end with it
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pc.Watch(ctx, func(svc string) { k.enqueue(queue.ServiceKey(svc), 0) }) }()
	var once sync.Once
	k.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Watch: %v", err)
			}
		})
	}
	t.Cleanup(k.stop)
	kubetest.Eventually(k.t, "informers synced", func() bool { return pc.Synced() })
	sent.Store(0)
	k.platform, k.sent = pc, sent
}

// apply applies the spec as environment prod runs it (its platform and
// overrides), with version v.
func (k *kubeHarness) apply(v string) *store.Operation {
	k.t.Helper()
	return k.applyText(strings.NewReplacer("NS", k.ns, "VERSION: v1", "VERSION: "+v).Replace(kubeSpec))
}

func (k *kubeHarness) applyText(text string) *store.Operation {
	k.t.Helper()
	op := k.record(text)
	k.settle()
	return op
}

// record stores an apply of text, as the API does, and enqueues its
// operation.
func (k *kubeHarness) record(text string) *store.Operation {
	k.t.Helper()
	app, err := spec.ParseWith("slipway.yaml", []byte(text), spec.Options{Environment: "prod"})
	if err != nil {
		k.t.Fatalf("parse: %v", err)
	}
	if e, _ := app.Env("prod"); e.Kube() == nil {
		k.t.Fatal("prod is not a Kubernetes environment")
	}
	var op *store.Operation
	err = k.store.Update(context.Background(), func(tx store.Tx) error {
		_, op, err = stack.Apply(tx, app, stack.Source{File: "slipway.yaml", Text: text}, k.clock.Now())
		return err
	})
	if err != nil {
		k.t.Fatalf("apply: %v", err)
	}
	if op != nil {
		k.enqueue(queue.OperationKey(op.ID), 0)
	}
	return op
}

// retrying runs the passes due over d of fake time as the server's
// queue does: a pass that fails is retried a second later. It returns
// the errors.
func (k *kubeHarness) retrying(d time.Duration) []error {
	var errs []error
	for end := k.clock.Now().Add(d); k.clock.Now().Before(end); k.clock.Advance(100 * time.Millisecond) {
		for range 100 {
			key, ok := k.next()
			if !ok {
				break
			}
			after, err := k.reconcile(key)
			if err != nil {
				errs, after = append(errs, err), time.Second
			}
			if after > 0 {
				k.enqueue(key, after)
			}
		}
	}
	return errs
}

// kubelet reports n pods of revision rev available, then lets the
// controller's next poll see it.
func (k *kubeHarness) kubelet(rev, n int) {
	k.t.Helper()
	if err := kubetest.SetAvailable(k.t.Context(), k.c, k.ns, kube.RevisionName("order", rev), int32(n)); err != nil {
		k.t.Fatalf("revision %d: %v", rev, err)
	}
	kubetest.Eventually(k.t, fmt.Sprintf("revision %d's %d available pods seen by the informers", rev, n), func() bool {
		obs, err := k.platform.Observe(k.t.Context(), "order")
		for _, o := range obs {
			if o.Revision == rev && o.Available == n && o.Settled {
				return err == nil
			}
		}
		return false
	})
	// The informers fill their cache before they call the handlers: the
	// pass must wait for the enqueue, or it may find nothing to run.
	kubetest.Eventually(k.t, "the informers enqueued order", func() bool { return k.dueNow(queue.ServiceKey("order")) })
	k.settle()
}

// dueNow reports whether key is queued to run now.
func (k *kubeHarness) dueNow(key queue.Key) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	at, ok := k.due[key]
	return ok && !at.After(k.clock.Now().Add(10*time.Millisecond))
}

// weights reads the HTTPRoute's default rule: backend Service ->
// weight.
func (k *kubeHarness) weights() map[string]int32 {
	k.t.Helper()
	var r gwv1.HTTPRoute
	if err := k.c.Get(k.t.Context(), client.ObjectKey{Namespace: k.ns, Name: "order"}, &r); err != nil {
		k.t.Fatalf("HTTPRoute: %v", err)
	}
	out := map[string]int32{}
	rule := r.Spec.Rules[len(r.Spec.Rules)-1]
	for _, b := range rule.BackendRefs {
		out[string(b.Name)] = *b.Weight
	}
	return out
}

// replicas reads each revision's Deployment's replicas ("" when gone).
func (k *kubeHarness) replicas() map[int]int {
	k.t.Helper()
	obs, err := k.platform.Observe(k.t.Context(), "order")
	if err != nil {
		k.t.Fatal(err)
	}
	out := map[int]int{}
	for _, o := range obs {
		out[o.Revision] = o.Replicas
	}
	return out
}

func (k *kubeHarness) expect(what string, weights map[string]int32, replicas map[int]int) {
	k.t.Helper()
	// The informers may show the controller a change a moment after the
	// test made it (slow under the race detector): the passes it then
	// runs must reach the state.
	var w map[string]int32
	var r map[int]int
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		w, r = k.weights(), k.replicas()
		if fmt.Sprint(w) == fmt.Sprint(weights) && fmt.Sprint(r) == fmt.Sprint(replicas) {
			return
		}
		if time.Now().After(end) {
			break
		}
		k.settle()
	}
	if fmt.Sprint(w) != fmt.Sprint(weights) {
		k.t.Fatalf("%s: route weights %v, want %v", what, w, weights)
	}
	k.t.Fatalf("%s: Deployments' replicas %v, want %v", what, r, replicas)
}

// TestKubeCanary runs the canary of a real spec in a Kubernetes
// environment through the same rollout controller as on one machine:
// the HTTPRoute's weights follow the steps (10%, 50%, 100%), a
// promotion makes the candidate stable and deletes the old revision,
// and an abort puts all traffic back on stable at once and deletes the
// candidate.
func TestKubeCanary(t *testing.T) {
	k := newKubeHarness(t, nil)
	k.apply("v1")
	k.expect("first deploy", map[string]int32{"order": 1}, map[int]int{1: 4})
	k.kubelet(1, 4)
	if svc := k.service("order"); svc.Phase != store.PhaseReady || svc.Stable != 1 {
		t.Fatalf("first deploy: %s stable %d (%s)", svc.Phase, svc.Stable, svc.Message)
	}

	op := k.apply("v2")
	k.expect("canary starts", map[string]int32{"order-r1": 100, "order-r2": 0}, map[int]int{1: 4, 2: 1})
	k.kubelet(2, 1)
	k.expect("setWeight 10", map[string]int32{"order-r1": 90, "order-r2": 10}, map[int]int{1: 4, 2: 1})
	if svc := k.service("order"); !strings.Contains(svc.Message, "paused until promoted") {
		t.Fatalf("at 10%%: %q", svc.Message)
	}
	k.sent.Store(0)
	promote(t, k.harness, false)
	if got := k.sent.Load(); got != 2 {
		t.Fatalf("step 10%% -> 50%%: %d requests, want 2 (server-side applies of the HTTPRoute and the candidate's Deployment; reads come from the informers)", got)
	}
	// As on one machine, the weight moves and the candidate's instances
	// follow; its Service sends only to ready pods meanwhile.
	k.expect("setWeight 50", map[string]int32{"order-r1": 50, "order-r2": 50}, map[int]int{1: 4, 2: 2})
	k.kubelet(2, 2)
	if svc := k.service("order"); !strings.Contains(svc.Message, "step 4/4 paused until promoted") {
		t.Fatalf("at 50%%: %q", svc.Message)
	}
	k.sent.Store(0)
	k.advance(time.Minute) // paused: passes poll the informers, not the API server
	if got := k.sent.Load(); got != 0 {
		t.Fatalf("a minute paused: %d requests, want none", got)
	}
	promote(t, k.harness, false)
	k.kubelet(2, 4)
	k.expect("promoted", map[string]int32{"order-r2": 100}, map[int]int{2: 4})
	if n, d := len(k.events(store.EventRevisionScaled)), len(k.events(store.EventRevisionDeleted)); n < 4 || d != 1 {
		t.Fatalf("%d revision.scaled and %d revision.deleted events, want every count written and revision 1's deletion", n, d)
	}
	svc := k.service("order")
	if svc.Phase != store.PhaseReady || svc.Stable != 2 || svc.Canary.Outcome != store.CanaryPromoted || k.operation(op.ID).State != store.OperationSucceeded {
		t.Fatalf("after promotion: %s stable %d canary %s op %s", svc.Phase, svc.Stable, svc.Canary.Outcome, k.operation(op.ID).State)
	}

	op = k.apply("v3")
	k.kubelet(3, 1)
	k.expect("second canary at 10%", map[string]int32{"order-r2": 90, "order-r3": 10}, map[int]int{2: 4, 3: 1})
	if err := k.store.Update(t.Context(), func(tx store.Tx) error { return stack.Abort(tx, "order", "bob saw enough", k.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	k.enqueue(queue.ServiceKey("order"), 0) // as the server's store watch does
	k.settle()
	k.expect("aborted", map[string]int32{"order-r2": 100}, map[int]int{2: 4})
	svc = k.service("order")
	if svc.Stable != 2 || svc.Revision != 2 || k.operation(op.ID).State != store.OperationRolledBack {
		t.Fatalf("after abort: stable %d target %d op %s", svc.Stable, svc.Revision, k.operation(op.ID).State)
	}
}

// TestKubeRestartMidCanary: a server that stops mid-canary (here: its
// controllers and its cluster's informers and write memory go, the
// store stays, as after a kill -9) resumes at the same step from the
// store and the cluster's objects, found again by label: the weights
// stay at 10%, no revision is rescaled, and the next promotion moves on
// to 50%.
func TestKubeRestartMidCanary(t *testing.T) {
	k := newKubeHarness(t, nil)
	k.apply("v1")
	k.kubelet(1, 4)
	k.apply("v2")
	k.kubelet(2, 1)
	k.expect("setWeight 10", map[string]int32{"order-r1": 90, "order-r2": 10}, map[int]int{1: 4, 2: 1})
	scaled := len(k.events(store.EventRevisionScaled))

	k.watchCluster()
	k.restartControllers()
	k.settle()
	// A new server's write memory is empty: it re-applies once what a pass
	// writes (the candidate's Deployment and Service, the stable Service,
	// the route; the kept stable revision is left as it is), unchanged,
	// so server-side apply changes nothing.
	if got := k.sent.Load(); got != 4 {
		t.Fatalf("restart mid-canary: %d requests, want 4", got)
	}
	k.advance(time.Minute)
	k.expect("after the restart", map[string]int32{"order-r1": 90, "order-r2": 10}, map[int]int{1: 4, 2: 1})
	if svc := k.service("order"); !strings.Contains(svc.Message, "step 2/4 paused until promoted") {
		t.Fatalf("after the restart: %q, want still paused at step 2", svc.Message)
	}
	if n := len(k.events(store.EventRevisionScaled)); n != scaled {
		t.Fatalf("%d revision.scaled events after the restart, want none new", n-scaled)
	}
	promote(t, k.harness, false)
	k.expect("setWeight 50 after the restart", map[string]int32{"order-r1": 50, "order-r2": 50}, map[int]int{1: 4, 2: 2})
}

// TestKubeCanaryFailedAnalysis: a canary in a Kubernetes environment is
// judged by a real Prometheus (scraping what the Gateway would export,
// here a small exporter the test runs); the candidate's error ratio
// fails the analysis, all traffic goes back to stable on the HTTPRoute
// at once, and the candidate's Deployment is deleted.
func TestKubeCanaryFailedAnalysis(t *testing.T) {
	reg := prom.NewRegistry()
	ratio := prom.NewGaugeVec(prom.GaugeOpts{Name: "gateway_backend_error_ratio", Help: "5xx share by backend Service."}, []string{"backend"})
	reg.MustRegister(ratio)
	ratio.WithLabelValues("order-r1").Set(0.01)
	ratio.WithLabelValues("order-r2").Set(0.2)
	target := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer target.Close()
	p := promtest.Start(t, target.URL)
	p.WaitForSeries(t, "gateway_backend_error_ratio", 30*time.Second)
	provider, err := prometheus.New(prometheus.Config{URL: p.URL})
	if err != nil {
		t.Fatal(err)
	}
	k := newKubeHarness(t, provider)
	analysisSpec := `strategy:
      canary:
        steps: [{setWeight: 10}, {pause: {}}]
        analysis:
          interval: 5s
          metrics:
            - {name: error-ratio, provider: prometheus, successCondition: result < 0.05,
               query: 'max(gateway_backend_error_ratio{backend="{{service}}-r{{canary}}"})'}`
	text := func(v string) string {
		s := strings.NewReplacer("NS", k.ns, "VERSION: v1", "VERSION: "+v).Replace(kubeSpec)
		return strings.Replace(s, "strategy: {canary: {steps: [{setWeight: 10}, {pause: {}}, {setWeight: 50}, {pause: {}}]}}", analysisSpec, 1)
	}
	k.applyText(text("v1"))
	k.kubelet(1, 4)
	op := k.applyText(text("v2"))
	k.kubelet(2, 1)
	k.expect("canary at 10%", map[string]int32{"order-r1": 90, "order-r2": 10}, map[int]int{1: 4, 2: 1})
	k.advance(5 * time.Second) // the analysis measures 0.2
	k.expect("rolled back", map[string]int32{"order-r1": 100}, map[int]int{1: 4})
	svc := k.service("order")
	if svc.Canary.Outcome != store.CanaryRolledBack || !strings.Contains(svc.Canary.Reason, "error-ratio 0.2") {
		t.Fatalf("canary %s %q", svc.Canary.Outcome, svc.Canary.Reason)
	}
	if st := k.operation(op.ID).State; st != store.OperationRolledBack || svc.Revision != 1 {
		t.Fatalf("operation %s, target %d", st, svc.Revision)
	}
}

// routeRules reads the HTTPRoute's rules: the header match of each (""
// for the default rule) -> its backends and weights.
func (k *kubeHarness) routeRules() map[string]map[string]int32 {
	k.t.Helper()
	var r gwv1.HTTPRoute
	if err := k.c.Get(k.t.Context(), client.ObjectKey{Namespace: k.ns, Name: "order"}, &r); err != nil {
		k.t.Fatalf("HTTPRoute: %v", err)
	}
	out := map[string]map[string]int32{}
	for _, rule := range r.Spec.Rules {
		key := ""
		if hs := rule.Matches[0].Headers; len(hs) > 0 {
			key = string(hs[0].Name)
		}
		out[key] = map[string]int32{}
		for _, b := range rule.BackendRefs {
			out[key][string(b.Name)] = *b.Weight
		}
	}
	return out
}

// TestKubeBlueGreenAndRollback: blue/green in a Kubernetes environment
// runs the whole candidate beside the active revision, reachable by the
// preview header only; a promotion switches the HTTPRoute at once and
// keeps the old Deployment for the scale-down delay; a rollback within
// it is a traffic switch back, with no new pod to wait for.
func TestKubeBlueGreenAndRollback(t *testing.T) {
	k := newKubeHarness(t, nil)
	text := func(v string) string {
		s := strings.NewReplacer("NS", k.ns, "VERSION: v1", "VERSION: "+v, "instances: 4", "instances: 2").Replace(kubeSpec)
		return strings.Replace(s, "strategy: {canary: {steps: [{setWeight: 10}, {pause: {}}, {setWeight: 50}, {pause: {}}]}}",
			"strategy: {blueGreen: {scaleDownDelay: 1m, progressDeadline: 30s}}", 1)
	}
	k.applyText(text("v1"))
	k.kubelet(1, 2)
	k.expect("first deploy", map[string]int32{"order-r1": 100}, map[int]int{1: 2})

	op := k.applyText(text("v2"))
	k.kubelet(2, 2)
	rules := k.routeRules()
	if fmt.Sprint(rules) != fmt.Sprint(map[string]map[string]int32{"": {"order-r1": 100}, "X-Slipway-Preview": {"order-r2": 1}}) {
		t.Fatalf("during the rollout: rules %v, want all on r1 and r2 behind the preview header", rules)
	}
	k.expect("whole candidate beside", map[string]int32{"order-r1": 100}, map[int]int{1: 2, 2: 2})
	if err := k.store.Update(t.Context(), func(tx store.Tx) error { return stack.Promote(tx, "order", false, k.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	k.enqueue(queue.ServiceKey("order"), 0)
	k.settle()
	k.expect("switched, old kept", map[string]int32{"order-r2": 100}, map[int]int{1: 2, 2: 2})
	if svc := k.service("order"); svc.Stable != 2 || k.operation(op.ID).State != store.OperationSucceeded {
		t.Fatalf("after promotion: stable %d op %s", svc.Stable, k.operation(op.ID).State)
	}

	var back *store.Operation
	err := k.store.Update(t.Context(), func(tx store.Tx) error {
		var err error
		back, err = stack.Rollback(tx, "order", 1, "v2 is slow", k.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	k.enqueue(queue.OperationKey(back.ID), 0)
	k.settle()
	k.advance(platformPoll)
	if rules := k.routeRules(); rules[""]["order-r1"] != 100 {
		t.Fatalf("after the rollback: rules %v, want all on r1 at once", rules)
	}
	k.advance(time.Minute) // the scale-down delay
	k.expect("rolled back", map[string]int32{"order-r1": 100}, map[int]int{1: 2})
	if svc := k.service("order"); svc.Stable != 1 || svc.Phase != store.PhaseReady {
		t.Fatalf("after the rollback: stable %d %s (%s)", svc.Stable, svc.Phase, svc.Message)
	}
}

// TestKubeNamespaceMissing: a platform that refuses (here: the
// namespace does not exist) leaves nothing half-written, says what to
// do on the service and once in the audit log, and the controller
// retries until it is fixed.
func TestKubeNamespaceMissing(t *testing.T) {
	cfg := cluster.Config(t)
	c, _ := kubetest.Client(t, cfg)
	// A name of its own: envtest never removes a namespace, so a second
	// run (-count=2) must not find the first one's.
	kubeNamespaces++
	ns := fmt.Sprintf("missing-%d", kubeNamespaces)
	h := newHarness(t)
	h.platform = kube.NewCluster(c, kube.Target{App: "shop", Env: "prod", Namespace: ns})
	h.restartControllers()
	k := &kubeHarness{harness: h, c: c, ns: ns}
	k.record(strings.NewReplacer("NS", k.ns).Replace(kubeSpec))
	if errs := k.retrying(5 * time.Second); len(errs) < 3 {
		t.Fatalf("%d failed passes in 5s, want a retry every second: %v", len(errs), errs)
	}
	svc := k.service("order")
	if !strings.Contains(svc.Message, "namespace missing") || !strings.Contains(svc.Message, "kubectl create namespace "+ns) {
		t.Fatalf("service message %q: want the missing namespace and what to do", svc.Message)
	}
	if n := len(k.events(store.EventPlatformFailed)); n != 1 {
		t.Fatalf("%d platform.failed events, want one however many retries", n)
	}
	if err := c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	if errs := k.retrying(2 * time.Second); len(errs) != 0 {
		t.Fatalf("once the namespace exists: %v", errs)
	}
	k.kubelet(1, 4)
	if svc := k.service("order"); svc.Phase != store.PhaseReady || svc.Stable != 1 {
		t.Fatalf("once the namespace exists: %s (%s)", svc.Phase, svc.Message)
	}
}
