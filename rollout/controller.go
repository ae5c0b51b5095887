package rollout

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/health"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// Artifacts finds a stored artifact's file by digest.
type Artifacts interface {
	Path(digest string) (string, error)
}

// Drainer takes an instance out of traffic: Drain returns once the
// instance gets no new request and has none in flight (router.Router).
type Drainer interface {
	Drain(ctx context.Context, id string) error
}

// Ports hands out instances' ports. A port is free when handed out, but
// nothing keeps another process from taking it before the instance
// listens on it: Free says whether that happened.
type Ports interface {
	// Allocate returns a port nobody listens on now.
	Allocate() (int, error)
	// Free reports whether port can be listened on now; false when
	// another process listens on it.
	Free(port int) bool
}

// Config wires a Controller.
type Config struct {
	Store  store.Store
	Driver workload.Driver
	// Platform, when set, runs the environment's revisions instead of
	// Driver running instances (Kubernetes, see reconcilePlatform).
	Platform  workload.Platform
	Artifacts Artifacts
	// Images unpacks the images of services that run one (image:);
	// without it such an instance fails to start, saying why.
	Images Images
	Ports  Ports
	// Drainer, when set, drains an instance before it is stopped, for
	// at most DrainTimeout (default 30s).
	Drainer      Drainer
	DrainTimeout time.Duration
	Clock        clock.Clock
	Logger       *slog.Logger
	Restart      workload.RestartPolicy
	// Enqueue asks for another pass over a key (a service's, an
	// operation's, a flag release's) after a delay; the server's queue
	// implements it.
	Enqueue func(key queue.Key, after time.Duration)
	// NewID returns a short random suffix for instance IDs.
	NewID func() string
	// BaseEnv is added under every instance's own environment (PATH).
	BaseEnv map[string]string
	// Secrets reveals the secrets env values reference (secrets.go);
	// without it an instance whose env references one fails to start.
	Secrets Secrets
	// Environment is the name instances see in SLIPWAY_ENVIRONMENT.
	Environment string
	// Providers measure canary analysis metrics, by the spec's provider
	// name (router, prometheus, http); a metric whose provider is missing
	// is measured as an error.
	Providers map[string]analysis.Provider
	// Counts is the router's per-revision totals that the sequential
	// judges read on every tick (RunSequential); without it a
	// sequential metric is measured as an error.
	Counts Counter
	// Mirrors counts parallel runs' compared requests; without it a
	// parallel run is rolled back, saying so.
	Mirrors Mirrors
	// UnhealthyAfter is how long a service may run with fewer ready
	// instances than desired, or one failing readiness, before a pass
	// writes EventServiceUnhealthy (unhealthy.go); 0: never.
	UnhealthyAfter time.Duration
	// InstanceToken, when set, returns instance id's own credential, given
	// in ConfigTokenEnv to each instance of a service a config names: it
	// reads those configs over HTTP, its own version, while it lives.
	InstanceToken func(id string) string
	// Checks builds the health checker that reports to onChange; nil
	// means a real health.Monitor. Tests pass a fake and report changes
	// themselves.
	Checks func(onChange func(health.Change)) Checker
}

// Checker runs instances' health checks (health.Monitor is the real one).
type Checker interface {
	// Watch starts checking an instance (idempotent per ID and PID).
	Watch(w health.Watch)
	// Unwatch stops checking an instance.
	Unwatch(id string)
	// Summary returns the latest result of one check ("" if none).
	Summary(id string, k health.Kind) string
	// Close stops every check.
	Close()
}

// Controller reconciles services. Reconcile must not be called for the
// same service from two goroutines at once (the queue guarantees it).
type Controller struct {
	cfg     Config
	monitor Checker

	mu         sync.Mutex // guards stopping, unhealthy, readiness, watched, revisions, reads, conditions, flagRuns, episodes
	stopping   map[string]bool
	conditions map[string]*analysis.Condition // compiled success conditions, by expression
	flagRuns   map[string]flagRun             // the current step's analysis of flag releases, by key
	episodes   map[string]episode             // services' spells of bad health, by service
	unhealthy  map[string]liveness            // by instance ID
	readiness  map[string]readiness           // observed, not yet recorded: by instance ID
	watched    map[string]string              // the service of each instance ever watched, by ID
	revisions  map[revKey]store.Revision      // immutable once created: safe to cache
	reads      map[string]cachedRead          // by service; see read
	seq        *sequential                    // the sequential judges; its own lock
	configs    configWrites                   // config files written; its own lock

	wg sync.WaitGroup // stops in flight
}

