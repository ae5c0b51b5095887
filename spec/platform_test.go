package spec

import (
	"strings"
	"testing"
)

// kubeEnv ends a spec with a Kubernetes environment prod after a
// local staging; a case's own lines come after it (line 9 on).
const kubeEnv = "environments:\n  staging: {}\n  prod:\n    platform:\n      kubernetes: {namespace: shop, gateway: {name: public, namespace: infra}}\n"

// kubeBadSpecs are the bad inputs of the platform section, checked like
// the catalogue's (TestBadInputCatalogueSpec).
var kubeBadSpecs = []badSpec{
	{"kubernetes service runs a command", web + kubeEnv, 4, "services.web.run", "in Kubernetes environment prod: service web runs a host command (run:); pods run images: give image:"},
	{"kubernetes namespace missing", imageBase + "shop/web:v1\nenvironments:\n  prod:\n    platform: {kubernetes: {context: c}}\n", 7, "environments.prod.platform.kubernetes.namespace", "required: the namespace"},
	{"kubernetes namespace not a label", imageBase + "shop/web:v1\nenvironments:\n  prod:\n    platform: {kubernetes: {namespace: Shop_1}}\n", 7, "environments.prod.platform.kubernetes.namespace", `invalid namespace "Shop_1"`},
	{"kubernetes gateway without name", imageBase + "shop/web:v1\nenvironments:\n  prod:\n    platform: {kubernetes: {namespace: shop, gateway: {namespace: infra}}}\n", 7, "environments.prod.platform.kubernetes.gateway.name", "want the Gateway's name"},
	{"platform empty", imageBase + "shop/web:v1\nenvironments:\n  prod:\n    platform: {}\n", 7, "environments.prod.platform", "want kubernetes: {namespace: NAME}"},
	{"platform unknown", imageBase + "shop/web:v1\nenvironments:\n  prod:\n    platform: {nomad: {}}\n", 7, "environments.prod.platform.nomad", `unknown field "nomad"`},
	{"kubernetes with a router address", imageBase + "shop/web:v1\nenvironments:\n  prod:\n    router: 127.0.0.1:7481\n    platform: {kubernetes: {namespace: shop}}\n", 7, "environments.prod.router", "not Slipway's router"},
	{"kubernetes router provider", imageBase + "shop/web:v1\n    strategy:\n      canary:\n        steps: [{setWeight: 20}]\n        analysis:\n          metrics: [{name: up, provider: router, metric: successRate, successCondition: 'result >= 0.9'}]\n" + kubeEnv,
		9, "services.web.strategy.canary.analysis.metrics[0].provider", "measure the Gateway with provider: prometheus"},
	{"kubernetes parallel run", imageBase + "shop/web:v1\n    strategy:\n      parallelRun: {}\n" + kubeEnv, 6, "services.web.strategy.parallelRun", "a parallel run mirrors requests through Slipway's router"},
	{"kubernetes stickiness", imageBase + "shop/web:v1\n    strategy:\n      canary:\n        stickiness: {cookie: side}\n        steps: [{setWeight: 20}]\n" + kubeEnv, 7, "services.web.strategy.canary.stickiness", "stickiness is kept by Slipway's router"},
	{"kubernetes traffic unknown", imageBase + "shop/web:v1\nenvironments:\n  prod:\n    platform: {kubernetes: {namespace: shop, traffic: pods}}\n", 7, "environments.prod.platform.kubernetes.traffic", `want gateway (an HTTPRoute's weights, exact; the default) or replicas`},
	{"kubernetes replicas with a gateway", imageBase + "shop/web:v1\nenvironments:\n  prod:\n    platform:\n      kubernetes: {namespace: shop, traffic: replicas, gateway: {name: public}}\n", 8, "environments.prod.platform.kubernetes.gateway", "traffic: replicas splits by pod counts behind the stable Service and attaches nothing to a Gateway"},
	{"kubernetes replicas header route", imageBase + "shop/web:v1\n    strategy:\n      canary:\n        steps: [{setWeight: 20}, {setHeaderRoute: {header: X-Canary}}]\nenvironments:\n  prod:\n    platform: {kubernetes: {namespace: shop, traffic: replicas}}\n",
		7, "services.web.strategy.canary.steps[1].setHeaderRoute", "in Kubernetes environment prod: traffic: replicas splits by pod counts behind one Service, which cannot match headers"},
	{"kubernetes override back to run", imageBase + "shop/web:v1\n" + kubeEnv + "    overrides: {services: {web: {run: [./web]}}}\n", 10, "services.web.run", "service web runs a host command"},
}

func TestBadInputCataloguePlatform(t *testing.T) {
	runCatalogue(t, "spec platform", kubeBadSpecs, catalogueOptions)
}

// TestKubernetesEnvironment parses the example: dev runs a
// process through overrides, prod an image in a cluster.
func TestKubernetesEnvironment(t *testing.T) {
	src := "app: shop\nservices:\n  order:\n    image: registry.example/shop/order:v1\n    instances: 4\n" +
		"    route: {host: order.example.com}\n    strategy: {canary: {steps: [{setWeight: 10}, {setWeight: 50}]}}\n" +
		"environments:\n  dev:\n    overrides: {services: {order: {run: [./order]}}}\n  prod:\n    from: dev\n" +
		"    platform:\n      kubernetes: {context: prod-cluster, namespace: shop, gateway: {name: public, namespace: infra}}\n"
	a, err := ParseWith("slipway.yaml", []byte(src), Options{Environment: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	k := a.Environments["prod"].Kube()
	if k == nil || k.Context != "prod-cluster" || k.Namespace != "shop" || k.Gateway == nil || k.Gateway.Name != "public" || k.Gateway.Namespace != "infra" {
		t.Fatalf("prod's platform: %+v", k)
	}
	if a.Environments["dev"].Kube() != nil {
		t.Fatal("dev runs on the server's machine")
	}
	c := a.Clone()
	c.Environments["prod"].Platform.Kubernetes.Gateway.Name = "other"
	if k.Gateway.Name != "public" {
		t.Fatal("Clone shares the gateway")
	}
}

// TestKubernetesTrafficReplicas: traffic: replicas is the fallback
// without Gateway API; a gateway environment is the default.
func TestKubernetesTrafficReplicas(t *testing.T) {
	src := imageBase + "shop/web@sha256:" + strings.Repeat("a", 64) + "\n    strategy:\n      blueGreen: {}\nenvironments:\n" +
		"  prod:\n    platform: {kubernetes: {namespace: shop, traffic: replicas}}\n  dr:\n    platform: {kubernetes: {namespace: shop}}\n"
	a, err := ParseWith("slipway.yaml", []byte(src), catalogueOptions)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Environments["prod"].Kube().SplitsByReplicas() || a.Environments["dr"].Kube().SplitsByReplicas() {
		t.Fatalf("prod splits by replicas, dr through its gateway: %+v %+v", a.Environments["prod"].Kube(), a.Environments["dr"].Kube())
	}
}
