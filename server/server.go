package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/analysis/httpjson"
	"github.com/slipway-dev/slipway/analysis/prometheus"
	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/history"
	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/notify"
	"github.com/slipway-dev/slipway/pipeline"
	"github.com/slipway-dev/slipway/platform/kube"
	"github.com/slipway-dev/slipway/rollout"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/router/accesslog"
	"github.com/slipway-dev/slipway/router/front"
	"github.com/slipway-dev/slipway/router/metrics"
	"github.com/slipway-dev/slipway/secret"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/container"
	"github.com/slipway-dev/slipway/workload/process"
)

// Server is one Slipway server. Create it with New, then Run it.
type Server struct {
	cfg   Config
	ready chan struct{}

	// Shared by every environment.
	artifacts *artifact.Store
	images    *image.Store   // DATA/images: every environment's images, by digest
	users     *process.Users // each service's dynamic user, every environment's
	ports     portAllocator
	pipeline  *pipeline.Controller
	// hubQueue is the default environment's queue, where promotions are
	// reconciled. Set, with pipeline, before any environment runs.
	hubQueue *queue.Queue
	// conns admits the routers' client connections (routerLimits).
	conns *front.Limiter

	// keys are the tokens the API and OFREP accept. Set by Run before
	// any environment opens.
	keys *keyring
	// tlsLn is --router-tls's listener, for the default environment; set
	// by Run before any environment opens.
	tlsLn net.Listener
	// secrets seals and opens every environment's secrets; set by Run
	// before any environment opens.
	secrets *secret.Box
	// links makes and checks approval links (nil without --public-url),
	// and hubLog is the default environment's event log, which the other
	// environments' notifications read for promotions; both set by Run
	// before any environment runs.
	links  *notify.Links
	hubLog notify.Log

	mu         sync.Mutex // guards addr, routerAddr, socket
	addr       string
	routerAddr string
	socket     string // the API's own Unix socket, once Run listens
}

// New returns a server for cfg. It does no I/O and starts nothing.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, ready: make(chan struct{}), ports: &freePorts{}}, nil
}

// Ready is closed once the API accepts requests.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addr returns the API's address once Ready.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// parts are one environment's components, which Run wires together.
type parts struct {
	name       string
	routerAddr string
	store      *store.Notifier
	db         *sqlite.Store // under store: backups copy it
	artifacts  *artifact.Store
	driver     *workload.Multi // processes, and containers of images
	queue      *queue.Queue
	// cluster is a Kubernetes environment's cluster (nil: this machine),
	// whose informers startControl runs.
	cluster *kube.Cluster
	// onPlatform: the environment runs on a workload.Platform (the
	// cluster, or one that could not be configured).
	onPlatform bool
	rollouts   *rollout.Controller
	autoscaler *rollout.Autoscaler
	ops        *stack.Controller
	router     *router.Router
	metrics    *metrics.Metrics
	history    *history.Recorder
	mirrors    *mirror.Book
	flags      *liveFlags
	// flagMux serves its flags over OFREP and to in-process evaluators.
	flagMux    http.Handler
	closeFlags func()
	routerLn   net.Listener
	// tls is the environment's TLS listener and edge (tls.go); nil
	// without one.
	tls *tlsEdge
	// handler serves the router's requests: the router, behind the
	// access log when there is one (accessLog).
	handler   http.Handler
	accessLog *accesslog.Log
	// down is set while the environment is being taken down (the
	// registry's record says so); ctl's controllers are stopped meanwhile
	// (the router keeps serving, to drain).
	down atomic.Bool
	ctl  control
}

