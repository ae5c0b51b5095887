package kube

import (
	"maps"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/util/intstr"
	coreac "k8s.io/client-go/applyconfigurations/core/v1"
	metaac "k8s.io/client-go/applyconfigurations/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwac "sigs.k8s.io/gateway-api/applyconfiguration/apis/v1"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
)

// Target is where an environment's objects go: its namespace, the
// Gateway its routes attach to, and how its traffic is split.
type Target struct {
	App, Env, Namespace string
	Gateway             *spec.GatewayRef
	// ByReplicas splits traffic without Gateway API (traffic: replicas):
	// no HTTPRoute; the stable Service selects the pods that take the
	// traffic (see ReplicaService).
	ByReplicas bool
}

// RevisionService builds the Service in front of one revision's pods:
// what a route's backendRef names to weigh that revision.
func RevisionService(r Revision, namespace string) *coreac.ServiceApplyConfiguration {
	return service(r.Name(), namespace, r.labels(), r.selector())
}

// StableService builds the service's stable Service, <service>: it
// selects every revision's pods, as the local router's rolling route
// shares traffic between every ready instance, so that in-cluster
// clients reach the service by one name whatever the rollout.
func StableService(t Target, name string) *coreac.ServiceApplyConfiguration {
	l := map[string]string{LabelManagedBy: FieldManager, LabelApp: t.App, LabelService: name, LabelEnvironment: t.Env}
	return service(name, t.Namespace, l, map[string]string{LabelService: name, LabelEnvironment: t.Env})
}

func service(name, namespace string, labels, selector map[string]string) *coreac.ServiceApplyConfiguration {
	return coreac.Service(name, namespace).WithLabels(labels).WithSpec(coreac.ServiceSpec().
		WithSelector(selector).
		WithPorts(coreac.ServicePort().WithName("http").WithPort(servicePort).WithTargetPort(intstr.FromString("http"))))
}

// HTTPRoute builds a service's route from the entry the rollout's
// traffic policy made for it (rollout.Routes: the same policy drives the
// local router and the cluster). Its rules, most specific first:
//
//   - a preview (blue/green): requests carrying the revision's secret
//     in the preview header go to the previewed revision;
//   - a pin (canary header routes): requests whose header has a given
//     value go to that revision ("*": any value, written as a
//     RegularExpression match, which Gateways support as "extended");
//   - everything else: the weights, one backendRef per revision's
//     Service; no weights (a rolling update) send all to the stable
//     Service, which selects every revision.
//
// Instances (r.Backends) are not used: pods are reached through the
// Services, and a pod out of readiness is out of their endpoints.
func HTTPRoute(t Target, r router.Route) *gwac.HTTPRouteApplyConfiguration {
	l := map[string]string{LabelManagedBy: FieldManager, LabelApp: t.App, LabelService: r.Service, LabelEnvironment: t.Env}
	s := gwac.HTTPRouteSpec()
	if g := t.Gateway; g != nil {
		p := gwac.ParentReference().WithName(gwv1.ObjectName(g.Name))
		if g.Namespace != "" {
			p.WithNamespace(gwv1.Namespace(g.Namespace))
		}
		s.WithParentRefs(p)
	}
	for _, h := range append([]string{r.Host}, r.Hosts...) { // wildcards (*.shop.example) as Gateway API has them
		if h != "" {
			s.WithHostnames(gwv1.Hostname(h))
		}
	}
	path := r.Path
	if path == "" {
		path = "/"
	}
	if p := r.Preview; p != nil {
		s.WithRules(rule(path, header(p.Header, p.Key), backend(RevisionName(r.Service, p.Revision), 1)))
	}
	if p := r.Pin; p != nil && p.Header != "" {
		for _, v := range slices.Sorted(maps.Keys(p.Revisions)) {
			s.WithRules(rule(path, header(p.Header, v), backend(RevisionName(r.Service, p.Revisions[v]), 1)))
		}
	}
	s.WithRules(rule(path, nil, backends(r)...))
	return gwac.HTTPRoute(r.Service, t.Namespace).WithLabels(l).WithSpec(s)
}

// backends are the weighted backendRefs, by revision in order.
func backends(r router.Route) []*gwac.HTTPBackendRefApplyConfiguration {
	if len(r.Weights) == 0 {
		return []*gwac.HTTPBackendRefApplyConfiguration{backend(r.Service, 1)}
	}
	var out []*gwac.HTTPBackendRefApplyConfiguration
	for _, rev := range slices.Sorted(maps.Keys(r.Weights)) {
		out = append(out, backend(RevisionName(r.Service, rev), int32(r.Weights[rev])))
	}
	return out
}

func backend(service string, weight int32) *gwac.HTTPBackendRefApplyConfiguration {
	return gwac.HTTPBackendRef().WithName(gwv1.ObjectName(service)).WithPort(servicePort).WithWeight(weight)
}

func header(name, value string) *gwac.HTTPHeaderMatchApplyConfiguration {
	h := gwac.HTTPHeaderMatch().WithName(gwv1.HTTPHeaderName(name))
	if value == "*" {
		return h.WithType(gwv1.HeaderMatchRegularExpression).WithValue(".*")
	}
	return h.WithType(gwv1.HeaderMatchExact).WithValue(value)
}

func rule(path string, h *gwac.HTTPHeaderMatchApplyConfiguration, refs ...*gwac.HTTPBackendRefApplyConfiguration) *gwac.HTTPRouteRuleApplyConfiguration {
	m := gwac.HTTPRouteMatch().WithPath(gwac.HTTPPathMatch().WithType(gwv1.PathMatchPathPrefix).WithValue(path))
	if h != nil {
		m.WithHeaders(h)
	}
	return gwac.HTTPRouteRule().WithMatches(m).WithBackendRefs(refs...)
}

// ReplicaService builds the stable Service of a cluster that splits
// traffic by replicas (Target.ByReplicas), from the service's route
// entry: when one revision takes all the traffic (blue/green's active
// revision, a canary at 0% or 100%, a rolled-back candidate) it selects
// only that revision's pods, an exact switch as Argo Rollouts' blue/green
// makes; otherwise (a canary between, a rolling update) every
// revision's pods, and each revision's share is its share of the ready
// pods (rollout.EffectiveWeight). Header pins and previews cannot be expressed:
// a preview is reached at the revision's own Service.
func ReplicaService(t Target, r router.Route) *coreac.ServiceApplyConfiguration {
	s := StableService(t, r.Service)
	if rev, ok := soleRevision(r.Weights); ok {
		s.Spec.Selector[LabelRevision] = strconv.Itoa(rev)
	}
	return s
}

// soleRevision is the one revision with weight, if exactly one has.
func soleRevision(weights map[int]int) (int, bool) {
	rev, n := 0, 0
	for r, w := range weights {
		if w > 0 {
			rev, n = r, n+1
		}
	}
	return rev, n == 1
}

// metaSelector is a label selector of exact labels.
func metaSelector(l map[string]string) *metaac.LabelSelectorApplyConfiguration {
	return metaac.LabelSelector().WithMatchLabels(l)
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// revisionOf reads a revision number from an object's labels (0 when
// it has none).
func revisionOf(l map[string]string) int {
	n, _ := strconv.Atoi(l[LabelRevision])
	return n
}
