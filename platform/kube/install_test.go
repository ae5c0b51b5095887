package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"

	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/workload"
)

// TestInstallManifestsGolden: what `slipway kube manifests --install`
// prints is testdata/install.golden.yaml, byte for byte, whatever the
// order the driven namespaces come in.
func TestInstallManifestsGolden(t *testing.T) {
	in := Install{Namespace: "slipway", Image: "registry.example/slipway@" + digest, Drives: []string{"shop", "payments"}}
	got, err := InstallManifests(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Drives = []string{"payments", "shop"}
	if again, err := InstallManifests(in); err != nil || !bytes.Equal(got, again) {
		t.Fatalf("not deterministic: %v", err)
	}
	path := filepath.Join("testdata", "install.golden.yaml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./platform/kube -run Golden -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("install manifests differ from %s (go test ./platform/kube -run Golden -update, then review the diff):\n%s", path, got)
	}
}

func TestInstallManifestsBadInput(t *testing.T) {
	for _, tc := range []struct {
		in   Install
		want string
	}{
		{Install{Namespace: "Slip_way", Image: "i", Drives: []string{"shop"}}, `namespace "Slip_way": want a DNS label`},
		{Install{Namespace: "slipway", Drives: []string{"shop"}}, "the server's image is required"},
		{Install{Namespace: "slipway", Image: "i"}, "no namespace to drive"},
	} {
		if _, err := InstallManifests(tc.in); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.in, err, tc.want)
		}
	}
}

// serverAccount is the user the install's ServiceAccount authenticates
// as (the test impersonates it: envtest's admin may).
const serverAccount = "system:serviceaccount:slipway:slipway"

// TestInstallRoleIsSufficient: the Role InstallManifests prints lets a
// Cluster authenticated as the server's ServiceAccount do all it does in
// a namespace (apply a revision with a Secret, route, rescale, observe,
// list pods and read a log, watch, delete, hand a revision to its HPA
// and take it back, take the environment down),
// and the Role without any one of its verbs does not: each is needed.
func TestInstallRoleIsSufficient(t *testing.T) {
	cfg := sharedEnv(t)
	admin, _ := newClient(t, cfg)
	ctx := t.Context()

	ns := fmt.Sprintf("rbac-%d", nsCount.Add(1))
	b, err := InstallManifests(Install{Namespace: ns + "-server", Image: "registry.example/slipway@" + digest, Drives: []string{ns}})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, admin, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	for _, doc := range strings.Split(string(b), "---\n")[1:] { // the printed objects, as kubectl apply -f would create them
		var u unstructured.Unstructured
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, admin, &u)
	}
	user := "system:serviceaccount:" + ns + "-server:slipway"
	if err := drive(ctx, t, admin, impersonate(cfg, user), ns, user); err != nil {
		t.Fatalf("with the printed Role: %v", err)
	}

	for i, r := range Rules() {
		for _, verb := range r.Verbs {
			rules := Rules()
			rules[i].Verbs = slices.DeleteFunc(slices.Clone(r.Verbs), func(v string) bool { return v == verb })
			if len(rules[i].Verbs) == 0 {
				rules = slices.Delete(rules, i, i+1)
			}
			ns := fmt.Sprintf("rbac-%d", nsCount.Add(1))
			grant(t, admin, ns, rules)
			if err := drive(ctx, t, admin, impersonate(cfg, serverAccount), ns, serverAccount); err == nil {
				t.Errorf("without %s %s: the Cluster did all it does; the verb is not needed", verb, r.Resources[0])
			} else {
				t.Logf("without %s %s: %v", verb, r.Resources[0], firstLine(err))
			}
		}
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func mustCreate(t *testing.T, c client.Client, o client.Object) {
	t.Helper()
	if err := c.Create(t.Context(), o); err != nil {
		t.Fatal(err)
	}
}

func impersonate(cfg *rest.Config, user string) *rest.Config {
	c := rest.CopyConfig(cfg)
	c.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: []string{"system:serviceaccounts", "system:authenticated"}}
	return c
}

// grant creates namespace ns with a Role of rules bound to the server's
// account.
func grant(t *testing.T, admin client.Client, ns string, rules []rbacv1.PolicyRule) {
	t.Helper()
	mustCreate(t, admin, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	mustCreate(t, admin, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "slipway"}, Rules: rules})
	mustCreate(t, admin, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "slipway"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "slipway"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "slipway", Namespace: "slipway"}}})
}

// drive does in namespace ns, as user through cfg, everything a Cluster
// does, and returns the first error: reads go to the API server first,
// then (Watch) to informers. admin waits for the Role to take effect and
// plays the kubelet's pod.
func drive(ctx context.Context, t *testing.T, admin client.Client, cfg *rest.Config, ns, user string) error {
	t.Helper()
	kubetest.Eventually(t, "the Role in effect", func() bool { // RBAC follows Roles through an informer
		var rb rbacv1.RoleBinding
		if err := admin.Get(ctx, client.ObjectKey{Namespace: ns, Name: "slipway"}, &rb); err != nil {
			return false
		}
		var role rbacv1.Role
		if err := admin.Get(ctx, client.ObjectKey{Namespace: ns, Name: "slipway"}, &role); err != nil || len(role.Rules) == 0 {
			return false
		}
		r := role.Rules[len(role.Rules)-1]
		sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{User: user, Groups: []string{"system:serviceaccounts", "system:authenticated"},
			ResourceAttributes: &authzv1.ResourceAttributes{Namespace: ns, Verb: r.Verbs[0], Group: r.APIGroups[0], Resource: r.Resources[0]}}}
		return admin.Create(ctx, sar) == nil && sar.Status.Allowed
	})
	var refused atomic.Value // the first request the API server refused (a watch's refusal shows nowhere else: informers relist)
	cfg = rest.CopyConfig(cfg)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return refusals{rt: rt, first: &refused} })
	err := driveAll(ctx, t, admin, cfg, ns)
	if r, ok := refused.Load().(string); ok && err == nil {
		err = errors.New("refused: " + r)
	}
	return err
}

