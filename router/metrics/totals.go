package metrics

import (
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/analysis"
)

// totals counts everything a revision answered since its first request:
// what a sequential judge reads on every tick, taking differences
// itself, where a window's whole buckets would lag by up to a bucket.
// Requests are the sum of the bins.
type totals struct {
	errors atomic.Int64
	bins   [numBins]atomic.Int64
}

// add counts the request before its error, and Totals reads the errors
// before the bins, so that a reader never sees more errors than
// requests.
func (t *totals) add(failed bool, d time.Duration) {
	t.bins[binOf(d)].Add(1)
	if failed {
		t.errors.Add(1)
	}
}

// Totals writes into out what service's revision answered since the
// router first saw it (nothing for an unknown revision): requests,
// errors (status >= 500) and the latency histogram over LatencyUpper's
// bins. It reuses out.Latency and allocates nothing once it has
// numBins room. Each count is read atomically, not all at once: a
// request may show in the bins a moment before its error, never after.
func (m *Metrics) Totals(service string, revision int, out *analysis.Totals) {
	if cap(out.Latency) < numBins {
		out.Latency = make([]int64, numBins)
	}
	out.Latency = out.Latency[:numBins]
	out.Requests, out.Errors = 0, 0
	rev := m.index.Load().revisions[revKey{service, revision}]
	if rev == nil {
		clear(out.Latency)
		return
	}
	out.Errors = rev.totals.errors.Load()
	for i := range out.Latency {
		out.Latency[i] = rev.totals.bins[i].Load()
		out.Requests += out.Latency[i]
	}
}

// LatencyUpper returns the upper edge of each latency bin, in seconds,
// for the histograms Totals writes.
func (m *Metrics) LatencyUpper() []float64 {
	up := make([]float64, numBins)
	for i := range up {
		low, width := binBounds(i)
		up[i] = time.Duration((low + width) << unitShift).Seconds()
	}
	return up
}
