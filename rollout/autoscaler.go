package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/autoscale"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// Autoscaler timing: the router's load is sampled every AutoscaleSample,
// and every AutoscalePeriod a pass decides and writes the counts.
const (
	AutoscaleSample = 100 * time.Millisecond
	AutoscalePeriod = time.Second
)

// CPUMeter reads an instance's CPU time from its cgroup
// (workload/process.Driver); ErrNotFound (wrapped) for an unknown one.
type CPUMeter interface {
	CPU(id string) (time.Duration, error)
}

// AutoscalerConfig wires an Autoscaler.
type AutoscalerConfig struct {
	Store store.Store
	// InFlight returns the requests in flight per instance ID
	// (router.Router.InFlightAll).
	InFlight func() map[string]int64
	// Held returns how many requests the router holds for a service
	// scaled to zero (router.Router.HeldFor): load in flight too, so a
	// service waking up is not idle, and scales for what waits.
	Held func(service string) int
	// Counts gives each revision's request totals (router/metrics).
	Counts Counter
	// CPU, when set, measures a `target: {cpu}`; without it such a
	// service keeps its count, saying why.
	CPU     CPUMeter
	Clock   clock.Clock
	Enqueue func(key queue.Key, after time.Duration)
	Logger  *slog.Logger
}

// Autoscaler sets the instance count of every service whose target
// revision has a `scale:` section, from the router's measurements: it
// samples them (Sample), and each pass (Pass) asks autoscale.Scaler for
// a count and writes it on the service (store.Autoscale, with a
// service.autoscaled event saying why), where the service controller
// starts and drains instances as for any count. Wake is the router's
// call for a service scaled to zero. What it samples lives in memory: a
// restarted server observes afresh, and counts the service as active
// from its start, so nothing scales to zero sooner than idleAfter after
// a restart.
type Autoscaler struct {
	cfg  AutoscalerConfig
	kick chan struct{}

	mu      sync.Mutex                   // guards the fields below
	scalers map[revKey]*autoscale.Scaler // one per scaled target revision
	members map[revKey][]member          // each scaled revision's instances, from the last pass
	wakes   map[string]bool              // services a held request waits for
	cpuPrev map[string]cpuMark           // each instance's last CPU reading
	totals  analysis.Totals              // Sample's buffer
}

// member is one instance of a scaled revision, and its CPU limit (0:
// none) against which its CPU percentage is counted.
type member struct {
	id    string
	cores float64
}

type cpuMark struct {
	at  time.Time
	cpu time.Duration
}

// NewAutoscaler returns an Autoscaler; Run drives it.
func NewAutoscaler(cfg AutoscalerConfig) *Autoscaler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Autoscaler{cfg: cfg, kick: make(chan struct{}, 1), scalers: map[revKey]*autoscale.Scaler{},
		members: map[revKey][]member{}, wakes: map[string]bool{}, cpuPrev: map[string]cpuMark{}}
}

// Wake asks for an instance of a service scaled to zero: a request is
// held for it. It returns at once (the router calls it on the request
// path); the pass it starts writes the count.
func (a *Autoscaler) Wake(service string) {
	a.mu.Lock()
	a.wakes[service] = true
	a.mu.Unlock()
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// Run samples and passes, on the wall clock's ticks, until ctx ends
// (tests call Sample and Pass themselves, on a fake clock). A failed
// pass is logged and tried again on the next period.
func (a *Autoscaler) Run(ctx context.Context) {
	sample := time.NewTicker(AutoscaleSample)
	defer sample.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-sample.C:
			a.Sample()
			if a.cfg.Clock.Now().Sub(last) < AutoscalePeriod {
				continue
			}
		case <-a.kick:
		}
		last = a.cfg.Clock.Now()
		if err := a.Pass(ctx); err != nil && ctx.Err() == nil {
			a.cfg.Logger.Warn("autoscale pass", "err", err)
		}
	}
}

