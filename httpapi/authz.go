package httpapi

import (
	"math"
	"net/http"
	"strconv"

	"github.com/slipway-dev/slipway/store"
)

// minRole is the authorization table: each route's weakest role. A
// route missing from it needs an admin (fail closed); a request that
// matches no route needs a viewer (it will get a 404 or 405).
var minRole = map[string]Role{
	"GET /v1/health":                            RoleNone, // open: no credentials
	"POST /v1/validate":                         RoleViewer,
	"POST /v1/plan":                             RoleViewer,
	"POST /v1/apply":                            RoleDeployer,
	"GET /v1/operations":                        RoleViewer,
	"GET /v1/operations/{id}":                   RoleViewer,
	"GET /v1/services":                          RoleViewer,
	"GET /v1/services/{name}":                   RoleViewer,
	"GET /v1/services/{name}/revisions":         RoleViewer,
	"POST /v1/services/{name}/rollback":         RoleDeployer,
	"POST /v1/services/{name}/promote":          RoleDeployer,
	"POST /v1/services/{name}/rollout/{verb}":   RoleDeployer,
	"GET /v1/services/{name}/jobs":              RoleViewer,
	"POST /v1/services/{name}/jobs/{job}/run":   RoleDeployer,
	"GET /v1/volumes":                           RoleViewer,
	"DELETE /v1/volumes/{name}":                 RoleDeployer,
	"GET /v1/services/{name}/logs":              RoleViewer,
	"GET /v1/kube/manifests":                    RoleViewer,
	"GET /v1/events":                            RoleViewer,
	"POST /v1/services/{name}/restart":          RoleDeployer,
	"POST /v1/services/{name}/scale":            RoleDeployer,
	"POST /v1/services/{name}/exec":             RoleAdmin,  // runs anything as the instance, with its secrets
	"GET /v1/secrets":                           RoleViewer, // names, versions, who: never values
	"POST /v1/secrets/{name}":                   RoleDeployer,
	"GET /v1/history":                           RoleViewer,
	"GET /v1/services/{name}/history":           RoleViewer,
	"GET /v1/certificates":                      RoleViewer,
	"GET /v1/dora":                              RoleViewer,
	"GET /v1/dora/trend":                        RoleViewer,
	"GET /v1/incidents":                         RoleViewer,
	"POST /v1/incidents":                        RoleDeployer,
	"POST /v1/incidents/{id}/resolve":           RoleDeployer,
	"GET /v1/flags":                             RoleViewer,
	"GET /v1/flags/{key}":                       RoleViewer,
	"POST /v1/flags/{key}/{verb}":               RoleAdmin,
	"GET /v1/configs":                           RoleViewer,
	"GET /v1/configs/{name}":                    RoleViewer,
	"GET /v1/configs/{name}/versions":           RoleViewer,
	"POST /v1/configs/{name}/versions":          RoleDeployer,
	"GET /v1/configs/{name}/diff":               RoleViewer,
	"POST /v1/configs/{name}/stop":              RoleDeployer,
	"GET /v1/configs/{name}/values":             RoleEvaluator, // what an instance reads, as OFREP's flags
	"GET /v1/configs/{name}/stream":             RoleEvaluator,
	"HEAD /v1/artifacts/{digest}":               RoleViewer,
	"PUT /v1/artifacts/{digest}":                RoleDeployer,
	"PUT /v1/images":                            RoleDeployer,
	"GET /v1/environments":                      RoleViewer,
	"POST /v1/versions":                         RoleDeployer,
	"GET /v1/versions":                          RoleViewer,
	"POST /v1/services/{name}/deploy":           RoleDeployer,
	"POST /v1/services/{name}/promote-env":      RoleDeployer,
	"POST /v1/services/{name}/approve":          RoleDeployer,
	"POST /v1/services/{name}/promotion/cancel": RoleDeployer,
	"GET /v1/pipeline/{name}":                   RoleViewer,
	"GET /v1/notifications":                     RoleViewer,
	"GET /v1/links/approval/{token}":            RoleNone, // the link's signature is its credential (notify)
	"POST /v1/links/approval/{token}":           RoleNone,
	"POST /v1/down":                             RoleAdmin,
	"GET /metrics":                              RoleViewer,
	"GET /v1/whoami":                            RoleEvaluator,
	"POST /v1/dashboard/login":                  RoleViewer,
	"GET /v1/openapi.json":                      RoleNone, // open: it describes, it reveals nothing stored
}