// refusals records the first request answered 403.
type refusals struct {
	rt    http.RoundTripper
	first *atomic.Value
}

func (f refusals) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := f.rt.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusForbidden {
		f.first.CompareAndSwap(nil, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	}
	return resp, err
}

func driveAll(ctx context.Context, t *testing.T, admin client.Client, cfg *rest.Config, ns string) error {
	k, err := Watched(cfg, Target{App: "shop", Env: "prod", Namespace: ns, Gateway: target.Gateway})
	if err != nil {
		return err
	}
	r := workload.Revision{Service: "order", Number: 3, Spec: orderRevision().Spec, Replicas: 1, SecretEnv: map[string]string{"TOKEN": "s3cret"}}
	r.Spec.Env = map[string]string{"TOKEN": "${secret.token}"}
	if err := k.Deploy(ctx, r); err != nil {
		return err
	}
	if err := k.Route(ctx, router.Route{Service: "order", Host: "order.example.com", Weights: map[int]int{3: 100}}); err != nil {
		return err
	}
	r.Replicas, r.SecretEnv = 2, map[string]string{"TOKEN": "n3w"} // patches of objects that exist
	if err := k.Deploy(ctx, r); err != nil {
		return err
	}
	if _, err := k.Observe(ctx, "order"); err != nil {
		return err
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "order-r3-a",
		Labels: map[string]string{LabelManagedBy: FieldManager, LabelEnvironment: "prod", LabelService: "order", LabelRevision: "3"}},
		Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "order", Image: "order"}}}}
	if err := admin.Create(ctx, pod); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Instances(ctx, "order"); err != nil {
		return err
	}
	if _, err := k.Logs(ctx, pod.Name, 10); err == nil || strings.Contains(err.Error(), "forbidden") {
		return fmt.Errorf("logs: %v", err) // envtest has no kubelet: anything but a refusal will do
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- k.Watch(wctx, nil) }()
	err = followed(ctx, admin, k, ns)
	cancel()
	if werr := <-done; werr != nil && !errors.Is(werr, context.Canceled) {
		return fmt.Errorf("watch: %w", werr)
	}
	if err != nil {
		return err
	}
	if err := k.Delete(ctx, "order", 3); err != nil {
		return err
	}
	if err := k.Deploy(ctx, workload.Revision{Service: "order", Number: 4, Spec: orderRevision().Spec, Replicas: 1}); err != nil {
		return err
	}
	// An autoscaled revision: sized by Slipway (is there an HPA to take
	// back?), handed over to its HPA, the HPA changed, then taken back.
	scaled := workload.Revision{Service: "order", Number: 5, Spec: scaledRevision().Spec, Replicas: 2}
	for _, step := range []func(){
		func() {},
		func() { scaled.Autoscaled = true },
		func() { scaled.AutoscaleFloor = 3 },
		func() { scaled.Autoscaled, scaled.AutoscaleFloor, scaled.Replicas = false, 0, 3 },
	} {
		step()
		if err := k.Deploy(ctx, scaled); err != nil {
			return err
		}
	}
	if err := k.RemoveApplied(ctx); err != nil {
		return err
	}
	return k.Remove(ctx, "order")
}

// followed reports whether the informers of k sync and then follow a
// change of each kind they hold (an annotation admin adds): a list alone
// syncs them, a watch keeps them true.
func followed(ctx context.Context, admin client.Client, k *Cluster, ns string) error {
	synced := false
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end) && !synced; time.Sleep(20 * time.Millisecond) {
		synced = k.Synced()
	}
	if !synced {
		return errors.New("the informers did not sync in 3s")
	}
	for _, o := range []client.Object{&appsv1.Deployment{}, &corev1.Service{}, &gwv1.HTTPRoute{}, &corev1.Pod{}} {
		name := map[string]string{"Deployment": "order-r3", "Service": "order", "HTTPRoute": "order", "Pod": "order-r3-a"}[kindOf(o)]
		key := client.ObjectKey{Namespace: ns, Name: name}
		if err := admin.Get(ctx, key, o); err != nil {
			return err
		}
		o.SetAnnotations(map[string]string{"touched": "yes"})
		if err := admin.Update(ctx, o); err != nil {
			return err
		}
		seen := false
		for end := time.Now().Add(3 * time.Second); time.Now().Before(end) && !seen; time.Sleep(20 * time.Millisecond) {
			seen = k.cache.Get(ctx, key, o) == nil && o.GetAnnotations()["touched"] == "yes"
		}
		if !seen {
			return fmt.Errorf("the informers did not follow a change of %s %s in 3s", kindOf(o), name)
		}
	}
	return nil
}
