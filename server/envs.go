package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/notify"
	"github.com/slipway-dev/slipway/pipeline"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/teardown"
)

// hosted are the environments the server hosts. Each has its own store
// (its own SQLite file), instances, controllers, router and flags; they
// share the artifact store, the API listener and the port allocator.
// The default environment's store is also the hub: pushed versions and
// promotions live there.
type hosted struct {
	s   *Server
	ctx context.Context // the server's run: environments end with it

	mu sync.Mutex // guards m
	m  map[string]*parts

	// creating is held while an environment is created, so that two
	// first applies to one name open it once.
	creating sync.Mutex

	// downs is the take-down controller's queue (environment names);
	// teardown, set with the hub, works it. It runs apart from the
	// environments' own queues, whose workers a take-down stops.
	downs    *queue.Queue
	teardown *teardown.Controller

	wg sync.WaitGroup
}

// envDir is where an environment keeps its database and instances: the
// data directory itself for the default one (as before environments).
// A name that breaks the rule (a registry row written before names were
// checked) is refused: its folder could be anywhere (../../etc).
func (h *hosted) envDir(name string) (string, error) {
	if name == spec.DefaultEnvironment {
		return h.s.cfg.DataDir, nil
	}
	if err := spec.CheckEnvironmentName(name); err != nil {
		return "", fmt.Errorf("open environment: %w", err)
	}
	return filepath.Join(h.s.cfg.DataDir, "envs", name), nil
}

// get returns a hosted environment.
func (h *hosted) get(name string) (*parts, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.m[name]
	return p, ok
}

// all returns every hosted environment, default first, then by name.
func (h *hosted) all() []*parts {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*parts, 0, len(h.m))
	for _, p := range h.m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *parts) int {
		switch {
		case a.name == spec.DefaultEnvironment:
			return -1
		case b.name == spec.DefaultEnvironment:
			return 1
		}
		if a.name < b.name {
			return -1
		}
		return 1
	})
	return out
}

func (h *hosted) hub() *parts {
	p, _ := h.get(spec.DefaultEnvironment)
	return p
}

// open opens an environment on the router listener rln (its store, its
// platform, its components) without running it. tlsAddr is its TLS
// router's address from the spec being applied ("": the one its stored
// spec names, if any; tls.go).
func (h *hosted) open(name string, rln net.Listener, tlsAddr string, kube *kubeRef) (*parts, error) {
	dir, err := h.envDir(name)
	if err != nil {
		rln.Close()
		return nil, err
	}
	p, err := h.s.open(h.ctx, name, dir, kube)
	if err != nil {
		rln.Close()
		return nil, err
	}
	p.routerAddr, p.routerLn = rln.Addr().String(), rln
	h.s.openTLS(h.ctx, p, tlsAddr)
	h.mu.Lock()
	h.m[name] = p
	h.mu.Unlock()
	if name == spec.DefaultEnvironment {
		// The hub: promotions are reconciled on its queue.
		h.s.hubQueue = p.queue
		h.s.hubLog = notify.Log{Name: name, Store: p.store, Changed: p.store.Changed}
		h.s.pipeline = pipeline.New(pipeline.Config{Hub: p.store, Env: h.pipelineEnv, Clock: h.s.cfg.Clock, Logger: h.s.cfg.Logger,
			Enqueue: p.queue.AddAfter, Context: h.ctx, Starter: h.s.users.StartFunc})
		h.teardown = teardown.New(teardown.Config{Hub: p.store, Env: h.teardownEnv, Clock: h.s.cfg.Clock,
			Logger: h.s.cfg.Logger})
	}
	return p, nil
}

// run starts an opened environment's loops, and its controllers unless
// it is going down (the take-down starts them once it is down).
func (h *hosted) run(p *parts) {
	if !p.down.Load() {
		h.s.startControl(h.ctx, p)
	}
	h.wg.Go(func() { h.s.runEnv(h.ctx, p, p.routerLn) })
}

