package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/slipway-dev/slipway/api"
	slipway "github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/platform/kube/kubetest"
)

// TestKubernetesEnvironment: a spec whose prod environment names a
// cluster (found through KUBECONFIG, as kubectl finds it) is applied to
// prod, and the server runs it there: the revision's Deployment at the
// spec's instances, its Services, the HTTPRoute on the Gateway; once
// the pods are available (the test plays the kubelets) the rollout
// succeeds. A restarted server finds the platform in the stored spec
// and the Deployment by its labels, and changes nothing.
func TestKubernetesEnvironment(t *testing.T) {
	// apply pins the image by digest, from a registry on loopback.
	k, ref := kubeShop(t)
	ctx := context.Background()
	text := `app: shop
services:
  order:
    image: ` + ref + `
    instances: 2
    route: {host: order.example.com}
environments:
  prod:
    platform:
      kubernetes: {namespace: shop, gateway: {name: public, namespace: infra}}
`
	dir := t.TempDir()
	c0, stop := start(t, dir)
	c := slipway.New(c0.BaseURL(), slipway.WithEnv("prod"))
	if _, err := c.Apply(ctx, api.ApplyRequest{Spec: text}); err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKey{Namespace: "shop", Name: "order-r1"}
	var d appsv1.Deployment
	kubetest.Eventually(t, "Deployment order-r1", func() bool { return k.Get(ctx, key, &d) == nil })
	if *d.Spec.Replicas != 2 || !strings.Contains(d.Spec.Template.Spec.Containers[0].Image, "@sha256:") {
		t.Fatalf("Deployment: replicas %d image %s", *d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Image)
	}
	var r gwv1.HTTPRoute
	kubetest.Eventually(t, "HTTPRoute order", func() bool { return k.Get(ctx, client.ObjectKey{Namespace: "shop", Name: "order"}, &r) == nil })
	if p := r.Spec.ParentRefs; len(p) != 1 || p[0].Name != "public" {
		t.Fatalf("HTTPRoute parents %+v", p)
	}
	if err := kubetest.SetAvailable(ctx, k, "shop", "order-r1", 2); err != nil {
		t.Fatal(err)
	}
	var svc api.Service
	var err error
	kubetest.Eventually(t, "the rollout to succeed", func() bool {
		svc, err = c.Service(ctx, "order")
		return err == nil && svc.Phase == "Ready" && svc.Stable == 1
	}, func() string { return fmt.Sprintf("service %+v, %v", svc, err) })
	podStatusAndLogs(t, k, c)
	manifests, err := c.KubeManifests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: Deployment\n", "name: order-r1\n", "replicas: 2\n", "kind: HTTPRoute\n", "@sha256:"} {
		if !strings.Contains(string(manifests), want) {
			t.Fatalf("kube manifests lack %q:\n%s", want, manifests)
		}
	}
	if again, err := c.KubeManifests(ctx); err != nil || string(again) != string(manifests) {
		t.Fatalf("kube manifests not the same twice: %v", err)
	}
	var apiErr *slipway.Error
	if _, err := slipway.New(c0.BaseURL()).KubeManifests(ctx); !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Fatalf("kube manifests of an environment on this machine: %v, want a 400", err)
	}
	// --install: the server inside prod's cluster, its Role in prod's namespace.
	install, err := c.KubeInstallManifests(ctx, "slipway", "registry.example/slipway@sha256:"+strings.Repeat("5", 64))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: Deployment\n", "serviceAccountName: slipway\n", "kind: Role\n", "  namespace: shop\n", "  namespace: slipway\n"} {
		if !strings.Contains(string(install), want) {
			t.Fatalf("install manifests lack %q:\n%s", want, install)
		}
	}
	if _, err := c.KubeInstallManifests(ctx, "slipway", ""); !errors.As(err, &apiErr) || apiErr.Status != 400 || !strings.Contains(apiErr.Message, "image is required") {
		t.Fatalf("install manifests without an image: %v, want a 400 saying so", err)
	}

	// A restarted server opens prod's cluster from the stored spec: the
	// next revision goes there too.
	stop()
	c0, _ = start(t, dir)
	c = slipway.New(c0.BaseURL(), slipway.WithEnv("prod"))
	if _, err := c.Apply(ctx, api.ApplyRequest{Spec: strings.Replace(text, "instances: 2", "instances: 3", 1)}); err != nil {
		t.Fatal(err)
	}
	kubetest.Eventually(t, "Deployment order-r2", func() bool {
		return k.Get(ctx, client.ObjectKey{Namespace: "shop", Name: "order-r2"}, &appsv1.Deployment{}) == nil
	})

	// down removes what Slipway applied there, and nothing else.
	other := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "theirs", Namespace: "shop"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}
	if err := k.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := c.Down(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	kubetest.Eventually(t, "prod's objects removed", func() bool {
		var ds appsv1.DeploymentList
		var ss corev1.ServiceList
		var rs gwv1.HTTPRouteList
		err := errors.Join(k.List(ctx, &ds, client.InNamespace("shop")), k.List(ctx, &ss, client.InNamespace("shop")), k.List(ctx, &rs, client.InNamespace("shop")))
		return err == nil && len(ds.Items) == 0 && len(rs.Items) == 0 && len(ss.Items) == 1 && ss.Items[0].Name == "theirs"
	})
}

