package kube

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/slipway-dev/slipway/router"
)

// Manifests renders what Slipway applies for an environment as YAML
// documents, for review before it is applied (GitOps): per service (by
// name), its revisions' Deployments (an autoscaled one's without
// replicas, followed by its HorizontalPodAutoscaler) and Services (by
// number), its stable Service, then its HTTPRoute (split by replicas:
// the stable Service selecting the pods that take the traffic, no
// route). The objects are the ones the
// Cluster writes (Deployment, RevisionService, StableService,
// HTTPRoute), so what is reviewed is what is applied. Deterministic:
// the same revisions and routes give the same bytes (keys sorted).
func Manifests(t Target, revs []Revision, routes []router.Route) ([]byte, error) {
	slices.SortFunc(revs, func(a, b Revision) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Number, b.Number))
	})
	byService := map[string]router.Route{}
	for _, r := range routes {
		byService[r.Service] = r
	}
	var docs []any
	for i, r := range revs {
		r.App, r.Env = t.App, t.Env
		d, err := Deployment(r, t.Namespace)
		if err != nil {
			return nil, err
		}
		if keys := secretKeys(r); len(keys) > 0 {
			docs = append(docs, fmt.Sprintf("# Secret %s/%s (applied too, never printed) holds env %s\n",
				t.Namespace, SecretName(r), strings.Join(keys, ", ")))
		}
		docs = append(docs, d)
		if r.Autoscaled {
			h, err := HPA(r, t.Namespace)
			if err != nil {
				return nil, err
			}
			docs = append(docs, h)
		}
		docs = append(docs, RevisionService(r, t.Namespace))
		if i+1 < len(revs) && revs[i+1].Service == r.Service {
			continue // the service's last revision closes it
		}
		rt, routed := byService[r.Service]
		switch {
		case t.ByReplicas && routed:
			docs = append(docs, ReplicaService(t, rt))
		case t.ByReplicas:
			docs = append(docs, ReplicaService(t, router.Route{Service: r.Service}))
		case routed:
			docs = append(docs, StableService(t, r.Service), HTTPRoute(t, rt))
		default:
			docs = append(docs, StableService(t, r.Service))
		}
	}
	var out bytes.Buffer
	note := ""
	for _, d := range docs {
		if c, ok := d.(string); ok { // a comment: atop the next document
			note = c
			continue
		}
		b, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("manifests: %w", err)
		}
		y, err := yaml.JSONToYAML(b)
		if err != nil {
			return nil, fmt.Errorf("manifests: %w", err)
		}
		out.WriteString("---\n" + note)
		out.Write(y)
		note = ""
	}
	return out.Bytes(), nil
}