// openAll opens the default environment and every one the registry
// names (importing DATA/environments.json first, once), then runs them
// all: no controller runs before every environment a promotion may name
// is there. It finishes the take-down of an environment a crash
// interrupted.
func (h *hosted) openAll(rln net.Listener) error {
	hub, err := h.open(spec.DefaultEnvironment, rln, "", nil)
	if err != nil {
		return err
	}
	now := h.s.cfg.Clock.Now()
	if err := importRegistry(h.ctx, hub.store, h.s.cfg.DataDir, now); err != nil {
		return err
	}
	if err := ensureDefault(h.ctx, hub.store, now); err != nil {
		return fmt.Errorf("the environments registry: %w", err)
	}
	rs, err := listEnvironments(h.ctx, hub.store)
	if err != nil {
		return fmt.Errorf("the environments registry: %w", err)
	}
	var down []*parts
	for _, r := range rs {
		p := hub
		if r.Name != spec.DefaultEnvironment {
			if p, err = h.openRegistered(r); err != nil {
				// One environment that cannot open (its router's port taken)
				// does not keep the others down; its promotions wait.
				h.s.cfg.Logger.Error("environment not opened", "env", r.Name, "err", err)
				continue
			}
		}
		p.down.Store(r.GoingDown())
		if r.GoingDown() {
			down = append(down, p)
		}
	}
	if err := h.afterHostRestart(); err != nil {
		return err
	}
	for _, p := range h.all() {
		h.run(p)
	}
	for _, p := range down {
		h.downs.Add(queue.EnvironmentKey(p.name))
	}
	return nil
}

// runTeardowns works the take-down controller's queue until the server
// stops.
func (h *hosted) runTeardowns() {
	var fails failures
	h.s.drive(h.ctx, h.downs, &fails, func(ctx context.Context, key queue.Key) (time.Duration, error) {
		return h.teardown.Reconcile(ctx, key.Name)
	})
}

func (h *hosted) openRegistered(r store.Environment) (*parts, error) {
	rln, err := listen("the router of environment "+r.Name, r.Router)
	if err != nil {
		return nil, err
	}
	return h.open(r.Name, rln, "", nil)
}

// Get implements httpapi.Environments.
func (h *hosted) Get(name string) (*httpapi.Env, error) {
	p, ok := h.get(name)
	if !ok {
		return nil, store.NotFoundf("environment %q does not exist on this server (it has %s): slipway apply -f slipway.yaml --env %s creates it",
			name, h.names(), name)
	}
	return p.apiEnv(), nil
}

func (h *hosted) names() string {
	var out []byte
	for i, p := range h.all() {
		if i > 0 {
			out = append(out, ", "...)
		}
		out = append(out, p.name...)
	}
	return string(out)
}

// Open implements httpapi.Environments: the first apply to an
// environment creates it, with its router where the spec says (or on a
// free loopback port).
func (h *hosted) Open(name string, app *spec.App) (*httpapi.Env, error) {
	want := ""
	if def, ok := app.Env(name); ok {
		want = def.Router
	}
	h.creating.Lock()
	defer h.creating.Unlock()
	p, ok := h.get(name)
	if ok {
		if want != "" && name != spec.DefaultEnvironment && !sameAddr(want, p.routerAddr) {
			return nil, store.Conflictf("environments.%s.router: the environment's router listens on %s, and the spec now says %s; an environment keeps the router address it was created with",
				name, p.routerAddr, want)
		}
		if p.down.Load() {
			return nil, store.Conflictf("environment %s is being taken down: apply once that is over", name)
		}
		return p.apiEnv(), nil
	}
	addr := want
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	rln, err := listen("environments."+name+".router", addr)
	if err != nil {
		return nil, store.Conflictf("%v", err)
	}
	down, err := h.register(name, rln.Addr().String())
	if err != nil {
		rln.Close()
		return nil, err
	}
	tlsAddr := ""
	if t := app.TLSFor(name); t != nil {
		tlsAddr = t.Address
	}
	p, err = h.open(name, rln, tlsAddr, kubeOf(app, name))
	if err != nil {
		_ = h.forget(name) // not remembered: it never opened
		return nil, err
	}
	p.down.Store(down)
	h.run(p)
	h.s.cfg.Logger.Info("environment created", "env", name, "router", "http://"+p.routerAddr)
	if down {
		// It was going down when it failed to open at the server's start.
		h.downs.Add(queue.EnvironmentKey(name))
		return nil, store.Conflictf("environment %s is being taken down: apply once that is over", name)
	}
	return p.apiEnv(), nil
}

