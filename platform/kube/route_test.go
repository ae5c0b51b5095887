package kube

import (
	"maps"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
)

var target = Target{App: "shop", Env: "prod", Namespace: "shop", Gateway: &spec.GatewayRef{Name: "public", Namespace: "infra"}}

// TestHTTPRoute turns the traffic policy's entries (what rollout.Routes
// gives the local router) into routes: each row's fragments must be in
// the route's JSON, in order.
func TestHTTPRoute(t *testing.T) {
	base := router.Route{Service: "order", Host: "order.example.com", Path: "/api"}
	with := func(edit func(*router.Route)) router.Route { r := base; edit(&r); return r }
	for _, tc := range []struct {
		name string
		r    router.Route
		want []string
	}{
		{"rolling: the stable Service", base, []string{
			`"parentRefs":[{"namespace":"infra","name":"public"}]`, `"hostnames":["order.example.com"]`,
			`"rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/api"}}],"backendRefs":[{"name":"order","port":80,"weight":1}]}]`}},
		{"canary 10%", with(func(r *router.Route) { r.Weights = map[int]int{3: 90, 4: 10} }), []string{
			`"backendRefs":[{"name":"order-r3","port":80,"weight":90},{"name":"order-r4","port":80,"weight":10}]`}},
		{"blue/green switched", with(func(r *router.Route) { r.Weights = map[int]int{4: 100} }), []string{
			`"backendRefs":[{"name":"order-r4","port":80,"weight":100}]`}},
		{"blue/green preview first", with(func(r *router.Route) {
			r.Weights = map[int]int{3: 100}
			r.Preview = &router.Preview{Header: "X-Slipway-Preview", Key: "s3cret", Revision: 4}
		}), []string{
			`"headers":[{"type":"Exact","name":"X-Slipway-Preview","value":"s3cret"}]}],"backendRefs":[{"name":"order-r4","port":80,"weight":1}]}`,
			`"backendRefs":[{"name":"order-r3","port":80,"weight":100}]`}},
		{"canary header, any value", with(func(r *router.Route) {
			r.Weights = map[int]int{3: 100, 4: 0}
			r.Pin = &router.Pin{Header: "X-Canary", Revisions: map[string]int{"*": 4}}
		}), []string{`{"type":"RegularExpression","name":"X-Canary","value":".*"}`, `{"name":"order-r4","port":80,"weight":0}`}},
		{"no host, no path", router.Route{Service: "order", Path: ""}, []string{`"value":"/"`}},
		{"every host of the spec's route", router.Route{Service: "order", Hosts: []string{"order.example.com", "*.shop.example"}},
			[]string{`"hostnames":["order.example.com","*.shop.example"]`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := jsonOf(t, HTTPRoute(target, tc.r))
			at := 0
			for _, w := range tc.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("route lacks (in order) %s\n%s", w, got)
				}
				at += i
			}
		})
	}
	if got := jsonOf(t, HTTPRoute(Target{Namespace: "shop"}, base)); strings.Contains(got, "parentRefs") {
		t.Errorf("a route without a Gateway names a parent: %s", got)
	}
}

// TestReplicaService: the stable Service selects the one revision that
// takes all the traffic, else every revision's pods.
func TestReplicaService(t *testing.T) {
	tg := Target{App: "shop", Env: "prod", Namespace: "shop", ByReplicas: true}
	for _, tc := range []struct {
		weights map[int]int
		want    map[string]string
	}{
		{nil, map[string]string{LabelService: "order", LabelEnvironment: "prod"}},                                     // rolling
		{map[int]int{3: 100}, map[string]string{LabelService: "order", LabelEnvironment: "prod", LabelRevision: "3"}}, // blue/green
		{map[int]int{3: 0, 4: 100}, map[string]string{LabelService: "order", LabelEnvironment: "prod", LabelRevision: "4"}},
		{map[int]int{3: 90, 4: 10}, map[string]string{LabelService: "order", LabelEnvironment: "prod"}}, // canary: by pods
	} {
		got := ReplicaService(tg, router.Route{Service: "order", Weights: tc.weights}).Spec.Selector
		if !maps.Equal(got, tc.want) {
			t.Errorf("weights %v: selector %v, want %v", tc.weights, got, tc.want)
		}
	}
}
