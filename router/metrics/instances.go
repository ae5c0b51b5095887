package metrics

import (
	"maps"
	"time"
)

// Per-instance windows exist only for the instances someone watches: a
// config delivery judges the instances on a new config against those on
// the old one, which the per-revision rings cannot tell apart. A ring
// costs ~250 KB at the defaults, too much to keep for every instance of
// a router that may front hundreds, so a judge asks for them (Watch) and
// they go when nobody renewed the watch: at the next Watch, or at the
// instance's next request (Observe), whichever comes first.

// watched is an instance's ring and until when it is kept (Unix ns).
type watched struct {
	ring  *ring
	until int64
}

// Watch keeps a sliding window of each of instances' requests for at
// least d from now (from the first request after this call: nothing
// earlier was kept), renewing an earlier watch. Watches that expired are
// dropped. A judge calls it on each pass while it needs the windows.
func (m *Metrics) Watch(instances []string, d time.Duration) {
	now := m.opts.Clock().UnixNano()
	until := now + int64(d)
	if m.watching(instances, now+int64(d)/2) {
		return // renewed recently: a judge asks on every pass, the index is copied only now and then
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.index.Load()
	w := live(old.watched, now, len(instances))
	for _, id := range instances {
		iw, ok := w[id]
		if !ok {
			iw.ring = newRing(m.opts.Bucket, m.opts.Window)
		}
		iw.until = max(iw.until, until)
		w[id] = iw
	}
	ix := old.clone()
	ix.watched = w
	m.index.Store(ix)
}

// live returns the watches of w that have not lapsed at now (Unix ns),
// in a new map with room for extra more.
func live(w map[string]watched, now int64, extra int) map[string]watched {
	out := make(map[string]watched, len(w)+extra)
	for id, iw := range w {
		if iw.until > now {
			out[id] = iw
		}
	}
	return out
}

// dropLapsed drops the watches that lapsed at now (Unix ns): their
// windows go, and their instances' requests stop paying for them.
// Observe calls it when a request meets a lapsed watch, which is rare
// (once per watch; a judge renews its watches well before they lapse),
// so the lock and the copy of the index are paid there.
func (m *Metrics) dropLapsed(now int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.index.Load()
	w := live(old.watched, now, 0)
	if len(w) == len(old.watched) {
		return // a racing request dropped them
	}
	ix := old.clone()
	ix.watched = w
	m.index.Store(ix)
}

// watching reports whether every one of instances is watched until at
// least t (Unix ns).
func (m *Metrics) watching(instances []string, t int64) bool {
	w := m.index.Load().watched
	for _, id := range instances {
		if iw, ok := w[id]; !ok || iw.until < t {
			return false
		}
	}
	return true
}

// InstanceWindow returns the stats of the watched instances' requests
// taken together over the last d, as Window counts them. An instance
// not watched adds nothing.
func (m *Metrics) InstanceWindow(instances []string, d time.Duration) Stats {
	from, to := m.span(d)
	var c counts
	ix := m.index.Load()
	for _, id := range instances {
		if iw, ok := ix.watched[id]; ok {
			for n := from; n < to; n++ {
				iw.ring.addTo(&c, n)
			}
		}
	}
	return m.stats(&c, from, to)
}

// InstanceSamples returns one value of metric per whole bucket in the
// last d for the watched instances taken together, as Samples does for
// a revision.
func (m *Metrics) InstanceSamples(instances []string, d time.Duration, metric Metric) []float64 {
	from, to := m.span(d)
	ix := m.index.Load()
	buckets := make([]Stats, 0, to-from)
	for n := from; n < to; n++ {
		var c counts
		for _, id := range instances {
			if iw, ok := ix.watched[id]; ok {
				iw.ring.addTo(&c, n)
			}
		}
		buckets = append(buckets, m.stats(&c, n, n+1))
	}
	return samples(buckets, metric)
}

// forgetWatch drops instance's window from ix (a clone being built).
func (ix *index) forgetWatch(instance string) {
	if _, ok := ix.watched[instance]; ok {
		ix.watched = maps.Clone(ix.watched)
		delete(ix.watched, instance)
	}
}
