package httpapi

import (
	"context"
	"crypto/subtle"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/internal/ratelimit"
	"github.com/slipway-dev/slipway/notify"
	"github.com/slipway-dev/slipway/secret"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Artifacts is the content-addressed file store artifacts go to.
type Artifacts interface {
	Has(digest string) bool
	PutVerified(r io.Reader, want string) error
}

// LogReader returns an instance's last log lines.
type LogReader interface {
	Logs(ctx context.Context, id string, n int) ([]string, error)
}

// Config wires the API to the rest of the server.
type Config struct {
	Store     store.Store
	Artifacts Artifacts
	// Images, when set, is the image store that image versions, specs
	// with image: and image uploads use.
	Images Images
	Logs   LogReader
	Clock  clock.Clock
	// Enqueue asks the controllers for a pass over a key.
	Enqueue func(key queue.Key)
	// DataDir is the server's data folder (absolute): no volume may be
	// inside it; empty checks nothing.
	DataDir string
	// Changes returns a channel closed at the next committed store write.
	Changes func() <-chan struct{}
	// Tokens are the bearer tokens the API accepts, each with its role.
	// A request that carries none and whose connection carries no
	// principal (see WithPrincipal) is refused, the health check aside.
	Tokens Tokens
	// Limit, when set, limits each principal's requests (429 with
	// Retry-After past it); the health check is not limited.
	Limit *ratelimit.Limiter
	// TokenAdmin, when set, serves /v1/tokens (admins only).
	TokenAdmin TokenAdmin
	// Token, when set and Tokens is not, is the one admin token (for
	// tests and embedders). With neither, the API trusts every request
	// whose Host is a loopback name as an admin: never what a server
	// does, since any local user could then act as the server's user.
	Token   string
	Logger  *slog.Logger
	Version string
	// Metrics, when set, serves GET /metrics (Prometheus format).
	Metrics http.Handler
	// History, when set, serves the recorded traffic (/v1/history).
	History History
	// Envs are the environments the server hosts. Unset, the server has
	// one, "default", made of Store, Logs, Enqueue, Changes, Metrics and
	// History.
	Envs Environments
	// Pipeline, when set, serves versions, deploys, promotions and
	// approvals.
	Pipeline Pipeline
	// Limits bound the instances a spec may ask for (zero: defaults).
	Limits Limits
	// Routers says where a spec may put an environment's router (zero:
	// loopback only).
	Routers RouterPolicy
	// Backup, when set, serves POST /v1/backup: it takes a consistent
	// copy of the server's data, which the handler streams then closes.
	Backup func(ctx context.Context) (Snapshot, error)
	// LoginLink, when set, serves POST /v1/dashboard/login: it returns a
	// one-time dashboard login link for the principal p (see
	// dashboard.Dashboard.Grant).
	LoginLink func(p Principal) (api.LoginLink, error)
	// Secrets, when set, seals the secrets an apply or `secret set`
	// sends (package secret); without it they are refused.
	Secrets *secret.Box
	// Links, when set, checks the approval links notifications carry
	// (package notify; the server's --public-url); without it they are
	// refused.
	Links *notify.Links
}

type handler struct {
	cfg      Config
	mux      *http.ServeMux
	doraLogs doraLogs
}

// New returns the API's http.Handler.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Envs == nil {
		cfg.Envs = single{&Env{Name: spec.DefaultEnvironment, Store: cfg.Store, Logs: cfg.Logs,
			Enqueue: cfg.Enqueue, Changes: cfg.Changes, Metrics: cfg.Metrics, History: cfg.History}}
	}
	if cfg.Tokens == nil && cfg.Token != "" {
		cfg.Tokens = oneToken(cfg.Token)
	}
	h := &handler{cfg: cfg, mux: http.NewServeMux()}
	h.routes()
	return h
}