// Run serves until ctx ends, then shuts down: the API stops, the
// controllers finish their pass, the stores close. Instances keep
// running.
func (s *Server) Run(ctx context.Context) error {
	soft, err := raiseFileLimit()
	if err != nil {
		s.cfg.Logger.Warn("open files limit", "err", err)
	}
	limits := routerLimits(s.cfg, soft)
	s.conns = front.NewLimiter(limits)
	s.cfg.Logger.Debug("router connection limits", "open_files", soft, "max_conns", limits.MaxConns, "max_conns_per_ip", limits.MaxConnsPerIP)
	ln, err := listen("--api", s.cfg.APIAddr)
	if err != nil {
		return err
	}
	defer ln.Close()
	rln, err := listen("--router", s.cfg.RouterAddr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.routerAddr = rln.Addr().String()
	s.mu.Unlock()
	if s.cfg.RouterTLSAddr != "" {
		if s.tlsLn, err = listen("--router-tls", s.cfg.RouterTLSAddr); err != nil {
			rln.Close()
			return err
		}
		defer s.tlsLn.Close()
	}
	if err := privateDir(s.cfg.DataDir); err != nil {
		rln.Close()
		return fmt.Errorf("data directory %s: %w", s.cfg.DataDir, err)
	}
	if err := removeBackupLeftovers(s.cfg.DataDir); err != nil {
		rln.Close()
		return fmt.Errorf("data directory %s: %w", s.cfg.DataDir, err)
	}
	s.logIsolation()
	if s.keys, err = s.identity(); err != nil {
		rln.Close()
		return err
	}
	gid, err := lookupGroup(s.cfg.SocketGroup)
	if err != nil {
		rln.Close()
		return err
	}
	socks, err := s.listenSockets(gid)
	if err != nil {
		rln.Close()
		return err
	}
	defer closeAll(socks)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.artifacts = artifact.New(filepath.Join(s.cfg.DataDir, "artifacts"))
	if s.secrets, err = s.secretsKey(); err != nil {
		rln.Close()
		return err
	}
	if s.links, err = s.linkKeys(); err != nil {
		rln.Close()
		return err
	}
	if s.images, err = image.Open(filepath.Join(s.cfg.DataDir, "images")); err != nil {
		rln.Close()
		return err
	}
	s.users = process.NewUsers(filepath.Join(s.cfg.DataDir, "users.json"))
	h := &hosted{s: s, ctx: ctx, m: map[string]*parts{}, downs: queue.New()}
	defer h.wg.Wait()
	defer cancel()
	if err := h.openAll(rln); err != nil {
		return err
	}
	tokens := &tokenAdmin{hub: h.hub().store, keys: s.keys, now: s.cfg.Clock.Now}
	if err := tokens.load(ctx); err != nil {
		return err
	}
	h.wg.Go(h.runTeardowns)
	err = s.serve(ctx, ln, socks, h, tokens, gid)
	cancel()
	return err
}

// runEnv runs one environment until ctx ends: its controllers, its
// router and the loops that keep the router and flags equal to its
// store; then stops its instances if the server was told to.
func (s *Server) runEnv(ctx context.Context, p *parts, rln net.Listener) {
	defer p.store.Close()
	var wg sync.WaitGroup
	wg.Go(func() { s.routes(ctx, p) })
	wg.Go(func() { s.followFlags(ctx, p) })
	if p.accessLog != nil {
		wg.Go(func() {
			if err := p.accessLog.Run(ctx); err != nil {
				s.cfg.Logger.Error("access log stopped", "env", p.name, "err", err)
			}
		})
	}
	handler := p.handler
	if p.tls != nil {
		handler = p.tls.plainHandler(p.handler)
		wg.Go(func() { s.serveTLS(ctx, p) })
	}
	wg.Go(func() { s.serveRouter(ctx, rln, p.router, handler) })
	wg.Go(func() { p.rollouts.RunSequential(ctx) })
	wg.Go(func() { p.history.Run(ctx) })
	wg.Go(func() { s.notify(ctx, p) })
	if p.name == spec.DefaultEnvironment { // one data folder: its events go in the hub's log
		wg.Go(func() { s.watchDisk(ctx, p) })
	}
	wg.Wait()
	p.ctl.close()
	p.rollouts.Close()
	if s.cfg.StopOnExit {
		stopAll(p.driver)
	}
}

// startControl starts an environment's controllers: the queue's workers
// and the resync loop.
func (s *Server) startControl(ctx context.Context, p *parts) {
	p.ctl.start(ctx, func(ctx context.Context, wg *sync.WaitGroup) {
		var fails failures
		n := workers
		if p.cluster != nil {
			n = kubeWorkers
		}
		for range n {
			wg.Go(func() { s.work(ctx, p, &fails) })
		}
		wg.Go(func() { s.resync(ctx, p) })
		if !p.onPlatform { // a platform scales itself (kube.HPA): the router is not in its path
			wg.Go(func() { p.autoscaler.Run(ctx) })
		}
		if p.cluster != nil {
			wg.Go(func() { s.watchCluster(ctx, p) })
		}
	})
}

// dbFile is an environment's database, in its folder (envDir).
const dbFile = "slipway.db"

// open opens one environment's store and local platform in dir and
// builds its components.
func (s *Server) open(ctx context.Context, name, dir string, kube *kubeRef) (*parts, error) {
	if err := privateDir(dir); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	db, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := privateDB(filepath.Join(dir, dbFile)); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	flagKey, err := s.instanceKey(name, dir)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := s.keys.instances.load(name, dir); err != nil {
		db.Close()
		return nil, err
	}
	instEnv := baseEnv()
	instEnv["SLIPWAY_FLAG_KEY"] = flagKey // its flags work with no setup
	p := &parts{name: name, store: store.NewNotifier(db), db: db, artifacts: s.artifacts, queue: queue.New()}
	procs := process.New(filepath.Join(dir, "instances"), process.Options{
		Logger: s.cfg.Logger, Users: s.users, UserScope: name,
	})
	ctrs := container.New(filepath.Join(dir, "containers"), container.Options{
		Logger: s.cfg.Logger, Runtime: s.cfg.ContainerRuntime, Users: s.users, UserScope: name,
	})
	if err := procs.Open(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open local platform: %w", err)
	}
	if err := ctrs.Open(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open local platform: %w", err)
	}
	p.driver = &workload.Multi{Process: procs, Container: ctrs}
	p.metrics = metrics.New(metrics.Options{InFlight: func() map[string]int64 { return p.router.InFlightAll() }})
	p.history = s.newHistory(p)
	p.mirrors = mirror.NewBook()
	p.flags = newLiveFlags(s.cfg.Clock)
	p.autoscaler = rollout.NewAutoscaler(rollout.AutoscalerConfig{Store: p.store, Counts: p.metrics, CPU: p.driver,
		InFlight: func() map[string]int64 { return p.router.InFlightAll() },
		Held:     func(service string) int { return p.router.HeldFor(service) },
		Clock:    s.cfg.Clock, Enqueue: p.queue.AddAfter, Logger: s.cfg.Logger.With("env", name)})
	trusted, _ := s.cfg.trustedProxies() // checked by Validate
	p.router = router.New(router.Config{Observer: p.metrics, Mirrors: p.mirrors, Logger: s.cfg.Logger.With("env", name),
		RecordBackends: s.cfg.RouterAccessLog, Waker: p.autoscaler.Wake, TrustedProxies: trusted})
	p.handler = p.router
	if s.cfg.RouterAccessLog {
		p.accessLog = accesslog.New(accesslog.Config{File: filepath.Join(s.cfg.DataDir, accessLogDir, name+".log")})
		p.handler = p.accessLog.Handler(p.router)
	}
	plat := s.platform(ctx, p, kube)
	p.onPlatform = plat != nil
	p.rollouts = rollout.New(rollout.Config{
		Drainer: p.router,
		Store:   p.store, Driver: p.driver, Artifacts: p.artifacts, Ports: s.ports,
		Images: &images{store: s.images, runtime: ctrs.Err(), logger: s.cfg.Logger.With("env", name)},
		Clock:  s.cfg.Clock, Logger: s.cfg.Logger.With("env", name), Restart: workload.DefaultRestartPolicy(),
		Enqueue: p.queue.AddAfter, BaseEnv: instEnv, Environment: name,
		Providers: s.providers(p), Mirrors: p.mirrors, Counts: p.metrics,
		Platform:       plat,
		Secrets:        secret.Vault{Store: p.store, Box: s.secrets},
		UnhealthyAfter: s.cfg.UnhealthyAfter,
		InstanceToken:  func(id string) string { return s.keys.instances.token(name, id) },
	})
	p.ops = stack.NewController(p.store, s.cfg.Clock, p.queue.AddAfter)
	p.ops.OnEnded(func(op store.Operation) {
		if op.Promotion != 0 && s.hubQueue != nil {
			s.hubQueue.Add(queue.PromotionKey(op.Promotion)) // the promotion ends with it
		}
	})
	ofr, err := s.ofrep(p)
	if err != nil {
		db.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/ofrep/", ofr) // evaluation keys, not the admin token
	mux.Handle(PathFlagDefinitions, ofr.Authorized(flagDefinitions(p.store)))
	p.flagMux, p.closeFlags = mux, ofr.Close
	return p, nil
}

// baseEnv is what every instance inherits from the server: enough to find
// programs, nothing secret (open adds its environment's evaluation key,
// which can only read flags).
func baseEnv() map[string]string {
	env := map[string]string{"PATH": "/usr/local/bin:/usr/bin:/bin"}
	for _, k := range []string{"PATH", "LANG", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	return env
}

// stopAll stops every running instance, all at once.
func stopAll(d workload.Driver) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sts, err := d.Observe(ctx)
	if err != nil {
		return
	}
	var wg sync.WaitGroup
	for _, st := range sts {
		if st.Running {
			wg.Go(func() { _ = d.Stop(ctx, st.ID, 5*time.Second) })
		}
	}
	wg.Wait()
}

// providers are the canary analysis's metric providers. Without a
// usable Prometheus URL, metrics of provider prometheus are measured as
// errors that say so.
func (s *Server) providers(p *parts) map[string]analysis.Provider {
	out := map[string]analysis.Provider{
		spec.ProviderRouter: p.metrics.Provider(),
		spec.ProviderHTTP:   httpjson.New(httpjson.Config{}),
	}
	if prom, err := prometheus.New(prometheus.Config{URL: s.cfg.PrometheusURL}); err == nil {
		out[spec.ProviderPrometheus] = prom
	} else if s.cfg.PrometheusURL != "" {
		s.cfg.Logger.Warn("canary metrics of provider prometheus will fail", "err", err)
	}
	return out
}

// ofrep serves flag evaluations (OFREP) on the API's listener. They
// take a token, always: an evaluator's (--flag-key, or the one each
// environment gives its instances in SLIPWAY_FLAG_KEY) or any other.
func (s *Server) ofrep(p *parts) (*ofrep.Handler, error) {
	cfg := ofrep.Default()
	cfg.Evaluator, cfg.Logger = p.flags, s.cfg.Logger
	cfg.CheckKey = s.keys.checkKey
	return ofrep.New(cfg)
}