// liveness is a failing liveness check of one process of an instance.
type liveness struct {
	pid    int
	reason string
}

type revKey struct {
	service string
	number  int
}

// New returns a Controller. It starts nothing: checks start as instances
// are reconciled; Close stops them.
func New(cfg Config) *Controller {
	if cfg.NewID == nil {
		cfg.NewID = randomID
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Controller{cfg: cfg, stopping: map[string]bool{}, unhealthy: map[string]liveness{}, readiness: map[string]readiness{}, watched: map[string]string{}, revisions: map[revKey]store.Revision{}, reads: map[string]cachedRead{}, conditions: map[string]*analysis.Condition{}, flagRuns: map[string]flagRun{}, episodes: map[string]episode{}}
	c.seq = newSequential(cfg.Counts, cfg.Enqueue)
	if cfg.Checks == nil {
		c.monitor = health.NewMonitor(c.onHealth)
	} else {
		c.monitor = cfg.Checks(c.onHealth)
	}
	return c
}

// Close stops health checks and waits for stops in flight.
func (c *Controller) Close() {
	c.monitor.Close()
	c.wg.Wait()
}

// snapshot is what one pass reads from the store.
type snapshot struct {
	svc       store.Service
	found     bool
	instances []store.Instance
}

// versioned is a store that counts its commits (store.Notifier).
type versioned interface{ Version() uint64 }

// cachedRead is a snapshot and the store version it was read at.
type cachedRead struct {
	version uint64
	snap    snapshot
}

// read returns the service's record and instance records. When the store
// counts commits and none happened since the last read of this service,
// the last snapshot is still true and is returned as is: a steady-state
// pass reads nothing (as an informer's cache would serve it).
func (c *Controller) read(ctx context.Context, name string) (snapshot, error) {
	v, cacheable := c.cfg.Store.(versioned)
	var version uint64
	if cacheable {
		version = v.Version() // before reading: a commit after it means "read again"
		c.mu.Lock()
		hit, ok := c.reads[name]
		c.mu.Unlock()
		if ok && hit.version == version {
			return hit.snap, nil
		}
	}
	s, err := c.readStore(ctx, name)
	if err == nil && cacheable {
		c.mu.Lock()
		c.reads[name] = cachedRead{version: version, snap: s}
		c.mu.Unlock()
	}
	return s, err
}

func (c *Controller) readStore(ctx context.Context, name string) (snapshot, error) {
	var s snapshot
	err := c.cfg.Store.View(ctx, func(tx store.Tx) error {
		svc, err := tx.GetService(name)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			s.svc, s.found = svc, true
		}
		s.instances, err = tx.ListInstances(name)
		return err
	})
	return s, err
}

