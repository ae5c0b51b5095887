package spec

import (
	"sort"
	"strconv"
)

// Platform says where an environment's services run. Empty (the
// default) runs them on the server's machine, as processes or
// containers; Kubernetes runs them in a cluster.
//
//	environments:
//	  prod:
//	    platform:
//	      kubernetes: {context: prod-cluster, namespace: shop, gateway: {name: public, namespace: infra}}
type Platform struct {
	// Kubernetes runs the environment's services in a cluster: a
	// revision is a Deployment, traffic goes through a Gateway API
	// HTTPRoute (see platform/kube).
	Kubernetes *Kubernetes `yaml:"kubernetes,omitempty" json:"kubernetes,omitempty"`
}

// Kubernetes is a cluster, a namespace in it, and the Gateway that takes
// the environment's traffic.
type Kubernetes struct {
	// Context is the kubeconfig context to use (kubeconfig as kubectl
	// finds it); empty uses the current context, or the in-cluster
	// configuration when the server runs inside a cluster.
	Context string `yaml:"context,omitempty" json:"context,omitempty"`
	// Namespace holds every object of the environment; it must exist.
	Namespace string `yaml:"namespace" json:"namespace"`
	// Gateway is the Gateway API Gateway that the environment's
	// HTTPRoutes attach to (nil: routes attach to none; a Gateway may
	// still select them).
	Gateway *GatewayRef `yaml:"gateway,omitempty" json:"gateway,omitempty"`
	// Traffic is how a canary's or blue/green's traffic is split:
	// TrafficGateway (the default) by a Gateway API HTTPRoute's weights,
	// exactly; TrafficReplicas, for a cluster without Gateway API, by
	// the stable Service's selector and the revisions' pod counts, as
	// Argo Rollouts does without a traffic router.
	Traffic string `yaml:"traffic,omitempty" json:"traffic,omitempty"`
}

// The ways a Kubernetes environment splits traffic (Kubernetes.Traffic).
const (
	TrafficGateway  = "gateway"
	TrafficReplicas = "replicas"
)

// SplitsByReplicas reports whether the environment splits traffic by
// pod counts behind its stable Service (traffic: replicas): a blue/green
// switch is exact (the Service selects the active revision's pods), a
// canary's weight is approximate, its share of the pods.
func (k *Kubernetes) SplitsByReplicas() bool { return k != nil && k.Traffic == TrafficReplicas }

// GatewayRef names a Gateway.
type GatewayRef struct {
	Name string `yaml:"name" json:"name"`
	// Namespace is the Gateway's (default: the environment's namespace).
	Namespace string `yaml:"namespace,omitempty" json:"namespace,omitempty"`
}

// Kube returns the environment's Kubernetes platform, or nil when it
// runs on the server's machine.
func (e *Environment) Kube() *Kubernetes {
	if e == nil {
		return nil
	}
	return e.Platform.Kubernetes
}

func (p Platform) clone() Platform {
	if p.Kubernetes == nil {
		return p
	}
	k := *p.Kubernetes
	if k.Gateway != nil {
		g := *k.Gateway
		k.Gateway = &g
	}
	return Platform{Kubernetes: &k}
}

// platform checks an environment's platform: a namespace and a
// gateway's names are DNS labels (Kubernetes' rule for namespaces and
// the names Slipway gives), and Slipway's router is not the
// environment's ingress.
func (v *validator) platform(p string, e *Environment) {
	k := e.Kube()
	if k == nil {
		if v.set(p + ".platform") {
			v.addf(p+".platform", "want kubernetes: {namespace: NAME}, or leave platform out to run on the server's machine")
		}
		return
	}
	p += ".platform.kubernetes"
	switch {
	case k.Namespace == "":
		v.addf(p+".namespace", "required: the namespace that holds the environment's objects, a DNS label like shop")
	case !isDNSLabel(k.Namespace):
		v.addf(p+".namespace", "invalid namespace %q: %s", k.Namespace, dnsLabelRule)
	}
	if g := k.Gateway; g != nil {
		if !isDNSLabel(g.Name) {
			v.addf(p+".gateway.name", "want the Gateway's name, a DNS label like public; got %q", g.Name)
		}
		if g.Namespace != "" && !isDNSLabel(g.Namespace) {
			v.addf(p+".gateway.namespace", "invalid namespace %q: %s", g.Namespace, dnsLabelRule)
		}
	}
	switch k.Traffic {
	case "", TrafficGateway:
	case TrafficReplicas:
		if k.Gateway != nil {
			v.addf(p+".gateway", "traffic: replicas splits by pod counts behind the stable Service and attaches nothing to a Gateway: leave gateway out, or leave traffic out to route through the Gateway")
		}
	default:
		v.addf(p+".traffic", "want gateway (an HTTPRoute's weights, exact; the default) or replicas (pod counts behind the stable Service, for a cluster without Gateway API); got %q", k.Traffic)
	}
	if e.Router != "" {
		v.addf("environments."+e.Name+".router", "a Kubernetes environment takes traffic through its Gateway, not Slipway's router: leave router out")
	}
}

// kubeServices checks the services of a Kubernetes environment, after
// its overrides: each runs an image, and needs nothing only Slipway's
// router can do (its metrics, mirroring, sticky cookies), nor, split
// by replicas, a header route. Problems are
// at the lines idx (the merged services', so an override's own line)
// locates.
func kubeServices(env string, k *Kubernetes, services map[string]*Service, idx index, file string) Problems {
	var out Problems
	add := func(path, msg string) {
		pos := idx.nearest(path)
		out.add(Problem{File: file, Line: pos.line, Column: pos.column, Path: path,
			Message: "in Kubernetes environment " + env + ": " + msg})
	}
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		s := services[name]
		p := "services." + name
		if s.Image == "" {
			add(p+".run", "service "+name+" runs a host command (run:); pods run images: give image: (in the service, or in environments."+env+".overrides.services."+name+")")
		}
		kubeScale(p, s.Scale, add)
		c := s.Strategy.Canary
		if s.Strategy.ParallelRun != nil {
			add(p+".strategy.parallelRun", "a parallel run mirrors requests through Slipway's router, which is not in a Kubernetes environment's path (its Gateway is): use canary or blueGreen here")
		}
		if c == nil {
			continue
		}
		for i, st := range c.Steps {
			if st.SetHeaderRoute != nil && k.SplitsByReplicas() {
				add(p+".strategy.canary.steps["+strconv.Itoa(i)+"].setHeaderRoute",
					"traffic: replicas splits by pod counts behind one Service, which cannot match headers: route through a Gateway (leave traffic out), or leave the step out")
			}
		}
		if c.Stickiness != nil {
			add(p+".strategy.canary.stickiness", "stickiness is kept by Slipway's router, which is not in a Kubernetes environment's path: leave it out here")
		}
		if c.Analysis == nil {
			continue
		}
		for i, m := range c.Analysis.Metrics {
			if m.Provider == ProviderRouter {
				add(p+".strategy.canary.analysis.metrics["+strconv.Itoa(i)+"].provider",
					"the router provider measures Slipway's router, which is not in a Kubernetes environment's path: measure the Gateway with provider: prometheus")
			}
		}
	}
	return out
}
