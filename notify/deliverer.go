package notify

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/secret"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Log is an event log a lane reads: a store, and what wakes a reader
// when it commits.
type Log struct {
	// Name is the environment whose log it is (the event IDs' prefix).
	Name    string
	Store   store.Store
	Changed func() <-chan struct{}
}

// Config is what a Deliverer needs.
type Config struct {
	// Env is the environment's own log: its events, its cursors, its
	// applied spec and secrets.
	Env Log
	// Hub is the default environment's log, which holds the promotions;
	// its Store is nil when Env is the default environment.
	Hub Log
	// Box opens the secrets URLs and keys are kept in.
	Box *secret.Box
	// Links makes approval links; nil when the server has no public URL.
	Links  *Links
	Client *http.Client
	Clock  clock.Clock
	Logger *slog.Logger
	// Backoff paces retries (DefaultBackoff when zero); Jitter returns a
	// number in [0, 1) (math/rand when nil).
	Backoff Backoff
	Jitter  func() float64
	// Poll is how often a lane looks at its log without being woken (a
	// safety net; 5s when zero).
	Poll time.Duration
}

// Deliverer sends one environment's events to its destinations.
type Deliverer struct {
	cfg Config
	// wait sleeps d or until ctx ends: a lane's backoff before attempting
	// a failed delivery again. Tests replace it to step retries by hand
	// and see each delay, instead of sleeping through them.
	wait func(ctx context.Context, d time.Duration)
}

// New returns a Deliverer; Run starts it.
func New(cfg Config) *Deliverer {
	if cfg.Backoff == (Backoff{}) {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Deliverer{cfg: cfg, wait: sleep}
}

// running is a lane that runs: what it was started with, and how to stop
// it.
type running struct {
	fingerprint string
	stop        context.CancelFunc
	done        chan struct{}
}

// Run keeps one lane per destination and log running, as the applied
// spec says, until ctx ends; it then stops them and returns nil.
func (d *Deliverer) Run(ctx context.Context) error {
	lanes := map[string]running{}
	var wg sync.WaitGroup
	defer func() {
		for _, r := range lanes {
			r.stop()
		}
		wg.Wait()
	}()
	seen := ""
	for {
		changed := d.cfg.Env.Changed()
		if v, err := d.version(ctx); err != nil {
			d.cfg.Logger.Warn("notifications: read settings", "env", d.cfg.Env.Name, "err", err)
		} else if v != seen {
			set, err := d.load(ctx)
			if err != nil {
				d.cfg.Logger.Warn("notifications: read settings", "env", d.cfg.Env.Name, "err", err)
			} else {
				seen = v
				d.reconcile(ctx, &wg, lanes, set)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-time.After(d.cfg.Poll):
		}
	}
}

func (d *Deliverer) version(ctx context.Context) (v string, err error) {
	err = d.cfg.Env.Store.View(ctx, func(tx store.Tx) error { v, err = version(tx); return err })
	return v, err
}

func (d *Deliverer) load(ctx context.Context) (set settings, err error) {
	err = d.cfg.Env.Store.View(ctx, func(tx store.Tx) error { set, err = load(tx, d.cfg.Env.Name, d.cfg.Box); return err })
	return set, err
}

// reconcile starts the lanes set asks for, and stops (or replaces) the
// ones it no longer does.
func (d *Deliverer) reconcile(ctx context.Context, wg *sync.WaitGroup, lanes map[string]running, set settings) {
	want := map[string]*lane{}
	for name, dest := range set.dests {
		l := &lane{d: d, dest: dest, log: d.cfg.Env, cursor: name, since: set.appliedAt}
		want[l.key()] = l
		if d.cfg.Hub.Store != nil {
			h := &lane{d: d, dest: dest, log: d.cfg.Hub, cursor: d.cfg.Env.Name + "/" + name, since: set.appliedAt, only: d.cfg.Env.Name}
			want[h.key()] = h
		}
	}
	for key, r := range lanes {
		if l, ok := want[key]; !ok || l.dest.fingerprint != r.fingerprint {
			r.stop()
			<-r.done
			delete(lanes, key)
		}
	}
	for key, l := range want {
		if _, ok := lanes[key]; ok {
			continue
		}
		lctx, stop := context.WithCancel(ctx)
		r := running{fingerprint: l.dest.fingerprint, stop: stop, done: make(chan struct{})}
		lanes[key] = r
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(r.done)
			l.run(lctx)
		}()
	}
}

// Hub returns the Log of the hub for an environment other than the
// default one, and a Log without store for the default one.
func Hub(env string, hub Log) Log {
	if env == spec.DefaultEnvironment {
		return Log{}
	}
	return hub
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
