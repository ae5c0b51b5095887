package httpapi

import (
	"net/http"
)

// kubeManifests serves what Slipway applies to a Kubernetes
// environment's cluster, as YAML, for review (slipway kube manifests);
// with ?install=true&namespace=NS&image=REF, what installs the server
// inside that cluster (slipway kube manifests --install).
func (h *handler) kubeManifests(w http.ResponseWriter, r *http.Request) {
	env := h.in(r)
	if env.Manifests == nil {
		writeError(w, h.cfg.Logger, badRequest{"environment " + quote(env.Name) + " does not run on Kubernetes: its spec names no platform.kubernetes"})
		return
	}
	var b []byte
	var err error
	if q := r.URL.Query(); q.Get("install") == "true" && env.Install != nil {
		b, err = env.Install(q.Get("namespace"), q.Get("image"))
	} else {
		b, err = env.Manifests(r.Context())
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(b)
}