func sameAddr(a, b string) bool {
	ta, err1 := net.ResolveTCPAddr("tcp", a)
	tb, err2 := net.ResolveTCPAddr("tcp", b)
	return err1 == nil && err2 == nil && ta.Port == tb.Port && ta.IP.Equal(tb.IP)
}

// List implements httpapi.Environments.
func (h *hosted) List() []*httpapi.Env {
	var out []*httpapi.Env
	for _, p := range h.all() {
		out = append(out, p.apiEnv())
	}
	return out
}

// Production implements httpapi.Environments: the production environment
// of the spec applied last, to any environment.
func (h *hosted) Production() string {
	var latest store.App
	for _, p := range h.all() {
		_ = p.store.View(h.ctx, func(tx store.Tx) error {
			if a, err := tx.GetApp(); err == nil && a.AppliedAt.After(latest.AppliedAt) {
				latest = a
			}
			return nil
		})
	}
	if latest.Spec == "" {
		return spec.DefaultEnvironment
	}
	app, err := spec.ParseWith(latest.File, []byte(latest.Spec), spec.Options{MaxInstancesPerService: -1})
	if err != nil {
		return spec.DefaultEnvironment
	}
	return app.Production()
}

// pipelineEnv is an environment as package pipeline sees it.
func (h *hosted) pipelineEnv(name string) (*pipeline.Env, error) {
	p, ok := h.get(name)
	if !ok {
		return nil, store.NotFoundf("environment %q does not exist on this server", name)
	}
	return &pipeline.Env{Name: name, Store: p.store, RouterURL: "http://" + p.routerAddr,
		Enqueue: p.queue.Add, Measure: p.rollouts.MeasureRevision, Down: p.down.Load}, nil
}

// apiEnv is an environment as package httpapi sees it.
func (p *parts) apiEnv() *httpapi.Env {
	return &httpapi.Env{Name: p.name, Store: p.store, Logs: p.driver, Exec: p.driver, Enqueue: p.queue.Add,
		Changes: p.store.Changed, Metrics: p.metrics.Handler(), RouterURL: "http://" + p.routerAddr, Down: p.down.Load(),
		History: p.history, Pods: p.pods(), Manifests: p.manifests(), Install: p.install()}
}

// ofrepFor serves an environment's flags over OFREP: the default one at
// /ofrep/, another at /envs/NAME/ofrep/ (an OFREP provider's base URL
// is then http://API/envs/NAME).
func (h *hosted) ofrepFor(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("env")
	p, ok := h.get(name)
	if !ok {
		http.Error(w, "no environment "+name+" on this server", http.StatusNotFound)
		return
	}
	http.StripPrefix("/envs/"+name, p.flagMux).ServeHTTP(w, r)
}

var _ httpapi.Environments = (*hosted)(nil)

// register records a new environment and its router address in the
// registry (replacing the address of one that failed to open at the
// server's start), and says whether it is going down.
func (h *hosted) register(name, router string) (down bool, err error) {
	err = editEnvironment(h.ctx, h.hub().store, name, func(e *store.Environment) error {
		e.Router, down = router, e.GoingDown()
		if e.CreatedAt.IsZero() {
			e.CreatedAt = h.s.cfg.Clock.Now()
		}
		return nil
	})
	return down, err
}

// forget removes an environment that never opened from the registry.
func (h *hosted) forget(name string) error {
	return h.hub().store.Update(h.ctx, func(tx store.Tx) error {
		err := tx.DeleteEnvironment(name)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
}
