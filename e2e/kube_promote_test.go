package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/platform/kube/kubetest"
)

// kubePromoteSpec runs order from an image: in staging as containers on
// this machine, in prod as a Deployment in a cluster (prod takes what
// staging ran, once approved).
const kubePromoteSpec = `app: pipe
services:
  order:
    image: %s
    command: ["/order", "--name", "order", "--port", "${PORT}"]
    instances: 1
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {host: order.example.com}
    stopGrace: 2s
    strategy:
      rolling: {maxSurge: 1, progressDeadline: 60s}
environments:
  staging: {}
  prod:
    from: staging
    gates:
      - approval: {}
    platform:
      kubernetes: {namespace: shop, gateway: {name: public, namespace: infra}}
`

// TestPromoteLocalStagingToKubernetesProd: one image version, pinned by
// digest, runs in a local staging (containers under runc) and is then
// promoted to a prod whose platform is Kubernetes (envtest's API
// server, found by the server through KUBECONFIG; the test plays the
// Deployment controller). Prod's new Deployment runs the very digest
// staging ran, the HTTPRoute sends to it alone, and the promotion and
// its event say Succeeded. Nothing reaches the cluster before a person
// approves.
func TestPromoteLocalStagingToKubernetesProd(t *testing.T) {
	reg, tag := serveShopImage(t)
	k := kubetest.AdminCluster(t, "shop")
	v2 := shopVersion(t, "v2")
	data := t.TempDir()
	registerContainerCleanup(t, data)
	t.Cleanup(func() { stopEnvironmentInstances(t, data) })
	p := &pipelineApp{t: t, srv: startServer(t, data), dir: specDir(t)}
	t.Cleanup(p.dumpOnFailure)
	p.file = writeSpec(t, p.dir, "slipway.yaml", fmt.Sprintf(kubePromoteSpec, tag))
	p.srv.mustCLI("apply", "-f", p.file, "--env", "staging", "--wait", "--timeout", "60s")
	p.srv.mustCLI("apply", "-f", p.file, "--env", "prod")
	waitAvailable(t, k, "order-r1")
	waitFor(t, 30*time.Second, "prod's first revision to succeed", func() (bool, string) {
		svc, _ := find(p.srv.envServices("prod"), "order")
		return svc.Phase == "Ready" && svc.Stable == 1, describe(svc)
	})

	// v2 is a version of its own digest: deployed to staging, where it
	// runs as a container, then promoted.
	if _, err := reg.Tag("shop/order", "v2", v2); err != nil {
		t.Fatal(err)
	}
	d2 := digestOf(t, v2)
	ref2 := strings.Replace(tag, ":v1", ":v2", 1)
	if r := p.srv.mustCLI("artifact", "push", "--image", ref2, "--service", "order", "--version", "v2"); !strings.Contains(r.stdout, "@"+d2) {
		t.Fatalf("push --image: %s; want it pinned to %s", r, d2)
	}
	p.srv.mustCLI("deploy", "order", "--version", "v2", "--env", "staging", "--wait", "--timeout", "60s")
	staged := p.currentRevision("staging")
	if staged.Digest != d2 {
		t.Fatalf("staging runs revision %d at %s; want v2's %s", staged.Number, staged.Digest, d2)
	}

	if body := getHost(t, p.routerOf("staging"), "order.example.com"); !strings.Contains(body, "v2") {
		t.Fatalf("staging's router answers %q; want v2 (the image's own VERSION)", body)
	}

	id := promotionID(t, p.srv.mustCLI("promote", "order", "--from", "staging", "--to", "prod"))
	p.waitWaiting("prod", id, "waiting for approval")
	var none appsv1.Deployment
	if err := k.Get(context.Background(), client.ObjectKey{Namespace: "shop", Name: "order-r2"}, &none); err == nil {
		t.Fatal("Deployment order-r2 written before the approval")
	}
	p.srv.mustCLI("approve", "order", "--env", "prod")
	d := waitAvailable(t, k, "order-r2")
	var ran struct{ Image string }
	if err := json.Unmarshal(staged.Spec, &ran); err != nil {
		t.Fatal(err)
	}
	if img := d.Spec.Template.Spec.Containers[0].Image; img != ran.Image || !strings.HasSuffix(img, "@"+d2) {
		t.Errorf("prod's Deployment order-r2 runs %s; want %s, the image staging ran, pinned to %s", img, ran.Image, d2)
	}
	prom := p.waitPromotion("prod", id)
	if prom.State != "Succeeded" || prom.Digest != d2 || prom.Version != "v2" {
		t.Fatalf("promotion into prod: %+v; want Succeeded with v2 at %s", prom, d2)
	}
	if cur := p.currentRevision("prod"); cur.Number != 2 || cur.Digest != d2 {
		t.Errorf("prod's current revision %d at %s; want 2 at %s", cur.Number, cur.Digest, d2)
	}
	// Promotions are in the hub's log (the default environment's).
	if !slices.ContainsFunc(p.srv.envEvents("default"), func(e api.Event) bool {
		return e.Type == "promotion.succeeded" && strings.Contains(e.Message, fmt.Sprintf("promotion %d ", id)) && strings.Contains(e.Message, "into prod succeeded")
	}) {
		t.Errorf("no promotion.succeeded event for promotion %d into prod", id)
	}
	checkRoutedTo(t, k, "order-r2")
}