// Sample feeds every scaled revision's scaler the load of this moment:
// requests in flight over its instances (and held for it), the requests
// it got so far (answered and in flight), and the CPU use of its
// instances since the last sample that read it.
func (a *Autoscaler) Sample() {
	now := a.cfg.Clock.Now()
	var inflight map[string]int64
	if a.cfg.InFlight != nil {
		inflight = a.cfg.InFlight()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, s := range a.scalers {
		o := autoscale.Observation{At: now}
		for _, m := range a.members[k] {
			o.InFlight += float64(inflight[m.id])
		}
		if a.cfg.Held != nil {
			o.InFlight += float64(a.cfg.Held(k.service))
		}
		if a.cfg.Counts != nil {
			// The router counts a request when it ends; with those in
			// flight now, arrivals: an overloaded revision, answering
			// fewer than it gets, shows the rate it gets.
			a.cfg.Counts.Totals(k.service, k.number, &a.totals)
			o.Requests = a.totals.Requests + int64(o.InFlight)
		}
		if s.Policy().Metric == autoscale.CPU {
			o.CPU = a.cpu(k, now)
		}
		s.Observe(o)
	}
}

// cpu is a revision's CPU use, in percent of each instance's limit (of
// one core without one), summed over its instances: the CPU time each
// used since its previous reading. a.mu is held.
func (a *Autoscaler) cpu(k revKey, now time.Time) float64 {
	if a.cfg.CPU == nil {
		return 0
	}
	sum := 0.0
	for _, m := range a.members[k] {
		t, err := a.cfg.CPU.CPU(m.id)
		if err != nil {
			continue // starting or gone: it carries no load yet
		}
		prev, ok := a.cpuPrev[m.id]
		a.cpuPrev[m.id] = cpuMark{now, t}
		if dt := now.Sub(prev.at); ok && dt > 0 {
			sum += 100 * (t - prev.cpu).Seconds() / dt.Seconds() / max(m.cores, 0.01)
		}
	}
	return sum
}

// Pass reads every service, decides each scaled one's count and writes
// those that change. It starts at most workload.MaxStartsPerPass new
// instances over all services, as one controller pass would: a larger
// rise takes the next passes.
func (a *Autoscaler) Pass(ctx context.Context) error {
	scaled, err := a.read(ctx)
	if err != nil {
		return err
	}
	now := a.cfg.Clock.Now()
	budget := workload.MaxStartsPerPass
	var errs []error
	for _, sv := range a.track(scaled, now) {
		d, ok := a.decide(sv, now, &budget)
		if !ok {
			continue
		}
		if err := a.write(ctx, sv, d, now); err != nil {
			errs = append(errs, fmt.Errorf("autoscale %s: %w", sv.svc.Name, err))
		}
	}
	return errors.Join(errs...)
}

// scaledService is what a pass reads of one service whose target
// revision has a scale section.
type scaledService struct {
	svc       store.Service
	rev       store.Revision
	instances []store.Instance
}

func (a *Autoscaler) read(ctx context.Context) ([]scaledService, error) {
	var out []scaledService
	err := a.cfg.Store.View(ctx, func(tx store.Tx) error {
		svcs, err := tx.ListServices()
		if err != nil {
			return err
		}
		for _, svc := range svcs {
			if svc.Removed || svc.Revision == 0 {
				continue
			}
			rev, err := tx.GetRevision(svc.Name, svc.Revision)
			if err != nil {
				return fmt.Errorf("revision %d of %s: %w", svc.Revision, svc.Name, err)
			}
			if rev.Spec.Scale == nil {
				continue
			}
			rev.Spec.ApplyDefaults()
			ins, err := tx.ListInstances(svc.Name)
			if err != nil {
				return err
			}
			out = append(out, scaledService{svc, rev, ins})
		}
		return nil
	})
	return out, err
}

// track keeps a scaler for each scaled target revision (a new one for a
// revision it meets first, forgetting the others) and each one's
// instances for Sample.
func (a *Autoscaler) track(scaled []scaledService, now time.Time) []scaledService {
	a.mu.Lock()
	defer a.mu.Unlock()
	seen := map[revKey]bool{}
	for _, sv := range scaled {
		k := revKey{sv.svc.Name, sv.rev.Number}
		seen[k] = true
		if a.scalers[k] == nil {
			a.scalers[k] = autoscale.New(autoscale.PolicyOf(*sv.rev.Spec.Scale), now)
		}
		var ms []member
		for _, in := range sv.instances {
			if in.Revision == k.number && InRotation(in) {
				ms = append(ms, member{in.ID, sv.rev.Spec.Resources.CPU})
			}
		}
		a.members[k] = ms
	}
	for k := range a.scalers {
		if !seen[k] {
			delete(a.scalers, k)
			delete(a.members, k)
		}
	}
	live := map[string]bool{}
	for _, ms := range a.members {
		for _, m := range ms {
			live[m.id] = true
		}
	}
	for id := range a.cpuPrev {
		if !live[id] {
			delete(a.cpuPrev, id)
		}
	}
	return scaled
}

// decide returns the count for one service, false when it stays.
func (a *Autoscaler) decide(sv scaledService, now time.Time, budget *int) (autoscale.Decision, bool) {
	cur, floor := TargetReplicas(sv.svc, sv.rev, sv.instances)
	a.mu.Lock()
	s := a.scalers[revKey{sv.svc.Name, sv.rev.Number}]
	woken := a.wakes[sv.svc.Name]
	delete(a.wakes, sv.svc.Name)
	var d autoscale.Decision
	if woken && cur == 0 {
		d = s.Wake(now)
	} else {
		d = s.Decide(now, cur, atRest(sv.svc, now))
	}
	a.mu.Unlock()
	d.Replicas = max(d.Replicas, floor)
	if d.Replicas > cur {
		d.Replicas = min(d.Replicas, cur+*budget)
		*budget -= d.Replicas - cur
	}
	return d, d.Replicas != cur
}

// atRest reports whether no rollout is in flight for the service: only
// then may it scale to zero (a rollout with no traffic has no data to
// judge).
func atRest(svc store.Service, now time.Time) bool {
	keeping := svc.Keep != 0 && (svc.KeepUntil.IsZero() || now.Before(svc.KeepUntil))
	return svc.Phase != store.PhaseProgressing && !keeping &&
		!svc.Canary.InFlight(svc.Revision) && !svc.ParallelRun.InFlight(svc.Revision)
}

// write stores the new count and its event, if the service is still as
// the pass read it (else the next pass decides again), and queues the
// service so that its controller acts at once.
func (a *Autoscaler) write(ctx context.Context, sv scaledService, d autoscale.Decision, now time.Time) error {
	from, _ := TargetReplicas(sv.svc, sv.rev, sv.instances)
	data, err := json.Marshal(store.AutoscaledData{From: from, To: d.Replicas, Reason: d.Reason})
	if err != nil {
		return err
	}
	err = a.cfg.Store.Update(ctx, func(tx store.Tx) error {
		svc := sv.svc
		svc.Autoscale = &store.Autoscale{Revision: sv.rev.Number, Replicas: d.Replicas, Reason: d.Reason, ChangedAt: now}
		svc.UpdatedAt = now
		if err := tx.PutService(svc); err != nil {
			return err
		}
		_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventServiceAutoscaled, Service: svc.Name,
			Revision: sv.rev.Number, Message: fmt.Sprintf("%s: %d -> %d instances: %s", svc.Name, from, d.Replicas, d.Reason), Data: data})
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return nil // written meanwhile: the next pass reads it
	}
	if err == nil {
		a.cfg.Enqueue(queue.ServiceKey(sv.svc.Name), 0)
	}
	return err
}