// podStatusAndLogs: status lists a Kubernetes service's pods (the test
// makes one, as the Deployment controller and a kubelet would), with
// their node and why a container waits; logs go through the API server
// to the kubelet, which envtest does not run: the error says so (502).
func podStatusAndLogs(t *testing.T, k client.Client, c *slipway.Client) {
	t.Helper()
	ctx := context.Background()
	var d appsv1.Deployment
	if err := k.Get(ctx, client.ObjectKey{Namespace: "shop", Name: "order-r1"}, &d); err != nil {
		t.Fatal(err)
	}
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "order-r1-abcde", Namespace: "shop", Labels: d.Spec.Template.Labels},
		Spec: *d.Spec.Template.Spec.DeepCopy()}
	p.Spec.NodeName = "node-a"
	if err := k.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.Status = corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "order", RestartCount: 1,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}}}
	if err := k.Status().Update(ctx, p); err != nil {
		t.Fatal(err)
	}
	var svc api.Service
	var err error
	kubetest.Eventually(t, "the pod in status", func() bool {
		svc, err = c.Service(ctx, "order")
		return err == nil && len(svc.Instances) == 1 && svc.Instances[0].Restarts == 1
	}, func() string { return fmt.Sprintf("service %+v, %v", svc, err) })
	if in := svc.Instances[0]; in.ID != "order-r1-abcde" || in.Node != "node-a" || in.Revision != 1 || in.Ready || in.Message != "order: CrashLoopBackOff" {
		t.Fatalf("instance %+v", in)
	}
	var out strings.Builder
	err = c.Logs(ctx, "order", 10, false, &out)
	var apiErr *slipway.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 502 || !strings.Contains(err.Error(), "kubelet of node node-a") {
		t.Fatalf("logs without a kubelet: %v (%T), want a 502 naming the node's kubelet", err, err)
	}
}

// kubeShop starts an API server (envtest) with the shop namespace and an
// admin kubeconfig (KUBECONFIG), and a registry on loopback holding the
// stub image shop/order: the client to the cluster and the image's
// reference by digest. Both stop with the test.
func kubeShop(t *testing.T) (client.Client, string) {
	t.Helper()
	k := kubetest.AdminCluster(t, "shop")
	reg := imagetest.Serve("", "")
	t.Cleanup(reg.Close)
	ref, err := reg.PushStub("shop/order", "order")
	if err != nil {
		t.Fatal(err)
	}
	return k, ref
}