// waitAvailable waits for Deployment name in shop and reports its
// replicas available, as the Deployment controller would.
func waitAvailable(t *testing.T, k client.Client, name string) appsv1.Deployment {
	t.Helper()
	ctx := context.Background()
	var d appsv1.Deployment
	waitFor(t, 30*time.Second, "Deployment "+name, func() (bool, string) {
		err := k.Get(ctx, client.ObjectKey{Namespace: "shop", Name: name}, &d)
		return err == nil, fmt.Sprint(err)
	})
	if err := kubetest.SetAvailable(ctx, k, "shop", name, *d.Spec.Replicas); err != nil {
		t.Fatal(err)
	}
	return d
}

// checkRoutedTo checks that the HTTPRoute order sends everything to
// the stable Service, which selects order's pods, and that only
// Deployment name is left to run them.
func checkRoutedTo(t *testing.T, k client.Client, name string) {
	t.Helper()
	ctx := context.Background()
	var ds appsv1.DeploymentList
	waitFor(t, 30*time.Second, "only Deployment "+name+" left", func() (bool, string) {
		err := k.List(ctx, &ds, client.InNamespace("shop"))
		names := []string{}
		for _, d := range ds.Items {
			names = append(names, d.Name)
		}
		return err == nil && slices.Equal(names, []string{name}), fmt.Sprint(names, err)
	})
	var r gwv1.HTTPRoute
	if err := k.Get(ctx, client.ObjectKey{Namespace: "shop", Name: "order"}, &r); err != nil {
		t.Fatal(err)
	}
	rules := r.Spec.Rules
	if len(rules) != 1 || len(rules[0].BackendRefs) != 1 || rules[0].BackendRefs[0].Name != "order" {
		t.Fatalf("HTTPRoute order rules %+v; want all to the stable Service order", rules)
	}
	var s corev1.Service
	if err := k.Get(ctx, client.ObjectKey{Namespace: "shop", Name: "order"}, &s); err != nil {
		t.Fatal(err)
	}
	pods := ds.Items[0].Spec.Template.Labels
	for key, v := range s.Spec.Selector {
		if pods[key] != v {
			t.Fatalf("Service order selects %v; Deployment %s's pods are %v", s.Spec.Selector, name, pods)
		}
	}
}

// getHost is the body of GET / on router (an address or URL) for host.
func getHost(t *testing.T, router, host string) string {
	t.Helper()
	if !strings.HasPrefix(router, "http") {
		router = "http://" + router
	}
	req, err := http.NewRequest(http.MethodGet, router+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/ (Host %s): %d %s %v", router, host, resp.StatusCode, b, err)
	}
	return string(b)
}
