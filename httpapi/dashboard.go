package httpapi

import (
	"context"
	"net/http"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

// dashboardRoutes are what the dashboard needs of the API beyond what
// the CLI reads: who a credential is, a one-time login link, and the
// API's own description.
func (h *handler) dashboardRoutes() {
	h.mux.HandleFunc("GET /v1/whoami", h.whoami)
	h.mux.HandleFunc("POST /v1/dashboard/login", h.loginLink)
	h.mux.HandleFunc("GET /v1/openapi.json", h.openapi)
}

// whoami answers with the request's principal: the dashboard's token
// login checks a token with it.
func (h *handler) whoami(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	writeJSON(w, http.StatusOK, api.Whoami{Name: p.Name, Role: p.Role.String()})
}

// loginLink makes a one-time dashboard login link for the caller, with
// the caller's own role: over the Unix socket, the local user.
func (h *handler) loginLink(w http.ResponseWriter, r *http.Request) {
	if h.cfg.LoginLink == nil {
		writeError(w, h.cfg.Logger, store.NotFoundf("this server serves no dashboard"))
		return
	}
	p, _ := PrincipalFrom(r.Context())
	link, err := h.cfg.LoginLink(p)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, link)
}

// checkSeen refuses a rollout verb made from a view of the rollout that
// is out of date (req.IfRevision, req.IfStep): a stale dashboard page
// gets a conflict that says what moved, not a second promotion.
func checkSeen(tx store.Tx, name string, req api.RolloutRequest) error {
	if req.IfRevision == 0 && req.IfStep == nil {
		return nil
	}
	svc, err := getService(tx, name)
	if err != nil {
		return err
	}
	v, err := serviceView(tx, svc)
	if err != nil {
		return err
	}
	c := v.Canary
	if c == nil {
		return store.Conflictf("%s has no canary rollout any more: reload to see where it stands", name)
	}
	if req.IfRevision != 0 && c.Revision != req.IfRevision {
		return store.Conflictf("the rollout of %s moved: it is now of revision %d, you saw revision %d; reload and decide again", name, c.Revision, req.IfRevision)
	}
	if req.IfStep != nil && (c.Step != *req.IfStep || c.Outcome != "") {
		return store.Conflictf("the rollout of %s moved: it is at step %d of %d%s, you saw step %d; reload and decide again",
			name, c.Step+1, c.Steps, outcomeSuffix(c.Outcome), *req.IfStep+1)
	}
	return nil
}

func outcomeSuffix(outcome string) string {
	if outcome == "" {
		return ""
	}
	return " (" + outcome + ")"
}

type inProcessKey struct{}

// InProcess marks ctx as a request the server makes to its own API for
// a caller whose request was already counted by the rate limit (a
// dashboard page reads through several API calls): the limit does not
// count it again. Only code in the server's process can set it.
func InProcess(ctx context.Context) context.Context {
	return context.WithValue(ctx, inProcessKey{}, true)
}

func inProcess(ctx context.Context) bool { return ctx.Value(inProcessKey{}) != nil }
