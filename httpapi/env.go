package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Env is one environment the server hosts: its own store (desired state,
// revisions, instances, events, flags), instances and router.
type Env struct {
	Name  string
	Store store.Store
	Logs  LogReader
	// Exec, when set, runs commands as its instances run (slipway exec).
	Exec Execer
	// Enqueue asks the environment's controllers for a pass over a key.
	Enqueue func(key queue.Key)
	// Changes returns a channel closed at the next committed write.
	Changes func() <-chan struct{}
	// Metrics, when set, serves GET /metrics (Prometheus format).
	Metrics http.Handler
	// RouterURL is where its users' traffic goes (http://host:port).
	RouterURL string
	// Down is set while it is being taken down.
	Down bool
	// History, when set, serves its recorded traffic (/v1/history).
	History History
	// Pods, when set, are the instances of an environment whose platform
	// keeps them itself (Kubernetes): status lists them and logs reads
	// them, instead of the store's instances.
	Pods Pods
	// Manifests, when set (a Kubernetes environment), renders the YAML
	// Slipway applies to its cluster.
	Manifests func(ctx context.Context) ([]byte, error)
	// Install, when set (a Kubernetes environment), renders the YAML
	// that runs the server inside a cluster in namespace with image,
	// with a Role in the environment's namespace.
	Install func(namespace, image string) ([]byte, error)
}

// Pods are a platform's own instances (Kubernetes pods), and its own
// autoscalers (HorizontalPodAutoscalers).
type Pods interface {
	// Autoscalers lists the autoscalers of a service's revisions, by
	// revision; an ErrUnavailable error when the platform cannot read
	// them now.
	Autoscalers(ctx context.Context, service string) ([]api.HPA, error)
	// Instances lists a service's instances, by name.
	Instances(ctx context.Context, service string) ([]api.Instance, error)
	// Logs returns the last n lines of an instance's log: a not-found
	// error (store.ErrNotFound) when there is no such instance, an
	// ErrUnavailable one when the platform cannot read it now.
	Logs(ctx context.Context, id string, n int) ([]string, error)
}

// Environments are the environments a server hosts.
type Environments interface {
	// Get returns an environment; a not-found error when the server has
	// none of that name.
	Get(name string) (*Env, error)
	// Open returns the environment app (a spec resolved for it, see
	// spec.Options.Environment) is applied to, creating it the first
	// time.
	Open(name string, app *spec.App) (*Env, error)
	// List returns every environment, "default" first, then by name.
	List() []*Env
	// Production names the production environment (the latest applied
	// spec's, spec.App.Production).
	Production() string
	// Down asks for an environment to be taken down, by whom, and
	// returns once that is recorded: the server then stops its
	// controllers (none may start an instance meanwhile), drains and
	// stops its instances and removes its services (their history
	// stays). Env.Down is set until it is over. A conflict when it is
	// already going down.
	Down(ctx context.Context, name, by string) error
}

// HeaderEnv names the environment a request is about; the query
// parameter env does too. Neither means spec.DefaultEnvironment.
const HeaderEnv = api.HeaderEnv

// requestedEnv is the environment a request names.
func requestedEnv(r *http.Request) (string, error) {
	name := r.URL.Query().Get("env")
	if name == "" {
		name = r.Header.Get(HeaderEnv)
	}
	if name == "" {
		return spec.DefaultEnvironment, nil
	}
	if err := spec.CheckEnvironmentName(name); err != nil {
		return "", badRequest{HeaderEnv + " or ?env=: " + err.Error() + ", like dev, staging or prod"}
	}
	return name, nil
}

func quote(s string) string { return `"` + s + `"` }

type envKey struct{}

// in returns the environment ServeHTTP resolved for r.
func (h *handler) in(r *http.Request) *Env {
	e, _ := r.Context().Value(envKey{}).(*Env)
	return e
}

// withEnv resolves the request's environment. An apply may name one the
// server does not host yet (it creates it); so may requests that need no
// environment.
func (h *handler) withEnv(r *http.Request) (*http.Request, error) {
	name, err := requestedEnv(r)
	if err != nil {
		return r, err
	}
	e, err := h.cfg.Envs.Get(name)
	if err != nil {
		if !envless(r) {
			return r, err
		}
		e = &Env{Name: name}
	}
	if e.Down && mutates(r.Method) && r.URL.Path != "/v1/down" {
		return r, store.Conflictf("environment %s is being taken down: nothing in it changes until that is over (slipway env list)", name)
	}
	return r.WithContext(context.WithValue(r.Context(), envKey{}, e)), nil
}

// envless reports whether a request may name an environment the server
// does not host yet.
func envless(r *http.Request) bool {
	p := r.URL.Path
	return p == "/v1/health" || p == "/v1/apply" || p == "/v1/validate" || p == "/v1/plan" || p == "/v1/environments" ||
		strings.HasPrefix(p, "/v1/artifacts/") || strings.HasPrefix(p, "/v1/versions") || p == "/v1/images" ||
		strings.HasPrefix(p, "/v1/pipeline/") || p == "/v1/dora" || strings.HasPrefix(p, "/v1/tokens")
}

// single is the Environments of a server with one environment, built
// from Config's own Store, Logs, Enqueue, Changes and Metrics.
type single struct{ env *Env }

func (s single) Get(name string) (*Env, error) {
	if name != s.env.Name {
		return nil, store.NotFoundf("environment %q does not exist on this server (it has %s)", name, s.env.Name)
	}
	return s.env, nil
}

func (s single) Open(name string, _ *spec.App) (*Env, error) { return s.Get(name) }
func (s single) List() []*Env                                { return []*Env{s.env} }
func (s single) Production() string                          { return s.env.Name }
func (s single) Down(context.Context, string, string) error {
	return store.Conflictf("this server cannot take environments down")
}

// environmentsList serves GET /v1/environments, in List's order.
func (h *handler) environmentsList(w http.ResponseWriter, r *http.Request) {
	prod := h.cfg.Envs.Production()
	out := []api.Environment{}
	for _, e := range h.cfg.Envs.List() {
		ae := api.Environment{Name: e.Name, Router: e.RouterURL, Production: e.Name == prod, Down: e.Down}
		_ = e.Store.View(r.Context(), func(tx store.Tx) error {
			svcs, err := tx.ListServices()
			for _, s := range svcs {
				ae.Services = append(ae.Services, s.Name)
			}
			return err
		})
		out = append(out, ae)
	}
	writeJSON(w, http.StatusOK, out)
}
