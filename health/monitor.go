package health

import (
	"context"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// Kind says which check a Change is about.
type Kind int

// Check kinds.
const (
	Readiness Kind = iota
	Liveness
)

func (k Kind) String() string {
	if k == Liveness {
		return "liveness"
	}
	return "readiness"
}

// Change is a check's state transition on one instance.
type Change struct {
	ID      string
	PID     int
	Kind    Kind
	State   State
	Summary string
}

// Watch describes an instance to check and how.
type Watch struct {
	Target Target
	// PID identifies the process: a new PID for the same ID (a restart)
	// starts the checks over.
	PID       int
	Readiness *spec.Probe
	Liveness  *spec.Probe
	// WasReady seeds readiness (known from before a server restart), so
	// an adopted instance keeps taking traffic until a check says not to.
	WasReady bool
}

// startupPeriod caps the check period until readiness first passes, so
// a fast-starting instance is seen ready well within one interval; for
// the first fastWindow checks come every firstPeriod, then the period
// doubles up to startupPeriod, so that an instance that gets ready
// within a few hundred milliseconds (a service woken from zero while a
// request waits) is seen ready within firstPeriod of it: a doubling from
// the first check would see one ready at 90ms only at 155ms.
//
// An HTTP or TCP check of a port nobody listens on yet is a refused
// connection, cheap (tens of microseconds): those come every 1ms, since
// the held request waits on this check and a Go service listens 3-4ms
// after its exec (every 5ms, the check's lag behind the listen was 4.4ms
// at the median in bench/autoscale's traces; every 2ms, 2.3-2.7ms; every
// 1ms, 1.4-3.7ms on a slower VM, most of it the check's own request and
// the service reaching its Accept, which the floor's poll waits for too). A
// service that listens after 20ms costs ~20 refused connections, one after
// 300ms (the window) ~300, ~10ms of CPU. An exec check starts a process:
// every 5ms, as before. The failures of these fast checks count only at
// the probe's own interval (Tracker.Extra): a starting instance fails no
// sooner than its spec says, and its failing transition (a record write,
// an event, a table rebuild, a pass) does not compete with the instance's
// own start.
const (
	startupPeriod      = 200 * time.Millisecond
	fastWindow         = 300 * time.Millisecond
	connectFirstPeriod = 1 * time.Millisecond
	execFirstPeriod    = 5 * time.Millisecond
)

// firstPeriod is the period of p's first checks (see startupPeriod).
func firstPeriod(p spec.Probe) time.Duration {
	if len(p.Exec) > 0 {
		return execFirstPeriod
	}
	return connectFirstPeriod
}

// fastChecks is how many of p's first checks come every firstPeriod.
func fastChecks(p spec.Probe) int { return int(fastWindow / firstPeriod(p)) }

// Monitor checks watched instances and reports each state change. Probes
// run on real time: they are I/O. The thresholds are Tracker's, tested
// apart.
type Monitor struct {
	prober   *Prober
	onChange func(Change)

	mu      sync.Mutex // guards watches
	watches map[string]*running
	wg      sync.WaitGroup
}

type running struct {
	pid    int
	cancel context.CancelFunc
	mu     sync.Mutex // guards summary
	last   map[Kind]string
}

// NewMonitor returns a Monitor that calls onChange (from its own
// goroutines, possibly concurrently) on every transition.
func NewMonitor(onChange func(Change)) *Monitor {
	return &Monitor{prober: NewProber(), onChange: onChange, watches: map[string]*running{}}
}

// Watch starts checking w.Target unless it is already checked for the
// same PID. It is idempotent.
func (m *Monitor) Watch(w Watch) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.watches[w.Target.ID]; ok {
		if r.pid == w.PID {
			return
		}
		r.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{pid: w.PID, cancel: cancel, last: map[Kind]string{}}
	m.watches[w.Target.ID] = r
	if w.Readiness == nil {
		c := Change{ID: w.Target.ID, PID: w.PID, Kind: Readiness, State: Passing, Summary: "no readiness check: ready when running"}
		m.wg.Add(1)
		go func() { defer m.wg.Done(); m.onChange(c) }()
	} else {
		m.run(ctx, r, w, Readiness, *w.Readiness)
	}
	if w.Liveness != nil {
		m.run(ctx, r, w, Liveness, *w.Liveness)
	}
}

// Unwatch stops checking an instance.
func (m *Monitor) Unwatch(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.watches[id]; ok {
		r.cancel()
		delete(m.watches, id)
	}
}

// Watched returns the IDs being checked.
func (m *Monitor) Watched() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]string, 0, len(m.watches))
	for id := range m.watches {
		ids = append(ids, id)
	}
	return ids
}

// Summary returns the latest result line of a check ("" if none yet).
func (m *Monitor) Summary(id string, k Kind) string {
	m.mu.Lock()
	r := m.watches[id]
	m.mu.Unlock()
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last[k]
}

// Close stops every check and waits for them to end.
func (m *Monitor) Close() {
	m.mu.Lock()
	for id, r := range m.watches {
		r.cancel()
		delete(m.watches, id)
	}
	m.mu.Unlock()
	m.wg.Wait()
}

func (m *Monitor) run(ctx context.Context, r *running, w Watch, k Kind, p spec.Probe) {
	initial := Unknown
	if k == Readiness && w.WasReady {
		initial = Passing
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.loop(ctx, r, w, k, p, NewTracker(p, initial))
	}()
}

func (m *Monitor) loop(ctx context.Context, r *running, w Watch, k Kind, p spec.Probe, t *Tracker) {
	if !sleep(ctx, p.InitialDelay.Duration) {
		return
	}
	var counted time.Time // when the next check counts in full
	for n := 0; ; n++ {
		res := m.prober.Probe(ctx, p, w.Target)
		if ctx.Err() != nil {
			return
		}
		changed := false
		if now := time.Now(); k == Readiness && t.State() != Passing && now.Before(counted) {
			changed = t.Extra(res) // a fast check between the probe's own
		} else {
			changed, counted = t.Observe(res), now.Add(interval(p))
		}
		r.mu.Lock()
		r.last[k] = t.Summary()
		r.mu.Unlock()
		if changed {
			m.onChange(Change{ID: w.Target.ID, PID: w.PID, Kind: k, State: t.State(), Summary: t.Summary()})
		}
		if t.State() == Passing {
			n = -1 // a later start-up (readiness lost) begins fast again
		}
		if !sleep(ctx, period(p, k, t.State(), n)) {
			return
		}
	}
}

// period is the probe interval, shortened while readiness is not passing
// so that an instance is seen ready soon after it is: the n-th check
// (from 0) since readiness last passed, or since the start, waits
// firstPeriod for the first fastChecks, then doubling, at most
// startupPeriod.
func period(p spec.Probe, k Kind, s State, n int) time.Duration {
	d := interval(p)
	if k == Readiness && s != Passing {
		d = min(d, startupPeriod, firstPeriod(p)<<min(max(n-fastChecks(p)+1, 0), 8))
	}
	return d
}

// interval is the probe's interval, a second when it sets none.
func interval(p spec.Probe) time.Duration {
	if p.Interval.Duration <= 0 {
		return time.Second
	}
	return p.Interval.Duration
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
