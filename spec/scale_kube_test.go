package spec

import "testing"

// kubeScaleBadSpecs are the scale sections a Kubernetes environment
// refuses, checked like the catalogue's: the service's lines start at 5,
// the environments follow.
var kubeScaleBadSpecs = []badSpec{
	{"kubernetes scale to zero", imageBase + "shop/web:v1\n    route: {host: web.localhost}\n    scale: {min: 0, max: 4, target: {cpu: 70%}}\n" + kubeEnv,
		6, "services.web.scale.min", "in Kubernetes environment prod: 0 (scale to zero) needs Slipway's router"},
	{"kubernetes scale on concurrency", imageBase + "shop/web:v1\n    scale:\n      min: 1\n      max: 4\n      target: {concurrency: 10}\n" + kubeEnv,
		8, "services.web.scale.target.concurrency", "scales on requests only through a metrics adapter"},
	{"kubernetes scale on rps", imageBase + "shop/web:v1\n    scale:\n      min: 1\n      max: 4\n      target: {rps: 200}\n" + kubeEnv,
		8, "services.web.scale.target.rps", "use target: {cpu: \"70%\"} here"},
	{"kubernetes scale window over an hour", imageBase + "shop/web:v1\n    scale:\n      min: 1\n      max: 4\n      target: {cpu: 70%}\n      stabilization: {down: 2h}\n" + kubeEnv,
		9, "services.web.scale.stabilization.down", "stabilization window is at most 1h, got 2h"},
	{"kubernetes scale panic window", imageBase + "shop/web:v1\n    scale:\n      min: 1\n      max: 4\n      target: {cpu: 70%}\n      panicWindow: 3s\n" + kubeEnv,
		9, "services.web.scale.panicWindow", "leave panicWindow out here"},
	{"kubernetes override to scale to zero", imageBase + "shop/web:v1\n    route: {host: web.localhost}\n    scale: {min: 1, max: 4, target: {cpu: 70%}}\n" + kubeEnv + "    overrides: {services: {web: {scale: {min: 0, max: 4, target: {cpu: 70%}}}}}\n",
		12, "services.web.scale.min", "0 (scale to zero)"},
}

func TestBadInputCatalogueKubeScale(t *testing.T) {
	runCatalogue(t, "spec kube scale", kubeScaleBadSpecs, catalogueOptions)
}

// TestKubeScaleOnCPU: a CPU target from one instance up is what a
// Kubernetes environment takes, beside a local one that may scale to
// zero through an override.
func TestKubeScaleOnCPU(t *testing.T) {
	src := imageBase + "shop/web:v1\n    route: {host: web.localhost}\n    scale: {min: 2, max: 8, target: {cpu: 70%}, stabilization: {up: 30s, down: 5m}}\n" +
		"environments:\n  staging:\n    overrides: {services: {web: {scale: {min: 0}}}}\n  prod:\n    platform:\n      kubernetes: {namespace: shop}\n"
	if _, err := ParseWith("slipway.yaml", []byte(src), catalogueOptions); err != nil {
		t.Fatal(err)
	}
}