// Reconcile takes the next safe steps for one service and returns when
// it wants to be looked at again (0: only when something changes).
func (c *Controller) Reconcile(ctx context.Context, name string) (time.Duration, error) {
	if c.cfg.Platform != nil {
		s, err := c.read(ctx, name)
		if err != nil {
			return 0, fmt.Errorf("read service %s: %w", name, err)
		}
		if !s.found {
			return 0, nil
		}
		return c.reconcilePlatform(ctx, name, s)
	}
	if err := c.recordReadiness(ctx, name); err != nil {
		return time.Second, err
	}
	s, err := c.read(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("read service %s: %w", name, err)
	}
	if !s.found && len(s.instances) == 0 {
		return 0, nil
	}
	if s.found && s.svc.Removed && len(s.instances) == 0 {
		return 0, c.deleteService(ctx, s.svc)
	}
	obs, err := c.observe(ctx, s.instances)
	if err != nil {
		return 0, err
	}
	now := c.cfg.Clock.Now()
	gate, err := c.reconcileJobs(ctx, s, now)
	if err != nil {
		return time.Second, fmt.Errorf("jobs: %w", err)
	}
	if gate.wrote {
		return time.Millisecond, nil
	}
	d, err := c.desired(ctx, s, now)
	if gate.hold {
		d, err = c.heldDesired(ctx, s)
	}
	if err != nil {
		return 0, err
	}
	plan := workload.Decide(d, obs, now, c.cfg.Restart)
	actions, held, err := c.holdForDependencies(ctx, s, plan.Actions, now)
	if err != nil {
		return time.Second, err
	}
	if held {
		gate.again = minPositive(gate.again, 250*time.Millisecond)
	}
	plan.Actions = actions
	for _, a := range plan.Actions {
		if err := c.apply(ctx, s, a); err != nil {
			return time.Second, fmt.Errorf("%s: %w", a, err)
		}
	}
	wrote, again := false, gate.again
	if !gate.hold { // a rollout waiting for its jobs is neither done nor late
		var judged time.Duration
		wrote, judged, err = c.judge(ctx, s, plan, d.Replicas, now)
		if err != nil {
			return time.Second, err
		}
		again = minPositive(again, judged)
	}
	c.watch(ctx, obs, plan.Actions)
	if len(plan.Actions) == 0 && !gate.hold {
		watched, err := c.watchHealth(ctx, name, s, plan, d.Replicas, now)
		if err != nil {
			return time.Second, err
		}
		again = minPositive(again, watched)
	}
	if len(plan.Actions) > 0 || wrote {
		return time.Millisecond, nil // look again at once: level-triggered
	}
	d0 := requeue(s.svc, plan, now)
	if again > 0 && (d0 == 0 || again < d0) {
		d0 = again
	}
	return d0, nil
}

func requeue(svc store.Service, p workload.Plan, now time.Time) time.Duration {
	d := p.Requeue
	at := func(t time.Time) {
		if until := max(t.Sub(now), time.Millisecond); d == 0 || until < d {
			d = until
		}
	}
	if svc.Phase == store.PhaseProgressing && !svc.Deadline.IsZero() {
		at(svc.Deadline)
	}
	if svc.Keep != 0 && !svc.KeepUntil.IsZero() {
		at(svc.KeepUntil)
	}
	return d
}

// desired turns the service record and its target revision into the
// planner's input.
func (c *Controller) desired(ctx context.Context, s snapshot, now time.Time) (workload.Desired, error) {
	if !s.found || s.svc.Removed || s.svc.Revision == 0 {
		return workload.Desired{Removed: true}, nil
	}
	rev, err := c.revision(ctx, s.svc.Name, s.svc.Revision)
	if err != nil {
		return workload.Desired{}, err
	}
	replicas, _ := TargetReplicas(s.svc, rev, s.instances)
	d := workload.Desired{Revision: rev.Number, Replicas: replicas, MaxSurge: 1, Active: s.svc.Traffic.Active,
		RestartedAt: s.svc.RestartedAt}
	if d.Active == 0 {
		d.Active = s.svc.Stable
	}
	if r := rev.Spec.Strategy.Rolling; r != nil {
		if r.MaxSurge != nil {
			d.MaxSurge = *r.MaxSurge
		}
		if r.MaxUnavailable != nil {
			d.MaxUnavailable = *r.MaxUnavailable
		}
		d.MinReady = r.MinReady.Duration
	}
	if t := s.svc.Traffic.Active; s.svc.Phase == store.PhaseFailed && t != 0 && t != s.svc.Revision {
		// A rejected candidate (a failed canary, parallel run or blue/green
		// target): traffic is back on t, and until the operation points
		// the service back at it, t's instances must stay as they are.
		d.Keep, d.Active = t, t
	}
	if s.svc.Canary.InFlight(s.svc.Revision) && rev.Spec.Strategy.Canary != nil {
		canaryDesired(&d, s.svc.Canary, rev.Spec.Scale != nil)
	}
	if s.svc.ParallelRun.InFlight(s.svc.Revision) && rev.Spec.Strategy.ParallelRun != nil {
		parallelDesired(&d, s.svc.ParallelRun)
	}
	if rev.Spec.Strategy.BlueGreen != nil {
		d.MaxSurge = max(d.Replicas, 1) // the whole new revision at once
		if s.svc.Keep != s.svc.Revision && (s.svc.KeepUntil.IsZero() || now.Before(s.svc.KeepUntil)) {
			d.Keep = s.svc.Keep
		}
	}
	return d, nil
}

