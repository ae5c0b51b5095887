package metrics

import (
	"fmt"
	"time"
)

// Stats describes the requests of one service revision over a span of
// whole buckets, [Start, End).
//
// When Requests is 0 there is no evidence: SuccessRate and the quantiles
// are 0, and the caller decides what that means (a judge should
// call the measurement inconclusive, not failed or passed). Empty tells.
type Stats struct {
	Start, End time.Time
	Requests   int64
	// Errors counts answers with status >= 500.
	Errors int64
	// SuccessRate is 1 - Errors/Requests.
	SuccessRate float64
	// RequestRate is Requests per second of End-Start.
	RequestRate float64
	// P50, P90 and P99 are latency quantiles (nearest rank), within 1/16
	// of the exact sample quantile (see the package doc).
	P50, P90, P99 time.Duration
}

// Empty reports whether the span saw no request.
func (s Stats) Empty() bool { return s.Requests == 0 }

// Window returns the stats of service's revision over the last d: the
// ceil(d/Bucket) whole buckets before the current one. d is at least one
// bucket and at most Options.Window. An unknown revision has no requests.
func (m *Metrics) Window(service string, revision int, d time.Duration) Stats {
	from, to := m.span(d)
	var c counts
	if rev := m.index.Load().revisions[revKey{service, revision}]; rev != nil {
		for n := from; n < to; n++ {
			rev.ring.addTo(&c, n)
		}
	}
	return m.stats(&c, from, to)
}

// Buckets returns the stats of each whole bucket in the last d (as
// Window counts it), oldest first, empty buckets included.
func (m *Metrics) Buckets(service string, revision int, d time.Duration) []Stats {
	from, to := m.span(d)
	rev := m.index.Load().revisions[revKey{service, revision}]
	out := make([]Stats, 0, to-from)
	for n := from; n < to; n++ {
		var c counts
		if rev != nil {
			rev.ring.addTo(&c, n)
		}
		out = append(out, m.stats(&c, n, n+1))
	}
	return out
}

// Metric names a per-bucket value that Samples returns.
type Metric int

// The metrics Samples can return. SuccessRate is a fraction, RequestRate
// in requests per second, the quantiles in seconds.
const (
	SuccessRate Metric = iota
	RequestRate
	P50
	P90
	P99
)

func (k Metric) String() string {
	switch k {
	case SuccessRate:
		return "success-rate"
	case RequestRate:
		return "request-rate"
	case P50:
		return "p50"
	case P90:
		return "p90"
	case P99:
		return "p99"
	}
	return fmt.Sprintf("Metric(%d)", int(k))
}

// Samples returns one value of metric per whole bucket in the last d,
// oldest first, for a statistical judge comparing two revisions (e.g.
// per-second success rates, or per-second p99s in seconds). Buckets
// without requests are left out, except for RequestRate, where they are
// 0: a success rate or a quantile of nothing is not a sample.
func (m *Metrics) Samples(service string, revision int, d time.Duration, metric Metric) []float64 {
	return samples(m.Buckets(service, revision, d), metric)
}

// samples is metric's value in each of buckets that has one (Samples).
func samples(buckets []Stats, metric Metric) []float64 {
	var out []float64
	for _, s := range buckets {
		if s.Empty() && metric != RequestRate {
			continue
		}
		out = append(out, s.value(metric))
	}
	return out
}

func (s Stats) value(k Metric) float64 {
	switch k {
	case SuccessRate:
		return s.SuccessRate
	case RequestRate:
		return s.RequestRate
	case P50:
		return s.P50.Seconds()
	case P90:
		return s.P90.Seconds()
	case P99:
		return s.P99.Seconds()
	}
	panic("metrics: unknown " + k.String())
}

// span returns the bucket numbers [from, to) of the last d.
func (m *Metrics) span(d time.Duration) (from, to int64) {
	width := int64(m.opts.Bucket)
	nb := (int64(d) + width - 1) / width
	nb = max(1, min(nb, (int64(m.opts.Window)+width-1)/width))
	to = m.opts.Clock().UnixNano() / width
	return to - nb, to
}

// stats turns the counts of buckets [from, to) into Stats.
func (m *Metrics) stats(c *counts, from, to int64) Stats {
	width := int64(m.opts.Bucket)
	s := Stats{
		Start:    time.Unix(0, from*width),
		End:      time.Unix(0, to*width),
		Requests: int64(c.requests),
		Errors:   int64(c.errors),
	}
	s.RequestRate = float64(c.requests) / s.End.Sub(s.Start).Seconds()
	if c.requests > 0 {
		s.SuccessRate = 1 - float64(c.errors)/float64(c.requests)
		s.P50 = quantile(&c.bins, 0.50)
		s.P90 = quantile(&c.bins, 0.90)
		s.P99 = quantile(&c.bins, 0.99)
	}
	return s
}

// WindowAll returns the stats of every revision's requests taken
// together over the last d, as Window counts them: the whole router's
// traffic (an environment's error rate and latency on one axis).
func (m *Metrics) WindowAll(d time.Duration) Stats {
	from, to := m.span(d)
	var c counts
	for _, rev := range m.index.Load().revisions {
		for n := from; n < to; n++ {
			rev.ring.addTo(&c, n)
		}
	}
	return m.stats(&c, from, to)
}
