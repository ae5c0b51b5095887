package history

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/router/metrics"
	"github.com/slipway-dev/slipway/store"
)

// Point is one look at a service, or at the whole router.
type Point struct {
	T time.Time
	// Weight is the candidate's share of traffic (percent): a canary's
	// weight while it is in flight, else 0.
	Weight int
	// Mismatch is a parallel run's mismatch rate (0..1) while one runs,
	// else -1.
	Mismatch float64
	// Revisions are the stable revision's traffic, then the candidate's
	// when one is in flight; the router's point has one, Revision 0.
	Revisions []Traffic
}

// Role says what a revision was to its service when it was sampled.
type Role string

// The roles of a sampled revision.
const (
	RoleStable    Role = "stable"
	RoleCandidate Role = "candidate"
	RoleAll       Role = "all" // the whole router
)

// Traffic is what one revision answered over the sampling interval
// before T (metrics.Stats over whole buckets).
type Traffic struct {
	Revision int
	Role     Role
	Requests int64
	Errors   int64
	// RequestRate is requests a second; SuccessRate 1-Errors/Requests
	// (0 without requests: see Requests).
	RequestRate, SuccessRate float64
	P50, P99                 time.Duration
}

// Config wires a Recorder to one environment.
type Config struct {
	Store   store.Store
	Metrics *metrics.Metrics
	Clock   clock.Clock
	Logger  *slog.Logger
	// Every is how often Run samples (default 5s); Keep how many points
	// each ring holds (default 720: an hour at 5s).
	Every time.Duration
	Keep  int
}

// Recorder samples one environment's traffic into rings. Its methods are
// safe for concurrent use.
type Recorder struct {
	cfg Config

	mu       sync.Mutex // guards services and router
	services map[string]*ring
	router   *ring
}

// New returns a Recorder; it starts nothing (see Run).
func New(cfg Config) *Recorder {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Every <= 0 {
		cfg.Every = 5 * time.Second
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 720
	}
	return &Recorder{cfg: cfg, services: map[string]*ring{}, router: newRing(cfg.Keep)}
}

// Every is the sampling interval.
func (r *Recorder) Every() time.Duration { return r.cfg.Every }

// Run samples every Every until ctx ends.
func (r *Recorder) Run(ctx context.Context) {
	t := time.NewTicker(r.cfg.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := r.Record(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Warn("record traffic history", "err", err)
		}
	}
}

// Record takes one sample of every service and of the router. Services
// gone from the store lose their ring.
func (r *Recorder) Record(ctx context.Context) error {
	var svcs []store.Service
	err := r.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		svcs, err = tx.ListServices()
		return err
	})
	if err != nil {
		return err
	}
	now := r.cfg.Clock.Now()
	points := make(map[string]Point, len(svcs))
	for _, s := range svcs {
		points[s.Name] = r.sample(now, s)
	}
	all := r.cfg.Metrics.WindowAll(r.cfg.Every)
	r.mu.Lock()
	defer r.mu.Unlock()
	for name := range r.services {
		if _, ok := points[name]; !ok {
			delete(r.services, name)
		}
	}
	for name, p := range points {
		rg := r.services[name]
		if rg == nil {
			rg = newRing(r.cfg.Keep)
			r.services[name] = rg
		}
		rg.add(p)
	}
	r.router.add(Point{T: now, Mismatch: -1, Revisions: []Traffic{traffic(0, RoleAll, all)}})
	return nil
}

// sample is one look at service s: its stable revision's traffic and
// its candidate's, with the candidate's weight.
func (r *Recorder) sample(now time.Time, s store.Service) Point {
	p := Point{T: now, Mismatch: -1}
	stable, candidate := s.Stable, 0
	if c := s.Canary; c != nil && c.Outcome == "" {
		stable, candidate, p.Weight = c.Stable, c.Revision, c.Weight
	}
	if pr := s.ParallelRun; pr != nil && pr.Outcome == "" {
		candidate = pr.Revision
		if pr.Report != nil {
			p.Mismatch = pr.Report.MismatchRate
		}
	}
	if t := s.Traffic; candidate == 0 && t.Preview != 0 {
		candidate = t.Preview
	}
	if stable == 0 {
		stable = s.Revision
	}
	p.Revisions = []Traffic{traffic(stable, RoleStable, r.cfg.Metrics.Window(s.Name, stable, r.cfg.Every))}
	if candidate != 0 && candidate != stable {
		p.Revisions = append(p.Revisions, traffic(candidate, RoleCandidate, r.cfg.Metrics.Window(s.Name, candidate, r.cfg.Every)))
	}
	return p
}

func traffic(rev int, role Role, st metrics.Stats) Traffic {
	return Traffic{Revision: rev, Role: role, Requests: st.Requests, Errors: st.Errors,
		RequestRate: st.RequestRate, SuccessRate: st.SuccessRate, P50: st.P50, P99: st.P99}
}

// Service returns service's points since since (all kept when zero),
// oldest first; false when the recorder has none for it.
func (r *Recorder) Service(name string, since time.Time) ([]Point, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rg, ok := r.services[name]
	if !ok {
		return nil, false
	}
	return rg.since(since), true
}

// Router returns the whole router's points since since, oldest first.
func (r *Recorder) Router(since time.Time) []Point {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.router.since(since)
}