func (h *handler) routes() {
	m := h.mux
	m.HandleFunc("GET /v1/health", h.health)
	m.HandleFunc("POST /v1/validate", h.validate)
	m.HandleFunc("POST /v1/plan", h.plan)
	m.HandleFunc("POST /v1/apply", h.apply)
	m.HandleFunc("GET /v1/operations", h.operations)
	m.HandleFunc("GET /v1/operations/{id}", h.operation)
	m.HandleFunc("GET /v1/services", h.services)
	m.HandleFunc("GET /v1/services/{name}", h.service)
	m.HandleFunc("GET /v1/services/{name}/revisions", h.revisions)
	m.HandleFunc("POST /v1/services/{name}/rollback", h.rollback)
	m.HandleFunc("POST /v1/services/{name}/promote", h.rolloutVerb)
	m.HandleFunc("POST /v1/services/{name}/rollout/{verb}", h.rolloutVerb)
	m.HandleFunc("GET /v1/services/{name}/logs", h.logs)
	m.HandleFunc("GET /v1/kube/manifests", h.kubeManifests)
	m.HandleFunc("GET /v1/services/{name}/jobs", h.jobs)
	m.HandleFunc("POST /v1/services/{name}/jobs/{job}/run", h.runJob)
	m.HandleFunc("GET /v1/volumes", h.volumes)
	m.HandleFunc("DELETE /v1/volumes/{name}", h.removeVolume)
	m.HandleFunc("GET /v1/services/{name}/history", h.serviceHistory)
	m.HandleFunc("GET /v1/history", h.routerHistory)
	m.HandleFunc("GET /v1/events", h.events)
	m.HandleFunc("POST /v1/services/{name}/restart", h.restart)
	m.HandleFunc("POST /v1/services/{name}/scale", h.scale)
	m.HandleFunc("POST /v1/services/{name}/exec", h.execInService)
	m.HandleFunc("GET /v1/secrets", h.listSecrets)
	m.HandleFunc("POST /v1/secrets/{name}", h.setSecret)
	m.HandleFunc("GET /v1/certificates", h.certificates)
	m.HandleFunc("GET /v1/dora", h.dora)
	m.HandleFunc("GET /v1/dora/trend", h.doraTrend)
	m.HandleFunc("GET /v1/incidents", h.listIncidents)
	m.HandleFunc("POST /v1/incidents", h.openIncident)
	m.HandleFunc("POST /v1/incidents/{id}/resolve", h.resolveIncident)
	m.HandleFunc("GET /v1/flags", h.flagList)
	m.HandleFunc("GET /v1/flags/{key}", h.flagGet)
	m.HandleFunc("POST /v1/flags/{key}/{verb}", h.flagVerb)
	m.HandleFunc("GET /v1/configs", h.configList)
	m.HandleFunc("GET /v1/configs/{name}", h.configGet)
	m.HandleFunc("GET /v1/configs/{name}/versions", h.configVersions)
	m.HandleFunc("POST /v1/configs/{name}/versions", h.configEdit)
	m.HandleFunc("GET /v1/configs/{name}/diff", h.configDiff)
	m.HandleFunc("POST /v1/configs/{name}/stop", h.configStop)
	m.HandleFunc("HEAD /v1/artifacts/{digest}", h.hasArtifact)
	m.HandleFunc("PUT /v1/artifacts/{digest}", h.putArtifact)
	h.imageRoutes()
	m.HandleFunc("GET /v1/environments", h.environmentsList)
	m.HandleFunc("POST /v1/backup", h.backup)
	h.pipelineRoutes()
	h.linkRoutes()
	h.mux.HandleFunc("GET /v1/notifications", h.notifications)
	h.tokenRoutes()
	h.dashboardRoutes()
	m.HandleFunc("GET /metrics", h.metrics)
}

// ServeHTTP checks where a request comes from and who makes it, then
// routes it.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.guard(r); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	r, err := h.withEnv(r)
	if err == nil {
		r, err = h.authorize(r)
	}
	if err == nil {
		err = h.limit(w, r)
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// metrics serves the environment's router metrics.
func (h *handler) metrics(w http.ResponseWriter, r *http.Request) {
	if m := h.in(r).Metrics; m != nil {
		m.ServeHTTP(w, r)
		return
	}
	http.NotFound(w, r)
}

func mutates(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// guard refuses what a browser could be tricked into sending: a change
// must be same-origin JSON, which a cross-site form or "simple" fetch
// cannot send. An API without tokens (tests, embedders) also wants a
// loopback Host (no DNS rebinding); one with tokens needs no such check,
// as a rebinding page has no token to send.
func (h *handler) guard(r *http.Request) error {
	if h.cfg.Tokens == nil && !loopbackHost(r.Host) {
		return forbidden{"host " + strconv.Quote(r.Host) + " is not a loopback name; this server has no token and only answers on loopback"}
	}
	if !mutates(r.Method) {
		return nil
	}
	if strings.HasPrefix(r.URL.Path, notify.LinkPath) {
		// An approval link's form: the signed link is its credential, not
		// anything a browser adds on its own, so a cross-site form gains
		// nothing; and behind a proxy the Origin is the public URL's.
		return nil
	}
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
		return forbidden{"cross-origin request from " + o + " refused"}
	}
	if ct := r.Header.Get("Content-Type"); r.Method == http.MethodPost && !isJSON(ct) {
		return unsupportedMedia{ct}
	}
	return nil
}

// LoopbackHost reports whether hostport (a Host header) names the
// loopback interface: what a DNS-rebinding page cannot send.
func LoopbackHost(hostport string) bool { return loopbackHost(hostport) }

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == host
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// oneToken is a single admin token.
type oneToken string

// Lookup implements Tokens.
func (t oneToken) Lookup(value string) (Principal, bool) {
	if subtle.ConstantTimeCompare([]byte(value), []byte(t)) != 1 {
		return Principal{}, false
	}
	return Principal{Name: "token:admin", Role: RoleAdmin}, true
}

func (h *handler) health(w http.ResponseWriter, r *http.Request) {
	out := api.Health{Status: "ok", Version: h.cfg.Version}
	e, err := h.cfg.Envs.Get(spec.DefaultEnvironment)
	if err != nil {
		writeJSON(w, http.StatusOK, out)
		return
	}
	_ = e.Store.View(r.Context(), func(tx store.Tx) error {
		if a, err := tx.GetApp(); err == nil {
			out.App = a.Name
		}
		return nil
	})
	writeJSON(w, http.StatusOK, out)
}

// queryInt reads an integer query parameter, def when absent.
func queryInt(r *http.Request, name string, def int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, badRequest{name + ": want a non-negative integer, got " + strconv.Quote(s)}
	}
	return n, nil
}