// revision returns a revision, from the cache when seen before.
func (c *Controller) revision(ctx context.Context, service string, n int) (store.Revision, error) {
	k := revKey{service, n}
	c.mu.Lock()
	r, ok := c.revisions[k]
	c.mu.Unlock()
	if ok {
		return r, nil
	}
	err := c.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		r, err = tx.GetRevision(service, n)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("revision %d of %s: %w", n, service, err)
	}
	r.Spec.ApplyDefaults() // defaults added since it was stored apply too, as in stack.Current
	c.mu.Lock()
	c.revisions[k] = r
	c.mu.Unlock()
	return r, nil
}

// observe pairs each record with the driver's view of its process.
func (c *Controller) observe(ctx context.Context, recs []store.Instance) ([]workload.Observed, error) {
	obs := make([]workload.Observed, 0, len(recs))
	for _, r := range recs {
		o := workload.Observed{Instance: r}
		st, err := c.cfg.Driver.Status(ctx, r.ID)
		switch {
		case err == nil:
			o.Process = &st
		case !errors.Is(err, workload.ErrNotFound):
			return nil, fmt.Errorf("observe instance %s: %w", r.ID, err)
		}
		obs = append(obs, o)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range obs {
		id := obs[i].Instance.ID
		obs[i].Stopping = c.stopping[id]
		if l, ok := c.unhealthy[id]; ok && !obs[i].Stopping && l.pid == obs[i].Instance.PID {
			obs[i].Unhealthy = l.reason
		}
	}
	return obs, nil
}

func randomID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// instanceSpec builds what the driver needs to start an instance. An
// instance of an image gets the image's environment instead of the
// server's BaseEnv (its PATH is the image's, not the host's).
func (c *Controller) instanceSpec(ctx context.Context, in store.Instance, rev store.Revision) (workload.InstanceSpec, error) {
	env := make(map[string]string, len(c.cfg.BaseEnv)+len(rev.Spec.Env)+5)
	if !rev.Spec.RunsImage() {
		maps.Copy(env, c.cfg.BaseEnv)
	}
	secretEnv, err := c.revealSecrets(ctx, env, rev)
	if err != nil {
		return workload.InstanceSpec{}, err
	}
	env["PORT"] = fmt.Sprint(in.Port)
	env["SLIPWAY_SERVICE"] = in.Service
	env["SLIPWAY_REVISION"] = fmt.Sprint(in.Revision)
	env["SLIPWAY_INSTANCE"] = in.ID
	env["SLIPWAY_ENVIRONMENT"] = c.cfg.Environment
	configs, err := c.instanceConfigs(ctx, in, env)
	if err != nil {
		return workload.InstanceSpec{}, fmt.Errorf("configs of %s: %w", in.ID, err)
	}
	if len(configs) > 0 && c.cfg.InstanceToken != nil {
		// A secret: redacted from what the driver writes, never logged.
		env[ConfigTokenEnv] = c.cfg.InstanceToken(in.ID)
		secretEnv = append(secretEnv, ConfigTokenEnv)
	}
	is := workload.InstanceSpec{Configs: configs,
		ID: in.ID, Service: in.Service, Revision: in.Revision, Port: in.Port,
		Command: spec.Expand(rev.Spec.Run, env), Env: env, Resources: rev.Spec.Resources,
		User: rev.Spec.User, SecretEnv: secretEnv,
	}
	for _, m := range rev.Spec.Mounts {
		is.Mounts = append(is.Mounts, workload.Mount{Source: m.Path, At: m.At})
	}
	if rev.Spec.RunsImage() {
		is.Command = nil
		return is, c.imageSpec(ctx, &is, rev.Spec, env)
	}
	if a := rev.Spec.Artifact; a != nil && a.Digest != "" {
		p, err := c.cfg.Artifacts.Path(a.Digest)
		if err != nil {
			return is, fmt.Errorf("artifact %s: %w", a.Digest, err)
		}
		is.Artifact, is.ArtifactPath, is.ArtifactDigest = p, a.Path, a.Digest
	}
	return is, nil
}
