package rollout

import (
	"context"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// instanceWatcher is a provider that keeps per-instance data only for
// the instances it is asked to watch, for at least d (the router's
// metrics: a window per instance costs memory nobody else needs).
type instanceWatcher interface {
	Watch(instances []string, d time.Duration)
}

// judgeDelivery takes the measurements that are due for the analysis of
// a delivery in flight, and returns the delivery with them (a copy:
// r.delivery is left as read). The canary side is the instances that
// applied the new version, the baseline those not given it; a
// comparison is measured only while there is a baseline.
func (c *Controller) judgeDelivery(ctx context.Context, r configRead, ready []string, acks map[string]int, now time.Time) *store.ConfigDelivery {
	d := r.delivery
	def := r.latest.Spec.Delivery.Analysis
	if d == nil || d.Phase.Terminal() || d.Analysis == nil || def == nil || d.Version != r.latest.Version {
		return d
	}
	applied := nonNilApplied(d.Applied, acks)
	revs := map[string]int{}
	for _, in := range r.instances {
		revs[in.ID] = in.Revision
	}
	var canary, baseline []string
	for _, id := range ready {
		switch {
		case d.Desired(id, revs[id]) != d.Version:
			baseline = append(baseline, id)
		case applied[id] == d.Version:
			canary = append(canary, id)
		}
	}
	c.watchInstances(def, ready)
	out := *d
	if len(canary) == 0 {
		return &out
	}
	out.Analysis = d.Analysis.Clone()
	a := *def
	a.Metrics = slices.DeleteFunc(slices.Clone(def.Metrics), func(m spec.Metric) bool { return !measurable(m, len(baseline) > 0) })
	who := analysis.Query{Service: r.latest.Spec.Service, CanaryInstances: canary, BaselineInstances: baseline}
	c.measureRun(ctx, out.Analysis, &a, who, 0, now)
	return &out
}

// watchInstances asks the providers of a delivery's metrics that keep
// per-instance data for it to keep it for these instances. The watch
// outlasts a few intervals: a delivery renews it on each pass, and it
// lapses on its own once the delivery ends.
func (c *Controller) watchInstances(a *spec.Analysis, ids []string) {
	d := max(time.Minute, 4*a.Interval.Duration)
	seen := map[string]bool{}
	for _, m := range a.Metrics {
		if seen[m.Provider] {
			continue
		}
		seen[m.Provider] = true
		if w, ok := c.cfg.Providers[m.Provider].(instanceWatcher); ok {
			w.Watch(ids, d)
		}
	}
}
