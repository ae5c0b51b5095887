package metrics

import (
	"maps"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipway-dev/slipway/router"
)

// Options configures Metrics. Zero values take the defaults.
type Options struct {
	// Clock tells the time of each sample and query (default time.Now).
	Clock func() time.Time
	// Window is how much history the sliding windows keep (default 5m).
	Window time.Duration
	// Bucket is the windows' resolution (default 1s).
	Bucket time.Duration
	// InFlight, when set, is read at each scrape for the
	// slipway_router_in_flight gauge: requests in flight by instance ID.
	InFlight func() map[string]int64
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Window <= 0 {
		o.Window = 5 * time.Minute
	}
	if o.Bucket <= 0 {
		o.Bucket = time.Second
	}
	o.Window = max(o.Window, o.Bucket)
	return o
}

// Metrics records router samples. Create it with New; it is safe for
// concurrent use.
type Metrics struct {
	opts Options
	prom *prom

	index atomic.Pointer[index] // read lock-free by Observe; replaced whole
	mu    sync.Mutex            // serializes replacing index
	errs  chan struct{}         // signalled (never blocking) after a 5xx is counted: Errors
}

var _ router.Observer = (*Metrics)(nil)

// New returns an empty Metrics. It starts no goroutine.
func New(opts Options) *Metrics {
	m := &Metrics{opts: opts.withDefaults(), errs: make(chan struct{}, 1)}
	m.prom = newProm(m)
	m.index.Store(&index{
		series:    map[seriesKey]*series{},
		revisions: map[revKey]*revision{},
		instances: map[string]revKey{},
	})
	return m
}

type revKey struct {
	service  string
	revision int
}

type seriesKey struct {
	revKey
	instance string
}

// index is an immutable snapshot of every series; writers copy it.
type index struct {
	series    map[seriesKey]*series
	revisions map[revKey]*revision
	instances map[string]revKey  // for the in-flight gauge's labels
	watched   map[string]watched // per-instance windows (instances.go)
}

func (ix *index) clone() *index {
	return &index{
		series:    maps.Clone(ix.series),
		revisions: maps.Clone(ix.revisions),
		instances: maps.Clone(ix.instances),
		watched:   ix.watched, // copied on write (Watch, forgetWatch)
	}
}

// series is one instance's request counters, resolved once.
type series struct {
	codes [numClasses]prometheus.Counter
	rev   *revision
}

// revision is what a (service, revision) shares across its instances.
type revision struct {
	duration prometheus.Observer
	ring     *ring
	totals   totals
}

// Observe records one answered request. It is called on the request
// path: it takes no lock and allocates nothing once the sample's series
// exists (but for the one request that finds its instance's watch
// lapsed, and drops it).
func (m *Metrics) Observe(s router.Sample) {
	k := seriesKey{revKey{s.Service, s.Revision}, s.Instance}
	ix := m.index.Load()
	sr := ix.series[k]
	if sr == nil {
		sr = m.add(k)
	}
	now := m.opts.Clock().UnixNano()
	sr.codes[classOf(s.Status)].Inc()
	sr.rev.duration.Observe(s.Duration.Seconds())
	sr.rev.ring.add(now, s.Status >= 500, s.Duration)
	sr.rev.totals.add(s.Status >= 500, s.Duration)
	if iw, ok := ix.watched[s.Instance]; ok {
		if iw.until > now {
			iw.ring.add(now, s.Status >= 500, s.Duration)
		} else {
			m.dropLapsed(now)
		}
	}
	if s.Status >= 500 {
		select {
		case m.errs <- struct{}{}:
		default: // a signal is already pending: one read sees both errors
		}
	}
}

// Errors returns a channel that receives a value after one or more
// 5xx answers were counted (Totals already shows them when it does):
// the sequential judges look at the counts then, rather than wait for
// their next tick, since an error is what decides a failing canary.
// Signals coalesce: one value may stand for many errors. There is one
// channel; give it to one reader.
func (m *Metrics) Errors() <-chan struct{} { return m.errs }

// add creates k's series (and its revision's) unless a racing call did.
func (m *Metrics) add(k seriesKey) *series {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.index.Load()
	if sr := old.series[k]; sr != nil {
		return sr
	}
	ix := old.clone()
	rev := ix.revisions[k.revKey]
	if rev == nil {
		rev = &revision{
			duration: m.prom.duration.WithLabelValues(k.service, strconv.Itoa(k.revision)),
			ring:     newRing(m.opts.Bucket, m.opts.Window),
		}
		ix.revisions[k.revKey] = rev
	}
	sr := &series{rev: rev}
	// Every class is exported from the first sample, at 0, so that a
	// rate() sees the first 5xx.
	for c := range sr.codes {
		sr.codes[c] = m.prom.requests.WithLabelValues(k.service, strconv.Itoa(k.revision), k.instance, classNames[c])
	}
	ix.series[k] = sr
	ix.instances[k.instance] = k.revKey
	m.index.Store(ix)
	return sr
}

// Forget drops instance's request counters (from Prometheus too), so that
// instances that are gone do not grow the label set forever. Its
// revision's latency histogram and window stay (see ForgetRevision). A
// sample from instance after Forget starts its counters again from zero.
func (m *Metrics) Forget(instance string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ix := m.index.Load().clone()
	for k := range ix.series {
		if k.instance == instance {
			delete(ix.series, k)
		}
	}
	delete(ix.instances, instance)
	ix.forgetWatch(instance)
	m.index.Store(ix)
	m.prom.requests.DeletePartialMatch(prometheus.Labels{"instance": instance})
}

// ForgetRevision drops everything kept for a service's revision: its
// latency histogram, its window, and its instances' counters. Call it
// when the revision will get no more traffic and no judge will read it.
func (m *Metrics) ForgetRevision(service string, revision int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rk := revKey{service, revision}
	ix := m.index.Load().clone()
	for k := range ix.series {
		if k.revKey == rk {
			delete(ix.series, k)
			if ix.instances[k.instance] == rk {
				delete(ix.instances, k.instance)
			}
		}
	}
	delete(ix.revisions, rk)
	m.index.Store(ix)
	labels := prometheus.Labels{"service": service, "revision": strconv.Itoa(revision)}
	m.prom.requests.DeletePartialMatch(labels)
	m.prom.duration.DeletePartialMatch(labels)
}