// scopedRoutes are all an instance's own credential may ask for; the
// handlers then check the instance and the config (scopeConfig).
var scopedRoutes = map[string]bool{
	"GET /v1/configs/{name}/values": true,
	"GET /v1/configs/{name}/stream": true,
}

// routeRole returns the weakest role that may make request r.
func (h *handler) routeRole(r *http.Request) Role {
	_, pattern := h.mux.Handler(r)
	if pattern == "" {
		return RoleViewer
	}
	if min, ok := minRole[pattern]; ok {
		return min
	}
	return RoleAdmin
}

// authenticate returns who makes r: the principal its connection carries
// (a Unix socket peer), else its bearer token's. ok is false when r
// carries no credentials the server knows.
func (h *handler) authenticate(r *http.Request) (p Principal, ok bool) {
	if p, ok := PrincipalFrom(r.Context()); ok && p.Role != RoleNone {
		return p, true
	}
	if h.cfg.Tokens == nil { // guard checked the Host: see Config.Tokens
		return Principal{Name: "loopback", Role: RoleAdmin}, true
	}
	if tok, found := bearer(r); found {
		if p, ok := h.cfg.Tokens.Lookup(tok); ok {
			return p, true
		}
	}
	if p, ok := PrincipalFrom(r.Context()); ok {
		return p, true // a socket peer with no role: refused as itself
	}
	return Principal{}, false
}

// bearer returns the request's bearer token.
func bearer(r *http.Request) (string, bool) {
	const prefix = "Bearer "
	got := r.Header.Get("Authorization")
	if len(got) <= len(prefix) || got[:len(prefix)] != prefix {
		return "", false
	}
	return got[len(prefix):], true
}

// authorize checks r's credentials against the table and returns r with
// its principal in its context.
func (h *handler) authorize(r *http.Request) (*http.Request, error) {
	min := h.routeRole(r)
	if min == RoleNone {
		return r, nil
	}
	p, ok := h.authenticate(r)
	if !ok {
		return nil, unauthorized{}
	}
	if !p.Role.Allows(min) {
		return nil, forbidden{p.Name + " (role " + p.Role.String() + ") may not " + r.Method + " " + r.URL.Path + ": it needs the role " + min.String() + " or stronger"}
	}
	if _, pattern := h.mux.Handler(r); p.Instance != "" && !scopedRoutes[pattern] {
		return nil, forbidden{p.Name + " (an instance's credential) may only read its configs: GET /v1/configs/NAME/values or /stream"}
	}
	// Events the request's transactions append record who made it.
	return r.WithContext(store.WithActor(WithPrincipal(r.Context(), p), p.Name)), nil
}

// who is the principal a handler records as having made r.
func who(r *http.Request) string {
	if p, ok := PrincipalFrom(r.Context()); ok {
		return p.Name
	}
	return "unknown"
}

// limit takes one request from the bucket of r's principal; past the
// limit it sets Retry-After and returns tooManyRequests.
func (h *handler) limit(w http.ResponseWriter, r *http.Request) error {
	p, ok := PrincipalFrom(r.Context())
	if !ok || inProcess(r.Context()) {
		return nil // the open health check; a dashboard page's reads
	}
	allowed, wait := h.cfg.Limit.Allow(p.Name)
	if allowed {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return tooManyRequests{p.Name, secs}
}
